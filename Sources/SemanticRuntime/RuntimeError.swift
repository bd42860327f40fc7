// The errors of the daemon's on-disk runtime (socket, runtime directory, lock files) and of Unix
// socket connections. Each message says what was found and what to do.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum RuntimeError: Error, Equatable, CustomStringConvertible {
    /// Another daemon holds the run lock.
    case alreadyRunning(lockPath: String, pid: Int32?)
    /// A path semd would create or remove is something else (a file, a directory, a foreign symlink).
    case refusingPath(path: String, reason: String)
    /// The socket path does not fit in `sockaddr_un.sun_path`.
    case socketPathTooLong(path: String, limit: Int)
    /// A system call failed.
    case system(operation: String, path: String, errno: Int32)
    /// Nothing listens at the socket path.
    case notRunning(path: String)
    /// The peer did not answer in time.
    case timedOut(operation: String, path: String)
    /// The peer closed the connection.
    case connectionClosed(path: String)
    /// Waiting for a lock took longer than allowed.
    case lockTimeout(path: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let lockPath, let pid):
            let owner = pid.map { " (pid \($0))" } ?? ""
            return "another semd is already running\(owner): it holds \(lockPath)"
        case .refusingPath(let path, let reason):
            return "refusing to use \(path): \(reason)"
        case .socketPathTooLong(let path, let limit):
            return "socket path \(path) is \(path.utf8.count) bytes, longer than the system limit of \(limit - 1); "
                + "choose a shorter --socket or TMPDIR"
        case .system(let operation, let path, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code)))"
        case .notRunning(let path):
            return "no daemon is listening at \(path)"
        case .timedOut(let operation, let path):
            return "\(operation) \(path) timed out"
        case .connectionClosed(let path):
            return "the daemon at \(path) closed the connection"
        case .lockTimeout(let path):
            return "timed out waiting for the lock \(path)"
        }
    }

    /// True for the errors that mean "no daemon there" rather than "something is wrong".
    public var meansNoDaemon: Bool {
        switch self {
        case .notRunning: return true
        case .system(_, _, let code): return code == ENOENT || code == ECONNREFUSED || code == ENOTSOCK
        default: return false
        }
    }
}
