// One blocking connection to a daemon: frames a request envelope, writes it, reads the answer's
// frame with the 10 MiB limit checked before the body is read, and decodes it. Request ids are
// `semd-N`. No event loop: a short-lived CLI process pays only for a socket.
import Foundation
import SemanticRuntime
import SemanticWire
import Synchronization

/// The error codes a daemon answers with (the cass protocol's, by the names it sends).
public enum DaemonErrorCode: String, Sendable, Equatable, CaseIterable {
    case internalError = "Internal"
    case modelNotFound = "ModelNotFound"
    case invalidInput = "InvalidInput"
    case overloaded = "Overloaded"
    case timeout = "Timeout"
    case modelLoadFailed = "ModelLoadFailed"
    case versionMismatch = "VersionMismatch"

    init(_ code: ErrorCode) {
        switch code {
        case .internalError: self = .internalError
        case .modelNotFound: self = .modelNotFound
        case .invalidInput: self = .invalidInput
        case .overloaded: self = .overloaded
        case .timeout: self = .timeout
        case .modelLoadFailed: self = .modelLoadFailed
        case .versionMismatch: self = .versionMismatch
        }
    }
}

/// What talking to a daemon can fail with.
public enum ClientError: Error, Equatable, CustomStringConvertible {
    /// No daemon listens at the socket (or it went away mid-request).
    case unavailable(String)
    /// The daemon did not answer in time.
    case timeout(String)
    /// The daemon answered with a protocol error.
    case daemon(code: DaemonErrorCode, message: String, retryable: Bool, retryAfterMilliseconds: UInt64?)
    /// The answer was not what the protocol allows (undecodable, wrong version, wrong variant).
    case protocolViolation(String)
    /// The answer was well formed but not an answer to the request: another model, a wrong count or
    /// dimension, a value that is not finite (`DaemonAnswerCheck`).
    case invalidAnswer(DaemonAnswerProblem)
    /// The request itself is invalid (detected before sending).
    case invalidRequest(String)
    /// The in-process engine failed (a model not installed, a load failure, bad input).
    case engine(String)
    /// Text `index` comes to `tokens` tokens (prompt and [CLS]/[SEP] included), over the model's
    /// `limit`, and the call asked to refuse rather than cut it (`TruncationRule.refuse`).
    case textTooLong(index: Int, text: String, tokens: Int, limit: Int, model: String)

    public var description: String {
        switch self {
        case .unavailable(let message): return message
        case .timeout(let message): return message
        case .daemon(let code, let message, _, _): return "\(code.rawValue): \(message)"
        case .protocolViolation(let message): return "unexpected answer from the daemon: \(message)"
        case .invalidAnswer(let problem): return "unusable answer from the daemon: \(problem)"
        case .invalidRequest(let message): return message
        case .engine(let message): return message
        case .textTooLong(let index, let text, let tokens, let limit, let model):
            let shown = text.count > 60 ? text.prefix(59) + "…" : Substring(text)
            return "text \(index) (\"\(shown)\") is \(tokens) tokens long, over \(model)'s limit of \(limit) tokens "
                + "(the prompt and [CLS]/[SEP] count); shorten it, or let it be truncated"
        }
    }

    /// Worth retrying (after `retryAfterMilliseconds` when the daemon said so).
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .timeout: return true
        case .daemon(_, _, let retryable, _): return retryable
        case .protocolViolation, .invalidAnswer, .invalidRequest, .engine, .textTooLong: return false
        }
    }
}

/// The wire-level connection: `package` access, so programs of this package (semctl, the benchmark
/// tools, tests) reach the protocol directly while SemanticClient's public API stays free of wire types.
package final class DaemonConnection: @unchecked Sendable {
    package let socketPath: String
    package let requestTimeout: Duration
    private let connection: UnixSocketConnection
    private let lock = NSLock()
    private var nextRequestNumber: UInt64 = 0
    private var broken = false

    private static let processRequestCounter = Atomic<UInt64>(0)

    /// Connects to the daemon at `socketPath`.
    package init(socketPath: String, connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(30))
        throws(ClientError) {
        self.socketPath = socketPath
        self.requestTimeout = requestTimeout
        do {
            connection = try UnixSocketConnection.connect(to: socketPath, timeout: connectTimeout)
        } catch {
            throw ClientError.unavailable(error.meansNoDaemon
                ? "no daemon is running at \(socketPath)" : "cannot connect to \(socketPath): \(error)")
        }
    }

    /// Wraps a socket that is already connected (the client's launcher connects it).
    package init(connected connection: UnixSocketConnection, requestTimeout: Duration = .seconds(30)) {
        socketPath = connection.path
        self.requestTimeout = requestTimeout
        self.connection = connection
    }

    /// True once a send or receive failed; the connection must not be reused.
    package var isBroken: Bool { lock.withLock { broken } }

    /// Sends `request` and returns the daemon's answer (a protocol `Error` answer is returned, not thrown).
    package func send(_ request: Request, timeout: Duration? = nil) throws(ClientError) -> ResponseEnvelope {
        lock.lock()
        defer { lock.unlock() }
        guard !broken else { throw .unavailable("the connection to \(socketPath) is closed") }
        let number = Self.processRequestCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        let envelope = RequestEnvelope(requestID: "semd-\(number)", request: request)
        let frame: [UInt8]
        do {
            frame = try envelope.encodedFrame()
        } catch {
            throw .invalidRequest("the request does not fit in a frame: \(error)")
        }
        let deadline = ContinuousClock.now + (timeout ?? requestTimeout)
        do {
            try connection.send(frame, deadline: deadline)
            let header = try connection.receive(exactly: Frame.headerLength, deadline: deadline)
            let length: Int
            do {
                length = try Frame.bodyLength(header: header)
            } catch {
                broken = true
                throw ClientError.protocolViolation("\(error)")
            }
            let body = try connection.receive(exactly: length, deadline: deadline)
            let response: ResponseEnvelope
            do {
                response = try ResponseEnvelope.decode(from: body, options: .tolerant)
            } catch {
                broken = true
                throw ClientError.protocolViolation("cannot decode the answer: \(error)")
            }
            guard response.version == SemanticWireInfo.protocolVersion else {
                broken = true
                throw ClientError.protocolViolation("protocol version mismatch: expected \(SemanticWireInfo.protocolVersion), got \(response.version)")
            }
            return response
        } catch let error as RuntimeError {
            broken = true
            connection.close()
            switch error {
            case .timedOut: throw .timeout("the daemon at \(socketPath) did not answer within \(timeout ?? requestTimeout)")
            default: throw .unavailable("the daemon at \(socketPath) went away: \(error)")
            }
        } catch let error as ClientError {
            throw error
        } catch {
            broken = true
            throw .unavailable("\(error)")
        }
    }

    /// Sends raw bytes (tests and diagnostics) and reads one answer frame.
    package func sendRaw(_ bytes: [UInt8], timeout: Duration = .seconds(5)) throws(ClientError) -> ResponseEnvelope {
        lock.lock()
        defer { lock.unlock() }
        let deadline = ContinuousClock.now + timeout
        do {
            try connection.send(bytes, deadline: deadline)
            let header = try connection.receive(exactly: Frame.headerLength, deadline: deadline)
            let body = try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: deadline)
            return try ResponseEnvelope.decode(from: body, options: .tolerant)
        } catch let error as RuntimeError {
            broken = true
            if case .timedOut = error { throw .timeout("\(error)") }
            throw .unavailable("\(error)")
        } catch {
            broken = true
            throw .protocolViolation("\(error)")
        }
    }

    package func close() {
        lock.withLock { broken = true }
        connection.close()
    }
}
