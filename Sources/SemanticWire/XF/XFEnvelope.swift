// XFEnvelope: the frame body of the xf daemon dialect, Rust's `Envelope { version: u8, id: u64,
// payload: Vec<u8> }`. The payload is a separately encoded xf Request or Response, and serde writes a
// `Vec<u8>` as an ARRAY of small integers (not a MessagePack bin): `93 01 <id> <array of byte values>`.
// Pure values and bytes: it never checks the version (the daemon's policy) or chooses ids (the client's).

/// `Envelope { version: u8, id: u64, payload: Vec<u8> }` of the xf dialect.
public struct XFEnvelope: Sendable, Equatable, MessagePackCodable {
    /// xf's `PROTOCOL_VERSION`.
    public static let protocolVersion: UInt8 = 1

    public var version: UInt8
    /// The client's request id (a per-client counter starting at 1), echoed in the answer.
    public var id: UInt64
    /// The nested message's MessagePack bytes.
    public var payload: [UInt8]

    public init(version: UInt8 = XFEnvelope.protocolVersion, id: UInt64, payload: [UInt8]) {
        self.version = version
        self.id = id
        self.payload = payload
    }

    /// An envelope around an encoded request.
    public init(version: UInt8 = XFEnvelope.protocolVersion, id: UInt64, request: XFRequest) throws {
        self.init(version: version, id: id, payload: try request.messagePackBytes())
    }

    /// An envelope around an encoded response.
    public init(version: UInt8 = XFEnvelope.protocolVersion, id: UInt64, response: XFResponse) throws {
        self.init(version: version, id: id, payload: try response.messagePackBytes())
    }

    static let fields = WireStruct("Envelope", fields: ["version", "id", "payload"])

    public init(from reader: inout MessagePackReader) throws {
        var version: UInt8 = 0, id: UInt64 = 0, payload: [UInt8] = []
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0:
                let value = try reader.readUnsigned()
                guard let narrow = UInt8(exactly: value) else {
                    throw WireError.integerOutOfRange(field: "", expected: "u8", value: String(value))
                }
                version = narrow
            case 1: id = try reader.readUnsigned()
            default: payload = try Self.readByteValues(&reader)
            }
        }
        self.init(version: version, id: id, payload: payload)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(version))
        writer.writeUnsigned(id)
        try writer.writeArrayHeader(count: payload.count)
        writer.reserveCapacity(additional: payload.count * 2)
        for byte in payload { writer.writeUnsigned(UInt64(byte)) }
    }

    /// `Vec<u8>` as serde writes it (an array of integers 0…255); a bin is accepted too.
    static func readByteValues(_ reader: inout MessagePackReader) throws -> [UInt8] {
        let header = try reader.peekHeader()
        if case .binary = header { return try reader.readBinary() }
        let count = try reader.readArrayHeader()
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for index in 0..<count {
            let value = try within("[\(index)]") { try reader.readUnsigned() }
            guard let byte = UInt8(exactly: value) else {
                throw WireError.integerOutOfRange(field: "[\(index)]", expected: "u8", value: String(value))
            }
            bytes.append(byte)
        }
        return bytes
    }

    /// The nested request. Trailing bytes after it are an error unless `options` allow them.
    public func request(options: WireDecodingOptions = .strict) throws -> XFRequest {
        try within("payload") { try XFRequest(messagePack: payload, options: options) }
    }

    /// The nested response.
    public func response(options: WireDecodingOptions = .strict) throws -> XFResponse {
        try within("payload") { try XFResponse(messagePack: payload, options: options) }
    }

    /// Decodes a frame body (without its length prefix).
    public static func decode(from body: [UInt8], options: WireDecodingOptions = .strict) throws -> XFEnvelope {
        try XFEnvelope(messagePack: body, options: options)
    }

    /// The frame body: the envelope as MessagePack, without the length prefix.
    public func encodedBody() throws -> [UInt8] {
        try messagePackBytes()
    }

    /// The whole frame: 4-byte big-endian length, then the body. Throws `WireError.frameTooLarge`
    /// when the body exceeds `limit` (10 MiB, which xf's client enforces too).
    public func encodedFrame(limit: Int = Frame.maximumBodyLength) throws -> [UInt8] {
        try Frame.encode(limit: limit, reservingCapacity: 16 + payload.count * 2) { writer in
            try encode(to: &writer)
        }
    }
}
