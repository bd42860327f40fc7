// The daemon's run lock (`<name>.spawnlock`, held for its whole life, with a JSON heartbeat) and the
// clients' spawn guard (`<name>.spawn-guard.lock`, held briefly while spawning). Liveness is decided
// by whether the flock can be taken, never by the pid. Lock files are opened without following
// symlinks and must be regular files with one link; they are never deleted.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open, flock-held lock file. Releasing closes the descriptor (and so the lock).
public final class LockFile: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// The daemon's run lock: fails at once with `alreadyRunning` when another process holds it.
    public static func acquireRunLock(at path: String) throws(RuntimeError) -> LockFile {
        let descriptor = try openLockFile(path)
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw .alreadyRunning(lockPath: path, pid: readHeartbeat(at: path)?.pid)
            }
            throw .system(operation: "flock", path: path, errno: code)
        }
        return LockFile(path: path, descriptor: descriptor)
    }

    /// The clients' spawn guard: waits for the lock until `timeout` has passed.
    public static func acquireSpawnGuard(at path: String, timeout: Duration) throws(RuntimeError) -> LockFile {
        let descriptor = try openLockFile(path)
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw .system(operation: "flock", path: path, errno: code)
            }
            if ContinuousClock.now >= deadline {
                close(descriptor)
                throw .lockTimeout(path: path)
            }
            usleep(5_000)
        }
        return LockFile(path: path, descriptor: descriptor)
    }

    /// Whether some process holds the lock at `path` (nil when there is no such regular file).
    public static func isHeld(at path: String) -> Bool? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK ? true : nil
    }

    /// Writes `{"pid":…,"heartbeat_unix_ms":…}` at offset 0 and truncates the file to it, with
    /// `"listeners":[…]` after them when there are any (readers that know only the first two fields
    /// ignore it). Refuses to write through anything but a regular file with a single link.
    public func writeHeartbeat(pid: Int32 = getpid(), now: Date = Date(), listeners: [Listener] = [],
                               attestedChannel: AttestedChannelReport? = nil) throws(RuntimeError) {
        lock.lock()
        defer { lock.unlock() }
        guard descriptor >= 0 else { return }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG, status.st_nlink == 1 else {
            throw .refusingPath(path: path, reason: "the lock file is not a regular file with one link")
        }
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var json = "{\"pid\":\(pid),\"heartbeat_unix_ms\":\(milliseconds)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if !listeners.isEmpty, let encoded = try? encoder.encode(listeners) {
            json += ",\"listeners\":" + String(decoding: encoded, as: UTF8.self)
        }
        if let attestedChannel, let encoded = try? encoder.encode(attestedChannel) {
            json += ",\"attested_channel\":" + String(decoding: encoded, as: UTF8.self)
        }
        let bytes = Array((json + "}").utf8)
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count else { throw .system(operation: "write", path: path, errno: errno) }
        guard ftruncate(descriptor, off_t(bytes.count)) == 0 else {
            throw .system(operation: "ftruncate", path: path, errno: errno)
        }
    }

    /// Closes the file, releasing the lock. Idempotent.
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    public struct Heartbeat: Sendable, Equatable, Decodable {
        public let pid: Int32
        public let heartbeatUnixMilliseconds: UInt64
        /// The sockets the daemon serves, with the requests each dialect answered (nil when the
        /// writer did not say).
        public let listeners: [Listener]?
        /// The cass v2 attested channel, when the daemon serves a cass data directory.
        public let attestedChannel: AttestedChannelReport?

        public init(pid: Int32, heartbeatUnixMilliseconds: UInt64, listeners: [Listener]? = nil,
                    attestedChannel: AttestedChannelReport? = nil) {
            self.pid = pid
            self.heartbeatUnixMilliseconds = heartbeatUnixMilliseconds
            self.listeners = listeners
            self.attestedChannel = attestedChannel
        }

        enum CodingKeys: String, CodingKey {
            case pid
            case heartbeatUnixMilliseconds = "heartbeat_unix_ms"
            case listeners
            case attestedChannel = "attested_channel"
        }
    }

    /// The cass v2 attested channel as a heartbeat reports it: never the key, only its id.
    public struct AttestedChannelReport: Sendable, Equatable, Codable {
        /// `starting`, `up` or `down`.
        public let state: String
        public let dataDirectory: String
        /// The socket whose endpoint the published identity names.
        public let socket: String
        public let generation: UInt64?
        public let keyID: String?
        /// Why the channel is down.
        public let reason: String?

        public init(state: String, dataDirectory: String, socket: String, generation: UInt64?, keyID: String?, reason: String?) {
            self.state = state
            self.dataDirectory = dataDirectory
            self.socket = socket
            self.generation = generation
            self.keyID = keyID
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case state
            case dataDirectory = "data_dir"
            case socket
            case generation
            case keyID = "key_id"
            case reason
        }
    }

    /// One socket a daemon serves, as its heartbeat reports it.
    public struct Listener: Sendable, Equatable, Codable {
        /// The protocol spoken there (`cass`, `xf`).
        public let dialect: String
        /// Where clients connect.
        public let socket: String
        /// Requests of that dialect answered so far (on every socket).
        public let requests: UInt64

        public init(dialect: String, socket: String, requests: UInt64) {
            self.dialect = dialect
            self.socket = socket
            self.requests = requests
        }
    }

    /// The heartbeat written in a lock file, when it is a regular file of at most 4 KiB holding one.
    public static func readHeartbeat(at path: String) -> Heartbeat? {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size <= 4096,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Heartbeat.self, from: data)
    }

    /// Creates the lock file 0600 or opens the existing one, never through a symlink.
    private static func openLockFile(_ path: String) throws(RuntimeError) -> Int32 {
        var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor < 0 && errno == EEXIST {
            descriptor = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP || code == EMLINK {
                throw .refusingPath(path: path, reason: "it is a symlink; lock files must be regular files")
            }
            throw .system(operation: "open", path: path, errno: code)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .refusingPath(path: path, reason: "it is not a regular file")
        }
        return descriptor
    }
}
