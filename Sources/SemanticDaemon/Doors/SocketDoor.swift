// What a protocol spoken on the daemon's Unix sockets provides to the server: the reply frame to a
// frame body, and what it answers when the server itself refuses (too many connections, a frame over
// the limit, a request out of time). The server picks a door per connection from the first frame's
// envelope (the socket's own dialect answers before any frame arrived). A door only decodes, calls
// the `InferenceService`, and encodes: adding a protocol is adding one door. No I/O, no policy.
import SemanticService
import SemanticWire

/// What the server knows about the connection a frame came on, which the door passes to the service.
struct ConnectionContext: Sendable {
    /// No other connection is active: a small request may run on the connection's own thread.
    var mayRunInline: Bool
    /// When the server answers Timeout instead (nil: no limit, for a door called without a server).
    var deadline: ContinuousClock.Instant?

    /// A frame handed to a door directly (tests, tools): nothing else known about its connection.
    static let direct = ConnectionContext(mayRunInline: false, deadline: nil)
}

/// A door's answer to one frame.
struct DoorReply: Sendable {
    var frame: [UInt8]
    /// Close the connection once the frame is written (after a Shutdown answer).
    var close: Bool
    /// One line for the debug log.
    var summary: String
}

protocol SocketDoor: Sendable {
    var dialect: WireDialect { get }
    /// How the service's ledger names the requests that came through this door.
    var ledgerDoor: Door { get }
    /// The reply to a frame body.
    func reply(to body: [UInt8], connection: ConnectionContext) async -> DoorReply
    /// The reply when the request did not finish within `limit`.
    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8]
    /// The reply to a length prefix over the limit (the connection is closed after it).
    func oversizedFrameReply(length: Int) -> [UInt8]
    /// The reply to a connection refused because `maxConnections` are open.
    func overloadedReply(maxConnections: Int) -> [UInt8]
}

extension RequestContext {
    /// An interactive client request arriving through `door` on a connection.
    init(door: Door, connection: ConnectionContext) {
        self.init(door: door, priority: .interactive, deadline: connection.deadline, mayRunInline: connection.mayRunInline)
    }
}

/// Milliseconds since `start`, as the protocols' `elapsed_ms` carry them.
func milliseconds(since start: ContinuousClock.Instant) -> UInt64 {
    let elapsed = ContinuousClock.now - start
    return UInt64(max(0, elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
}

/// A cass answer envelope, v1's or v2's: what every cass door encodes the same way.
protocol CassAnswerEnvelope {
    var requestID: String { get }
    /// The whole frame, length prefix included.
    func frameBytes() throws -> [UInt8]
    /// The envelope carrying `error` for `requestID`.
    static func answering(_ requestID: String, with error: ErrorResponse) -> Self
}

extension Envelope: CassAnswerEnvelope where Payload == Response {
    func frameBytes() throws -> [UInt8] { try encodedFrame() }

    static func answering(_ requestID: String, with error: ErrorResponse) -> Self {
        Self(requestID: requestID, response: .error(error))
    }
}

extension CassV2Envelope: CassAnswerEnvelope where Payload == CassV2Response {
    func frameBytes() throws -> [UInt8] { try encodedFrame() }

    static func answering(_ requestID: String, with error: ErrorResponse) -> Self {
        Self(requestID: requestID, payload: .error(error))
    }
}

extension CassAnswerEnvelope {
    /// The frame, or an Internal error frame when the answer cannot be encoded (too large).
    var frameOrInternalError: [UInt8] {
        do {
            return try frameBytes()
        } catch {
            let fallback = Self.answering(requestID, with: ErrorResponse(
                code: .internalError, message: "the answer could not be encoded: \(error)", retryable: false))
            return (try? fallback.frameBytes()) ?? []
        }
    }

    /// The refusal of a connection over the limit (request id `overloaded`).
    static func connectionLimitReply(maxConnections: Int) -> [UInt8] {
        answering("overloaded", with: ErrorResponse(
            code: .overloaded, message: "the daemon is serving its maximum of \(maxConnections) connections",
            retryable: true, retryAfterMilliseconds: 100)).frameOrInternalError
    }
}
