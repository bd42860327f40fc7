// A blocking Unix-socket client connection with deadlines (poll-based), for the client library and
// tests. Sends never raise SIGPIPE. Knows nothing of frames or MessagePack.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class UnixSocketConnection: @unchecked Sendable {
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Connects to the socket at `path` (following a published symlink).
    public static func connect(to path: String, timeout: Duration = .seconds(2)) throws(RuntimeError) -> UnixSocketConnection {
        guard path.utf8.count < OwnerOnlySocket.pathCapacity else {
            throw .socketPathTooLong(path: path, limit: OwnerOnlySocket.pathCapacity)
        }
        let descriptor = socket(AF_UNIX, streamSocketType, 0)
        guard descriptor >= 0 else { throw .system(operation: "socket", path: path, errno: errno) }
        // Non-blocking connect so a full backlog cannot hang us past the deadline.
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var address = OwnerOnlySocket.makeAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemConnect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            if code == EINPROGRESS || code == EAGAIN {
                let deadline = ContinuousClock.now + timeout
                do {
                    try waitFor(descriptor, events: Int16(POLLOUT), deadline: deadline, operation: "connect to", path: path)
                } catch {
                    _ = systemClose(descriptor)
                    throw error
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                if socketError != 0 {
                    _ = systemClose(descriptor)
                    throw .system(operation: "connect to", path: path, errno: socketError)
                }
            } else {
                _ = systemClose(descriptor)
                if code == ENOENT || code == ECONNREFUSED { throw .notRunning(path: path) }
                throw .system(operation: "connect to", path: path, errno: code)
            }
        }
        _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
        return UnixSocketConnection(path: path, descriptor: descriptor)
    }

    /// Writes every byte before `deadline`.
    public func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(RuntimeError) {
        var offset = 0
        while offset < bytes.count {
            try Self.waitFor(descriptor, events: Int16(POLLOUT), deadline: deadline, operation: "write to", path: path)
            let written = bytes.withUnsafeBytes { raw in
                systemSend(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .connectionClosed(path: path) }
                throw .system(operation: "write to", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Reads exactly `count` bytes before `deadline`.
    public func receive(exactly count: Int, deadline: ContinuousClock.Instant) throws(RuntimeError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            try Self.waitFor(descriptor, events: Int16(POLLIN), deadline: deadline, operation: "read from", path: path)
            let received = buffer.withUnsafeMutableBytes { raw in
                recv(descriptor, raw.baseAddress! + offset, count - offset, Int32(MSG_DONTWAIT))
            }
            if received < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == ECONNRESET { throw .connectionClosed(path: path) }
                throw .system(operation: "read from", path: path, errno: errno)
            }
            if received == 0 { throw .connectionClosed(path: path) }
            offset += received
        }
        return buffer
    }

    public func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }

    private static func waitFor(_ descriptor: Int32, events: Int16, deadline: ContinuousClock.Instant,
                                operation: String, path: String) throws(RuntimeError) {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { throw .timedOut(operation: operation, path: path) }
            let milliseconds = Int32(clamping: max(1, remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .system(operation: operation, path: path, errno: errno) }
        }
    }
}
