// Frame: the 4-byte big-endian length prefix around every message body, and the 10 MiB limit that
// is checked against the prefix before a single body byte is buffered. No sockets: callers read
// and write; this file only says how many bytes a frame is and builds the prefix.

/// Framing constants and functions: `[length: UInt32 big-endian][body: length bytes]`.
public enum Frame {
    /// Bytes in the length prefix.
    public static let headerLength = 4
    /// The largest body a frame may carry, inclusive: 10 MiB, as in cass v1.
    public static let maximumBodyLength = 10 * 1024 * 1024

    /// What a buffer holding the start of a frame amounts to so far.
    public enum Status: Equatable, Sendable {
        /// At least this many more bytes are needed before the frame is whole.
        case needsMoreBytes(Int)
        /// The header and a body of `bodyLength` bytes are all present.
        case complete(bodyLength: Int)
    }

    /// Inspects the bytes buffered at the start of a frame: "need more", or "a frame of N bytes".
    /// Throws `WireError.frameTooLarge` as soon as the 4 length bytes say so, before the body arrives.
    public static func inspect<Bytes: Collection<UInt8>>(_ buffered: Bytes, limit: Int = maximumBodyLength) throws -> Status {
        guard buffered.count >= headerLength else { return .needsMoreBytes(headerLength - buffered.count) }
        let bodyLength = try bodyLength(header: buffered.prefix(headerLength), limit: limit)
        let available = buffered.count - headerLength
        return available >= bodyLength ? .complete(bodyLength: bodyLength) : .needsMoreBytes(bodyLength - available)
    }

    /// The body length announced by a 4-byte header (for a blocking reader: read 4, check, read N).
    public static func bodyLength<Bytes: Collection<UInt8>>(header: Bytes, limit: Int = maximumBodyLength) throws -> Int {
        guard header.count >= headerLength else {
            throw WireError.truncated(needed: headerLength - header.count, at: header.count)
        }
        return try bodyLength(announced: UInt32(announcedLength(header)), limit: limit)
    }

    /// The big-endian length in the first 4 of `header`'s bytes, which the caller made sure exist.
    static func announcedLength<Bytes: Collection<UInt8>>(_ header: Bytes) -> Int {
        Int(header.prefix(headerLength).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    /// Checks an already-read length prefix against `limit` (for readers that parse the UInt32 themselves).
    public static func bodyLength(announced length: UInt32, limit: Int = maximumBodyLength) throws -> Int {
        let length = Int(length)
        guard length <= limit else { throw WireError.frameTooLarge(length: length, limit: limit) }
        return length
    }

    /// The 4-byte big-endian prefix for a body of `bodyLength` bytes.
    public static func header(bodyLength: Int, limit: Int = maximumBodyLength) throws -> [UInt8] {
        guard bodyLength <= limit, let length = UInt32(exactly: bodyLength) else {
            throw WireError.frameTooLarge(length: bodyLength, limit: limit)
        }
        return withUnsafeBytes(of: length.bigEndian) { Array($0) }
    }

    /// Prefix + body. Throws `WireError.frameTooLarge` when the body exceeds `limit`.
    public static func encode(body: [UInt8], limit: Int = maximumBodyLength) throws -> [UInt8] {
        var frame = try header(bodyLength: body.count, limit: limit)
        frame.append(contentsOf: body)
        return frame
    }

    /// Builds a frame in one buffer: `writeBody` writes the body after a placeholder prefix, which is
    /// then filled in. Throws `WireError.frameTooLarge` when the body exceeds `limit`.
    public static func encode(
        limit: Int = maximumBodyLength, reservingCapacity capacity: Int = 256,
        _ writeBody: (inout MessagePackWriter) throws -> Void
    ) throws -> [UInt8] {
        var storage: [UInt8] = []
        storage.reserveCapacity(headerLength + capacity)
        storage.append(contentsOf: [0, 0, 0, 0])
        var writer = MessagePackWriter(continuing: storage)
        storage = []
        try writeBody(&writer)
        let bodyLength = writer.bytes.count - headerLength
        guard bodyLength <= limit, let length = UInt32(exactly: bodyLength) else {
            throw WireError.frameTooLarge(length: bodyLength, limit: limit)
        }
        writer.overwriteBigEndian(length, at: 0)
        return writer.bytes
    }
}
