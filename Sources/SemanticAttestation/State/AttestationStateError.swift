// What can go wrong with cass protocol v2's attestation state on disk (<data_dir>/daemon/: the key
// file and the generation log) and with reading the daemon's own executable. Each message names the
// file and the rule it breaks, because a user reads it in the daemon's log and in `semctl status`.
// A message never contains key bytes or anything derived from them.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One of the two state files of §7.
public enum AttestationStateFile: String, Sendable, Equatable {
    case key = "attestation key file"
    case generationLog = "attestation generation log"
}

/// A rule of §7 that a state file breaks.
public enum AttestationStateFileViolation: Sendable, Equatable {
    /// The path is a symbolic link (opened with O_NOFOLLOW).
    case symbolicLink
    /// The path is not a regular file; `found` says what it is ("a directory", "a FIFO", …).
    case notARegularFile(found: String)
    /// The file has more than one hard link (or none).
    case linkCount(UInt64)
    /// Group or other permission bits are set (`mode & 0o077 != 0`).
    case accessibleToOthers(mode: UInt32)
    /// The key file is not exactly 32 bytes.
    case wrongSize(expected: Int64, found: Int64)
    /// The generation log is larger than 1 MiB.
    case tooLarge(limit: Int64, found: Int64)
}

public enum AttestationStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data directory exists but is not a directory (or the path is empty).
    case dataDirectoryIsNotADirectory(path: String)
    /// `<data_dir>/daemon` is not a real directory (lstat: a symlink counts as "not").
    case daemonDirectoryIsNotARealDirectory(path: String, found: String)
    /// `<data_dir>/daemon` has group or other permission bits (checked by readers, which never chmod).
    case daemonDirectoryIsNotPrivate(path: String, mode: UInt32)
    /// A state file breaks one of §7's rules.
    case unsafeFile(AttestationStateFile, path: String, violation: AttestationStateFileViolation)
    /// A reader found no key file (only the daemon creates it).
    case keyFileIsMissing(path: String)
    /// A non-blank line of the generation log is not a decimal u64 (or the log is not UTF-8).
    case invalidGenerationEntry(path: String, lineNumber: Int, entry: String)
    /// The generation log already holds u64 max; no next generation exists.
    case generationCounterExhausted(path: String)
    /// The daemon's executable (hashed for its fingerprint) is not a regular file.
    case executableIsNotARegularFile(path: String, found: String)
    /// A system call failed.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .dataDirectoryIsNotADirectory(let path):
            if path.isEmpty { return "the data directory path is empty; pass --data-dir a directory" }
            return "the data directory \(path) is not a directory; pass --data-dir the cass data directory"
        case .daemonDirectoryIsNotARealDirectory(let path, let found):
            return "refusing the attestation state directory \(path): it is \(found), not a real directory "
                + "(a symlink is never followed); remove it and start the daemon again"
        case .daemonDirectoryIsNotPrivate(let path, let mode):
            return "refusing the attestation state directory \(path): its mode is \(octal(mode)), open to group "
                + "or others; it must be 0700 (run: chmod 700 \(path))"
        case .unsafeFile(let file, let path, let violation):
            return "refusing the \(file.rawValue) \(path): \(explain(violation, file: file, path: path))"
        case .keyFileIsMissing(let path):
            return "the attestation key file \(path) does not exist; the daemon creates it when it starts "
                + "for this data directory"
        case .invalidGenerationEntry(let path, let lineNumber, let entry):
            return "daemon attestation generation log contains an invalid entry: line \(lineNumber) of \(path) "
                + "is \(quoted(entry)); every non-blank line must be a decimal u64"
        case .generationCounterExhausted(let path):
            return "daemon attestation generation counter exhausted: \(path) already holds \(UInt64.max), "
                + "the largest u64, so no next generation exists"
        case .executableIsNotARegularFile(let path, let found):
            return "cannot fingerprint the daemon executable \(path): it is \(found), not a regular file"
        case .system(let operation, let path, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code)))"
        }
    }

    private func explain(_ violation: AttestationStateFileViolation, file: AttestationStateFile,
                         path: String) -> String {
        switch violation {
        case .symbolicLink:
            return "it is a symbolic link; it must be a regular file (links are never followed)"
        case .notARegularFile(let found):
            return "it is \(found); it must be a regular file"
        case .linkCount(let count):
            return "it has \(count) hard links; it must have exactly one (remove the other links)"
        case .accessibleToOthers(let mode):
            return "its mode is \(octal(mode)), open to group or others; it must be 0600 (run: chmod 600 \(path))"
        case .wrongSize(let expected, let found):
            return "it is \(found) bytes; it must be exactly \(expected)"
        case .tooLarge(let limit, let found):
            return "it is \(found) bytes, over the limit of \(limit) bytes"
        }
    }

    private func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The entry as the user would see it, quoted with escapes, cut to 64 characters.
    private func quoted(_ entry: String) -> String {
        let shown = entry.count > 64 ? String(entry.prefix(64)) + "…" : entry
        return shown.debugDescription
    }
}

/// What `st_mode` says a file is, in words for an error message.
func describeFileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: return "a directory"
    case S_IFLNK: return "a symbolic link"
    case S_IFREG: return "a regular file"
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    default: return "an unknown kind of file"
    }
}
