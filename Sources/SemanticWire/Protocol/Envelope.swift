// Envelope: the frame body of every message, Rust's `FramedMessage<T> { version: u32,
// request_id: String, payload: T }`, encoded `93 01 <request id> <payload>`. It must never check the
// version (that is the daemon's policy) or invent request ids (the client's).

/// `FramedMessage<T>`: the protocol version, the client's request id, and the request or response.
public struct Envelope<Payload: MessagePackCodable & Sendable & Equatable>: Sendable, Equatable, MessagePackCodable {
    /// 1 for everything this package sends; decoded as any u32 so the daemon can decide.
    public var version: UInt32
    /// Free-form UTF-8 chosen by the client and echoed in the response.
    public var requestID: String
    public var payload: Payload

    public init(version: UInt32 = SemanticWireInfo.protocolVersion, requestID: String, payload: Payload) {
        self.version = version
        self.requestID = requestID
        self.payload = payload
    }

    public init(from reader: inout MessagePackReader) throws {
        var version: UInt32 = 0, requestID = "", payload: Payload? = nil
        try readStruct(&reader, envelopeFields) { reader, field in
            switch field {
            case 0: version = try reader.readUInt32()
            case 1: requestID = try reader.readString()
            default: payload = try Payload(from: &reader)
            }
        }
        guard let payload else { throw WireError.missingField(field: "payload") }  // unreachable: required
        self.init(version: version, requestID: requestID, payload: payload)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: envelopeFields.count)
        writer.writeUnsigned(UInt64(version))
        try writer.writeString(requestID)
        try payload.encode(to: &writer)
    }

    /// Decodes a frame body (without its length prefix). Trailing bytes are an error unless
    /// `options` allow them; an empty body is `WireError.truncated`.
    public static func decode(from body: ArraySlice<UInt8>, options: WireDecodingOptions = .strict) throws -> Self {
        try Self(messagePack: body, options: options)
    }

    public static func decode(from body: [UInt8], options: WireDecodingOptions = .strict) throws -> Self {
        try Self(messagePack: body[...], options: options)
    }

    /// The frame body: the envelope as MessagePack, without the length prefix.
    public func encodedBody() throws -> [UInt8] {
        try messagePackBytes()
    }

    /// The whole frame: 4-byte big-endian length, then the body, written in one buffer.
    /// Throws `WireError.frameTooLarge` when the body exceeds `limit` (10 MiB by default).
    public func encodedFrame(limit: Int = Frame.maximumBodyLength) throws -> [UInt8] {
        try Frame.encode(limit: limit, reservingCapacity: Self.estimatedSize(of: payload)) { writer in
            try encode(to: &writer)
        }
    }

    private static func estimatedSize(of payload: Payload) -> Int {
        (payload as? Response)?.estimatedEncodedSize ?? 128
    }
}

/// `FramedMessage`'s fields, in order (generic types cannot hold stored statics).
private let envelopeFields = WireStruct("FramedMessage", fields: ["version", "request_id", "payload"])

/// A request as sent by a client: `[version, request_id, Request]`.
public typealias RequestEnvelope = Envelope<Request>
/// A response as sent by the daemon: `[version, request_id, Response]`.
public typealias ResponseEnvelope = Envelope<Response>

extension Envelope where Payload == Request {
    public init(version: UInt32 = SemanticWireInfo.protocolVersion, requestID: String, request: Request) {
        self.init(version: version, requestID: requestID, payload: request)
    }

    public var request: Request { payload }
}

extension Envelope where Payload == Response {
    public init(version: UInt32 = SemanticWireInfo.protocolVersion, requestID: String, response: Response) {
        self.init(version: version, requestID: requestID, payload: response)
    }

    public var response: Response { payload }

    /// The request id a daemon answers with when a request frame could not be decoded (cass v1 §3.3).
    public static let undecodableRequestID = "error"

    /// The reply to a request frame that could not be decoded: request id `"error"`, `InvalidInput`,
    /// not retryable, no retry delay. The connection stays usable.
    public static func replyingToUndecodableRequest(message: String) -> ResponseEnvelope {
        ResponseEnvelope(
            requestID: undecodableRequestID,
            response: .error(ErrorResponse(code: .invalidInput, message: message, retryable: false)))
    }
}
