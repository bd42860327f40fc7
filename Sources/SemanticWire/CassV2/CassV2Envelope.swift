// CassV2Envelope: the frame body of every cass protocol v2 message, Rust's `FramedMessage<T> {
// version: u32, request_id: String, payload: T }`, encoded `93 02 <request id> <payload>`, and the
// strict decoder of spec §2.1 with its three fixed error texts. It must never check the version
// (CassV2RequestTriage does, for the daemon) and never put a peer's bytes into an error text.

/// cass protocol v2's constants.
public enum CassV2 {
    /// `PROTOCOL_VERSION`: 2.
    public static let protocolVersion: UInt32 = 2
    /// `MAX_FRAME_BYTES`: the largest frame body, inclusive (10 MiB, the length prefix not counted).
    public static let maximumFrameBodyLength = Frame.maximumBodyLength
    /// How v2 decodes: unknown fields and trailing bytes rejected, nesting at most 64 deep.
    public static let decodingOptions = WireDecodingOptions(trailingBytes: .reject, unknownFields: .reject)

    /// The body length a frame's 4-byte prefix announces, when it is 1...10 MiB.
    /// A v2 server closes the connection without a reply on `emptyOrOversizedFrame`.
    public static func frameBodyLength(header: some Collection<UInt8>) throws(CassV2DecodingError) -> Int {
        guard header.count >= Frame.headerLength else {
            throw CassV2DecodingError(.invalidStructure, .truncated(needed: Frame.headerLength - header.count, at: header.count))
        }
        let length = Frame.announcedLength(header)
        try checkFrameBodyLength(length)
        return length
    }

    /// A frame body of 0 bytes or more than 10 MiB is `emptyOrOversizedFrame`.
    static func checkFrameBodyLength(_ length: Int) throws(CassV2DecodingError) {
        if length == 0 { throw CassV2DecodingError(.emptyOrOversizedFrame, .truncated(needed: 1, at: 0)) }
        if length > maximumFrameBodyLength {
            throw CassV2DecodingError(.emptyOrOversizedFrame, .frameTooLarge(length: length, limit: maximumFrameBodyLength))
        }
    }
}

/// Why cass v2 refused a frame. Its text is one of v2's three fixed strings, whatever the bytes were;
/// `detail` says what exactly was wrong, for the daemon's own log only.
public struct CassV2DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The three refusals v2 tells apart, each with its fixed text.
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// Anything else: not MessagePack, a wrong shape, an unknown field or variant, nesting over 64.
        case invalidStructure = "invalid daemon message structure"
        /// Bytes left over inside the frame after the message.
        case trailingData = "trailing data in daemon frame"
        /// A frame body of 0 bytes or more than 10 MiB.
        case emptyOrOversizedFrame = "empty or oversized daemon frame"
    }

    public let reason: Reason
    /// What the decoder found (a field path, an offset); never sent to the peer.
    public let detail: WireError

    public init(_ reason: Reason, _ detail: WireError) {
        self.reason = reason
        self.detail = detail
    }

    /// The reason of a decoder's `WireError`: trailing bytes, or a structural error.
    public init(decoding detail: WireError) {
        switch detail {
        case .trailingBytes: self.init(.trailingData, detail)
        default: self.init(.invalidStructure, detail)
        }
    }

    /// cass's text for this error: `decode error: ` and the reason's fixed string.
    public var description: String { "decode error: " + reason.rawValue }
}

/// `FramedMessage<T>` of cass protocol v2: the version, the client's request id, the request or response.
public struct CassV2Envelope<Payload: MessagePackCodable & Sendable & Equatable>: Sendable, Equatable, MessagePackCodable {
    /// 2 for everything this package sends; decoded as any u32 so the daemon can answer a mismatch.
    public var version: UInt32
    /// Free-form UTF-8 chosen by the client and echoed in the response.
    public var requestID: String
    public var payload: Payload

    public init(version: UInt32 = CassV2.protocolVersion, requestID: String, payload: Payload) {
        self.version = version
        self.requestID = requestID
        self.payload = payload
    }

    public init(from reader: inout MessagePackReader) throws {
        var version: UInt32 = 0, requestID = "", payload: Payload? = nil
        try readStruct(&reader, cassV2EnvelopeFields) { reader, field in
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
        try writer.writeArrayHeader(count: cassV2EnvelopeFields.count)
        writer.writeUnsigned(UInt64(version))
        try writer.writeString(requestID)
        try payload.encode(to: &writer)
    }

    /// Decodes a frame body (without its length prefix) as cass v2 does (spec §2.1): 1...10 MiB,
    /// every byte consumed, no unknown fields in map form, nesting at most 64 deep.
    public static func decode(frameBody body: ArraySlice<UInt8>) throws(CassV2DecodingError) -> Self {
        try CassV2.checkFrameBodyLength(body.count)
        do {
            return try Self(messagePack: body, options: CassV2.decodingOptions)
        } catch let error as WireError {
            throw CassV2DecodingError(decoding: error)
        } catch {
            // Every decoder of this module throws WireError; anything else is still a bad frame.
            throw CassV2DecodingError(.invalidStructure, .unexpectedType(field: "", expected: "a WireError", found: "\(type(of: error))"))
        }
    }

    public static func decode(frameBody body: [UInt8]) throws(CassV2DecodingError) -> Self {
        try decode(frameBody: body[...])
    }

    /// The frame body: the envelope as MessagePack, without the length prefix.
    public func encodedBody() throws -> [UInt8] {
        try messagePackBytes()
    }

    /// The whole frame: 4-byte big-endian length, then the body, written in one buffer.
    /// Throws `WireError.frameTooLarge` when the body exceeds 10 MiB (exactly 10 MiB is allowed).
    public func encodedFrame() throws -> [UInt8] {
        let capacity = (payload as? CassV2Response)?.estimatedEncodedSize ?? 128
        return try Frame.encode(limit: CassV2.maximumFrameBodyLength, reservingCapacity: capacity) { writer in
            try encode(to: &writer)
        }
    }
}

/// `FramedMessage`'s fields, in order (generic types cannot hold stored statics).
private let cassV2EnvelopeFields = WireStruct("FramedMessage", fields: ["version", "request_id", "payload"])

/// A cass v2 request as a client sends it: `[2, request_id, CassV2Request]`.
public typealias CassV2RequestEnvelope = CassV2Envelope<CassV2Request>
/// A cass v2 response as the daemon sends it: `[2, request_id, CassV2Response]`.
public typealias CassV2ResponseEnvelope = CassV2Envelope<CassV2Response>

extension CassV2Envelope where Payload == CassV2Request {
    public init(version: UInt32 = CassV2.protocolVersion, requestID: String, request: CassV2Request) {
        self.init(version: version, requestID: requestID, payload: request)
    }

    public var request: CassV2Request { payload }
}

extension CassV2Envelope where Payload == CassV2Response {
    public init(version: UInt32 = CassV2.protocolVersion, requestID: String, response: CassV2Response) {
        self.init(version: version, requestID: requestID, payload: response)
    }

    public var response: CassV2Response { payload }
}
