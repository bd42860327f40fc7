// How each dialect turns a frame body into a reply frame, and what it answers when the server itself
// refuses (too many connections, a frame over the limit, a request out of time). The server picks a
// responder per connection from the first frame's envelope; the socket's own dialect answers before
// any frame arrived. Encoding only: no I/O, no policy.
import SemanticWire

/// One dialect's replies, as encoded frames.
protocol DialectResponder: Sendable {
    var dialect: WireDialect { get }
    /// The reply to a frame body, whether to close the connection after it, and a log line.
    func reply(to body: [UInt8]) async -> (frame: [UInt8], close: Bool, summary: String)
    /// The reply when the request did not finish within `limit`.
    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8]
    /// The reply to a length prefix over the limit (the connection is closed after it).
    func oversizedFrameReply(length: Int) -> [UInt8]
    /// The reply to a connection refused because `maxConnections` are open.
    func overloadedReply(maxConnections: Int) -> [UInt8]
}

/// The cass protocol v1.
struct CassResponder: DialectResponder {
    let handler: RequestHandler
    var dialect: WireDialect { .cass }

    func reply(to body: [UInt8]) async -> (frame: [UInt8], close: Bool, summary: String) {
        let (envelope, close) = await handler.respond(toFrameBody: body)
        return (Self.encode(envelope), close, "\(envelope.requestID) \(envelope.response.variantName)")
    }

    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8] {
        let requestID = (try? RequestEnvelope.decode(from: body).requestID) ?? ResponseEnvelope.undecodableRequestID
        return Self.encode(ResponseEnvelope(requestID: requestID, response: .error(ErrorResponse(
            code: .timeout, message: "the request did not finish within \(limit)", retryable: true,
            retryAfterMilliseconds: 1000))))
    }

    func oversizedFrameReply(length: Int) -> [UInt8] {
        Self.encode(ResponseEnvelope.replyingToUndecodableRequest(
            message: "frame of \(length) bytes exceeds the \(Frame.maximumBodyLength)-byte limit; closing the connection"))
    }

    func overloadedReply(maxConnections: Int) -> [UInt8] {
        Self.encode(ResponseEnvelope(requestID: "overloaded", response: .error(ErrorResponse(
            code: .overloaded, message: "the daemon is serving its maximum of \(maxConnections) connections",
            retryable: true, retryAfterMilliseconds: 100))))
    }

    /// The frame, or an Internal error frame when the answer cannot be encoded (too large).
    static func encode(_ envelope: ResponseEnvelope) -> [UInt8] {
        do {
            return try envelope.encodedFrame()
        } catch {
            let fallback = ResponseEnvelope(requestID: envelope.requestID, response: .error(ErrorResponse(
                code: .internalError, message: "the answer could not be encoded: \(error)", retryable: false)))
            return (try? fallback.encodedFrame()) ?? []
        }
    }
}

/// The xf daemon dialect.
struct XFResponder: DialectResponder {
    let handler: XFRequestHandler
    var dialect: WireDialect { .xf }

    func reply(to body: [UInt8]) async -> (frame: [UInt8], close: Bool, summary: String) {
        let (reply, close) = await handler.respond(toFrameBody: body)
        return (reply.encodedFrame(), close, "xf \(reply.id) \(reply.response.variantName)")
    }

    /// xf has no timeout code: OVERLOADED, the envelope's id when it decodes.
    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8] {
        let id = (try? XFEnvelope.decode(from: body).id) ?? 0
        return XFEnvelopeReply(id: id, response: .error(
            code: .overloaded, message: "the request did not finish within \(limit)")).encodedFrame()
    }

    func oversizedFrameReply(length: Int) -> [UInt8] {
        XFEnvelopeReply(id: 0, response: .error(
            code: .invalidRequest,
            message: "frame of \(length) bytes exceeds the \(Frame.maximumBodyLength)-byte limit; closing the connection"))
            .encodedFrame()
    }

    /// As xf's daemon does when it is full: OVERLOADED with envelope id 0.
    func overloadedReply(maxConnections: Int) -> [UInt8] {
        XFEnvelopeReply(id: 0, response: .error(
            code: .overloaded, message: "the daemon is serving its maximum of \(maxConnections) connections"))
            .encodedFrame()
    }
}
