// The daemon's log file with a size cap: lines are appended (O_APPEND, so the process's own stderr may
// share the file); a line that would take the file past `maxBytes` first rotates it: the file is
// renamed to `<log>.1` (replacing the previous one) and a new, empty file of our own (0600, made with
// O_EXCL|O_NOFOLLOW, so never through a symlink planted meanwhile) takes its name. So the current file never exceeds the cap and at most twice the
// cap is kept. When stdout and stderr were the old file (a daemon a client started: DetachedProcess
// points both at the log), they follow to the new one, so a crash message lands where `semctl logs`
// looks. When rotating is refused (a `.1` of another user in a shared /tmp, a name taken in between),
// the file is emptied in place instead: the cap holds even then. Never grows a file past its cap.
import Foundation
import SemanticRuntime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class RotatingLogFile: Sendable {
    public enum OpenError: Error, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): return "cannot open the log file \(path): \(reason)"
            }
        }
    }

    /// The default cap of one file: 10 MiB (so at most 20 MiB with the previous file).
    public static let defaultMaxBytes: UInt64 = 10 * 1024 * 1024
    /// The smallest cap accepted: a few lines.
    public static let smallestMaxBytes: UInt64 = 1024

    public let path: String
    public let maxBytes: UInt64
    /// Descriptors that follow the file to its new one when they were the old (stdout and stderr).
    let followers: [Int32]
    private struct State {
        var descriptor: Int32
        var size: UInt64
        var rotations = 0
    }

    private let state: Mutex<State>

    /// Opens (creating 0600) `path` for appending; a file already at or past the cap rotates at once.
    /// At each rotation the descriptors in `followers` that were the old file are pointed at the new one.
    public init(path: String, maxBytes: UInt64 = RotatingLogFile.defaultMaxBytes,
                followers: [Int32] = [STDOUT_FILENO, STDERR_FILENO]) throws(OpenError) {
        self.path = path
        self.maxBytes = max(maxBytes, Self.smallestMaxBytes)
        self.followers = followers
        // The path as given (a symlink the user made is followed, as for any file argument; a
        // client-spawned daemon's log was already checked by the client: regular, ours, one link).
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        state = Mutex(State(descriptor: descriptor, size: UInt64(status.st_size)))
        if UInt64(status.st_size) >= self.maxBytes { state.withLock { rotate(&$0) } }
    }

    deinit {
        _ = state.withLock { close($0.descriptor) }
    }

    /// Times the file was rotated (or emptied in place) since it was opened.
    public var rotations: Int { state.withLock { $0.rotations } }

    /// Appends `line` (which ends in a newline), rotating first when it would pass the cap. A line
    /// longer than the cap is cut to it.
    public func append(_ line: String) {
        var bytes = Array(line.utf8)
        if UInt64(bytes.count) > maxBytes { bytes = Array(bytes.prefix(Int(maxBytes) - 1)) + [0x0a] }
        state.withLock { state in
            // The size is the file's own (stderr may have written to it too), not only what we wrote.
            var status = stat()
            if fstat(state.descriptor, &status) == 0 { state.size = UInt64(status.st_size) }
            if state.size + UInt64(bytes.count) > maxBytes { rotate(&state) }
            let written = bytes.withUnsafeBytes { write(state.descriptor, $0.baseAddress, $0.count) }
            if written > 0 { state.size += UInt64(written) }
        }
    }

    /// Renames the file to `<path>.1` and opens a new one in its place; when either step is refused,
    /// empties the current file instead.
    private func rotate(_ state: inout State) {
        state.rotations += 1
        let old = state.descriptor
        var oldStatus = stat()
        let haveOld = fstat(old, &oldStatus) == 0
        if rename(path, DaemonLogFiles.previousPath(of: path)) == 0 {
            let fresh = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fresh >= 0 {
                if haveOld { redirectFollowers(from: oldStatus, to: fresh) }
                close(old)
                state.descriptor = fresh
                state.size = 0
                return
            }
        }
        // Cannot rotate: keep writing to the file we hold, emptied.
        _ = ftruncate(old, 0)
        state.size = 0
    }

    /// Points each follower (stdout, stderr) at `descriptor` when it was the file `old` (same device
    /// and inode).
    private func redirectFollowers(from old: stat, to descriptor: Int32) {
        for stream in followers {
            var status = stat()
            guard fstat(stream, &status) == 0, status.st_dev == old.st_dev, status.st_ino == old.st_ino else { continue }
            _ = dup2(descriptor, stream)
        }
    }
}
