// The system-call pieces shared by the key file and the generation log: the §7 checks on an opened
// descriptor (regular file, one link, no group/other bits), whole reads and writes that survive EINTR
// and short counts, and fsync of a directory. Never follows a symlink and never opens a path itself
// except the directory it fsyncs.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum StateFileChecks {
    /// fstat `descriptor` and apply the rules every state file shares, in cass's order: a regular
    /// file, exactly one link, `mode & 0o077 == 0`. Returns the status for the size checks that follow.
    static func checkOpenedFile(_ descriptor: Int32, file: AttestationStateFile, path: String)
        throws(AttestationStateError) -> stat {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .system(operation: "fstat", path: path, errno: errno)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unsafeFile(file, path: path, violation: .notARegularFile(found: describeFileKind(status.st_mode)))
        }
        guard status.st_nlink == 1 else {
            throw .unsafeFile(file, path: path, violation: .linkCount(UInt64(status.st_nlink)))
        }
        guard (status.st_mode & 0o077) == 0 else {
            throw .unsafeFile(file, path: path, violation: .accessibleToOthers(mode: UInt32(status.st_mode & 0o7777)))
        }
        return status
    }

    /// The error for an `open` that failed: O_NOFOLLOW on a symlink gives ELOOP (EMLINK on some BSDs),
    /// opening a directory for writing gives EISDIR.
    static func openFailure(_ code: Int32, file: AttestationStateFile, path: String) -> AttestationStateError {
        switch code {
        case ELOOP, EMLINK: return .unsafeFile(file, path: path, violation: .symbolicLink)
        case EISDIR: return .unsafeFile(file, path: path, violation: .notARegularFile(found: "a directory"))
        default: return .system(operation: "open", path: path, errno: code)
        }
    }

    /// Writes every byte at the descriptor's position (or the end, with O_APPEND).
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(AttestationStateError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Reads from offset 0 until end of file, taking at most `limit` bytes (one more than a caller's
    /// size limit lets it notice a file that grew after its fstat).
    static func readFromStart(_ descriptor: Int32, limit: Int, path: String) throws(AttestationStateError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress!, wanted, off_t(bytes.count))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    static func synchronize(_ descriptor: Int32, path: String) throws(AttestationStateError) {
        while fsync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw .system(operation: "fsync", path: path, errno: errno)
        }
    }

    /// fsync of a directory, so a file just created in it survives a crash.
    static func synchronizeDirectory(_ path: String) throws(AttestationStateError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        try synchronize(descriptor, path: path)
    }

    /// `directory` joined with a file name the way Rust's `Path::join` does it (no doubled slash).
    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
