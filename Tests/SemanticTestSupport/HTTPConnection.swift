// A minimal blocking HTTP/1.1 client connection (TCP or Unix socket, keep-alive, poll-based
// deadlines) for talking to semd's own HTTP listener: the HTTP and end-to-end tests, semd-bench's HT
// workload and the soak. Not a general HTTP client: no TLS, no redirects, no proxies. Never raises
// SIGPIPE. No client library links it (it lives with the test support, not in SemanticRuntime).
import Foundation
import SemanticRuntime
#if canImport(Glibc)
import Glibc
private let systemConnect = Glibc.connect
private let systemClose = Glibc.close
private let systemSend = Glibc.send
private let streamSocketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
#elseif canImport(Darwin)
import Darwin
private let systemConnect = Darwin.connect
private let systemClose = Darwin.close
private let systemSend = Darwin.send
private let streamSocketType = SOCK_STREAM
#endif

/// One HTTP answer: status, headers (names lower-cased) and the whole body.
public struct HTTPAnswer: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object (nil when it is not one).
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}

public final class HTTPConnection: @unchecked Sendable {
    public enum Endpoint: Sendable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): "\(host):\(port)"
            case .unixSocket(let path): path
            }
        }
    }

    public let endpoint: Endpoint
    private var descriptor: Int32
    /// Bytes read past the end of the previous answer.
    private var pending: [UInt8] = []

    private init(endpoint: Endpoint, descriptor: Int32) {
        self.endpoint = endpoint
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Connects within `timeout`.
    public static func connect(to endpoint: Endpoint, timeout: Duration = .seconds(5)) throws(RuntimeError) -> HTTPConnection {
        let deadline = ContinuousClock.now + timeout
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        switch endpoint {
        case .unixSocket(let path):
            guard path.utf8.count < OwnerOnlySocket.pathCapacity else {
                throw .socketPathTooLong(path: path, limit: OwnerOnlySocket.pathCapacity)
            }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
            withUnsafeBytes(of: &address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            family = AF_UNIX
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var results: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
                throw .system(operation: "resolve", path: endpoint.description, errno: EINVAL)
            }
            defer { freeaddrinfo(results) }
            length = first.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
            }
            family = first.pointee.ai_family
        }
        let descriptor = socket(family, streamSocketType, 0)
        guard descriptor >= 0 else { throw .system(operation: "socket", path: endpoint.description, errno: errno) }
        if case .tcp = endpoint {
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(descriptor, $0, length) }
        }
        let connection = HTTPConnection(endpoint: endpoint, descriptor: descriptor)
        if result != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EAGAIN else {
                if code == ENOENT || code == ECONNREFUSED { throw .notRunning(path: endpoint.description) }
                throw .system(operation: "connect to", path: endpoint.description, errno: code)
            }
            try connection.wait(for: Int16(POLLOUT), deadline: deadline, operation: "connect to")
            var socketError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &size)
            if socketError == ECONNREFUSED { throw .notRunning(path: endpoint.description) }
            if socketError != 0 { throw .system(operation: "connect to", path: endpoint.description, errno: socketError) }
        }
        return connection
    }

    /// Sends one request and reads its whole answer (keep-alive: the connection stays usable).
    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = [],
                        timeout: Duration = .seconds(60)) throws(RuntimeError) -> HTTPAnswer {
        let deadline = ContinuousClock.now + timeout
        var head = "\(method) \(path) HTTP/1.1\r\nHost: semd\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body, deadline: deadline)
        return try readAnswer(deadline: deadline, headRequest: method == "HEAD")
    }

    /// `POST path` with a JSON body.
    public func postJSON(_ path: String, _ json: String, headers: [String: String] = [:],
                         timeout: Duration = .seconds(60)) throws(RuntimeError) -> HTTPAnswer {
        var all = headers
        all["Content-Type"] = "application/json"
        return try request("POST", path, headers: all, body: Array(json.utf8), timeout: timeout)
    }

    /// Writes raw bytes (for tests that send partial or malformed requests).
    public func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(RuntimeError) {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), deadline: deadline, operation: "write to")
            let written = bytes.withUnsafeBytes { raw in
                systemSend(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .connectionClosed(path: endpoint.description) }
                throw .system(operation: "write to", path: endpoint.description, errno: errno)
            }
            offset += written
        }
    }

    /// Reads one answer: status line, headers, then a body framed by Content-Length, chunks, or close
    /// (none for the answer to a HEAD request).
    public func readAnswer(deadline: ContinuousClock.Instant, headRequest: Bool = false) throws(RuntimeError) -> HTTPAnswer {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: pending)
            if headerEnd == nil { try fill(deadline: deadline, endOfStreamIsError: true) }
        }
        let headText = String(decoding: pending[..<headerEnd!], as: UTF8.self)
        pending.removeFirst(headerEnd! + 4)
        let lines = headText.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw .system(operation: "parse the answer from", path: endpoint.description, errno: EPROTO)
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if headRequest {
            return HTTPAnswer(status: status, headers: headers, body: [])
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            while pending.count < length { try fill(deadline: deadline, endOfStreamIsError: true) }
            body = Array(pending[..<length])
            pending.removeFirst(length)
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                var lineEnd = Self.find([13, 10], in: pending)
                while lineEnd == nil {
                    try fill(deadline: deadline, endOfStreamIsError: true)
                    lineEnd = Self.find([13, 10], in: pending)
                }
                let sizeText = String(decoding: pending[..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw .system(operation: "parse a chunk from", path: endpoint.description, errno: EPROTO)
                }
                pending.removeFirst(lineEnd! + 2)
                while pending.count < size + 2 { try fill(deadline: deadline, endOfStreamIsError: true) }
                body += pending[..<size]
                pending.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if status >= 200 && status != 204 && status != 304 {
            while (try? fill(deadline: deadline, endOfStreamIsError: true)) != nil {}
            body = pending
            pending = []
        }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }

    /// True when the peer has closed the connection (waits up to `timeout` for it).
    public func isClosedByPeer(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                try fill(deadline: deadline, endOfStreamIsError: true)
            } catch {
                if case .timedOut = error { return false }
                return true
            }
        }
        return false
    }

    public func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }

    private func fill(deadline: ContinuousClock.Instant, endOfStreamIsError: Bool) throws(RuntimeError) {
        try wait(for: Int16(POLLIN), deadline: deadline, operation: "read from")
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        if received < 0 {
            if errno == EINTR || errno == EAGAIN { return }
            if errno == ECONNRESET { throw .connectionClosed(path: endpoint.description) }
            throw .system(operation: "read from", path: endpoint.description, errno: errno)
        }
        if received == 0 { throw .connectionClosed(path: endpoint.description) }
        pending += buffer[..<received]
    }

    private func wait(for events: Int16, deadline: ContinuousClock.Instant, operation: String) throws(RuntimeError) {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { throw .timedOut(operation: operation, path: endpoint.description) }
            let milliseconds = Int32(clamping: max(1, remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .system(operation: operation, path: endpoint.description, errno: errno) }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return start }
        }
        return nil
    }
}
