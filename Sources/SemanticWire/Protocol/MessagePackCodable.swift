// MessagePackCodable: the two functions every protocol type implements by hand — write itself in
// rmp_serde's compact form, read itself in any form a Rust peer accepts. Not Swift's Codable: the
// struct/enum conventions of generic coders do not match rmp_serde's, and the hot path needs no tree.

/// A protocol value that writes and reads itself as MessagePack.
public protocol MessagePackCodable {
    /// Reads one value; errors name the field path inside this value.
    init(from reader: inout MessagePackReader) throws
    /// Writes the canonical rmp_serde form (structs as arrays, variants by name).
    func encode(to writer: inout MessagePackWriter) throws
}

extension MessagePackCodable {
    /// Decodes exactly one value from `bytes`; trailing bytes and unknown map keys are handled as `options` say.
    public init(messagePack bytes: ArraySlice<UInt8>, options: WireDecodingOptions = .strict) throws {
        var reader = MessagePackReader(bytes, maximumDepth: options.maximumDepth, maximumArrayLength: options.maximumArrayLength)
        reader.unknownFields = options.unknownFields
        self = try Self(from: &reader)
        try reader.finish(options)
    }

    public init(messagePack bytes: [UInt8], options: WireDecodingOptions = .strict) throws {
        try self.init(messagePack: bytes[...], options: options)
    }

    /// The canonical encoding of this value alone.
    public func messagePackBytes() throws -> [UInt8] {
        var writer = MessagePackWriter()
        try encode(to: &writer)
        return writer.bytes
    }
}
