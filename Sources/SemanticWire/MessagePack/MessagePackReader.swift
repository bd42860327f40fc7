// MessagePackReader: a bounds-checked cursor over MessagePack bytes, for hostile input.
// Every length and count is checked against the bytes that remain before anything is reserved, and
// arrays/maps may nest at most `maximumDepth` deep. It must never trust a declared size, never trap on
// any input, and never know about protocol messages (those live in Protocol/).

/// What a marker announces. Strings, byte strings and containers carry their validated length:
/// the bytes (or, for containers, at least one byte per element) are known to be present.
public enum MessagePackHeader: Equatable, Sendable {
    case `nil`
    case bool(Bool)
    case unsigned(UInt64)
    case signed(Int64)
    case float32(Float)
    case float64(Double)
    case string(length: Int)
    case binary(length: Int)
    case array(count: Int)
    case map(count: Int)

    /// A short name for error messages ("string", "array of 3", "integer -1").
    public var summary: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "bool"
        case .unsigned(let value): return "integer \(value)"
        case .signed(let value): return "integer \(value)"
        case .float32: return "float32"
        case .float64: return "float64"
        case .string: return "string"
        case .binary: return "bin"
        case .array(let count): return "array of \(count)"
        case .map(let count): return "map of \(count)"
        }
    }
}

/// Reads MessagePack from a byte array, one value or header at a time.
public struct MessagePackReader: Sendable {
    public static let defaultMaximumDepth = 64

    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// How many arrays/maps are open around the current position.
    public private(set) var depth = 0
    public let maximumDepth: Int
    /// The most elements (entries, for a map) an array or map read as a whole value may announce.
    public let maximumArrayLength: Int
    /// What struct decoders do with a map key the struct does not have (skipped by default).
    public var unknownFields: WireDecodingOptions.UnknownFieldPolicy = .skip

    public init(_ bytes: ArraySlice<UInt8>, maximumDepth: Int = MessagePackReader.defaultMaximumDepth,
                maximumArrayLength: Int = MessagePackReader.defaultMaximumArrayLength) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.maximumDepth = maximumDepth
        self.maximumArrayLength = maximumArrayLength
    }

    public init(_ bytes: [UInt8], maximumDepth: Int = MessagePackReader.defaultMaximumDepth,
                maximumArrayLength: Int = MessagePackReader.defaultMaximumArrayLength) {
        self.init(bytes[...], maximumDepth: maximumDepth, maximumArrayLength: maximumArrayLength)
    }

    /// 1,048,576 elements: a decoded String is 16 bytes, so one array of empty strings (one byte each
    /// on the wire) costs at most 16 MiB, where the 10 MiB frame limit alone would allow 160 MiB.
    public static let defaultMaximumArrayLength = 1 << 20

    /// `count`, checked against `maximumArrayLength` before anything is reserved for it.
    private func checkArrayLength(_ count: Int) throws -> Int {
        guard count <= maximumArrayLength else {
            throw WireError.tooManyElements(field: "", count: count, limit: maximumArrayLength)
        }
        return count
    }

    /// Bytes consumed so far, counted from the start of the input.
    public var offset: Int { position - bytes.startIndex }
    public var remainingByteCount: Int { bytes.endIndex - position }
    public var isAtEnd: Bool { position == bytes.endIndex }

    /// Ends decoding: any unread bytes are `WireError.trailingBytes` unless `options` allow them.
    public func finish(_ options: WireDecodingOptions) throws {
        if !isAtEnd && options.trailingBytes == .reject {
            throw WireError.trailingBytes(count: remainingByteCount)
        }
    }

    // MARK: Raw bytes

    @inline(__always)
    private mutating func readByte() throws -> UInt8 {
        guard position < bytes.endIndex else { throw WireError.truncated(needed: 1, at: offset) }
        let byte = bytes[position]
        position += 1
        return byte
    }

    @inline(__always)
    private mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard remainingByteCount >= size else {
            throw WireError.truncated(needed: size - remainingByteCount, at: offset)
        }
        var value: T = 0
        for index in position ..< position + size {
            value = value << 8 | T(bytes[index])
        }
        position += size
        return value
    }

    /// Takes `count` bytes, which must be present.
    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= remainingByteCount else {
            throw WireError.truncated(needed: count - remainingByteCount, at: offset)
        }
        let slice = bytes[position ..< position + count]
        position += count
        return slice
    }

    /// A container count must be backed by at least `minimumBytesPerElement` bytes per element.
    private func checkCount(_ count: Int, minimumBytesPerElement: Int) throws -> Int {
        let needed = count * minimumBytesPerElement  // count <= UInt32.max, so this cannot overflow
        guard needed <= remainingByteCount else {
            throw WireError.truncated(needed: needed - remainingByteCount, at: offset)
        }
        return count
    }

    /// Reads a big-endian length of type `T`, then checks it like `checkCount`.
    private mutating func readLength<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, minimumBytesPerElement: Int
    ) throws -> Int {
        let count = Int(try readBigEndian(type))
        return try checkCount(count, minimumBytesPerElement: minimumBytesPerElement)
    }

    // MARK: Headers

    /// Reads one marker and its fixed-size data. Scalars are complete; for strings and byte strings
    /// the caller then reads the body; for containers the caller reads the elements.
    public mutating func readHeader() throws -> MessagePackHeader {
        let markerOffset = offset
        let marker = try readByte()
        switch marker {
        case 0x00...0x7f: return .unsigned(UInt64(marker))
        case 0x80...0x8f: return .map(count: try checkCount(Int(marker & 0x0f), minimumBytesPerElement: 2))
        case 0x90...0x9f: return .array(count: try checkCount(Int(marker & 0x0f), minimumBytesPerElement: 1))
        case 0xa0...0xbf: return .string(length: try checkCount(Int(marker & 0x1f), minimumBytesPerElement: 1))
        case 0xc0: return .nil
        case 0xc1: throw WireError.reservedMarker(at: markerOffset)
        case 0xc2: return .bool(false)
        case 0xc3: return .bool(true)
        case 0xc4: return .binary(length: try readLength(UInt8.self, minimumBytesPerElement: 1))
        case 0xc5: return .binary(length: try readLength(UInt16.self, minimumBytesPerElement: 1))
        case 0xc6: return .binary(length: try readLength(UInt32.self, minimumBytesPerElement: 1))
        case 0xc7, 0xc8, 0xc9:
            // ext 8/16/32: the length, then the type byte; read far enough to name the type.
            let lengthSize = marker == 0xc7 ? 1 : marker == 0xc8 ? 2 : 4
            _ = try take(lengthSize)
            throw WireError.extUnsupported(type: Int8(bitPattern: try readByte()), at: markerOffset)
        case 0xca: return .float32(Float(bitPattern: try readBigEndian(UInt32.self)))
        case 0xcb: return .float64(Double(bitPattern: try readBigEndian(UInt64.self)))
        case 0xcc: return .unsigned(UInt64(try readBigEndian(UInt8.self)))
        case 0xcd: return .unsigned(UInt64(try readBigEndian(UInt16.self)))
        case 0xce: return .unsigned(UInt64(try readBigEndian(UInt32.self)))
        case 0xcf: return .unsigned(try readBigEndian(UInt64.self))
        case 0xd0: return .signed(Int64(Int8(bitPattern: try readBigEndian(UInt8.self))))
        case 0xd1: return .signed(Int64(Int16(bitPattern: try readBigEndian(UInt16.self))))
        case 0xd2: return .signed(Int64(Int32(bitPattern: try readBigEndian(UInt32.self))))
        case 0xd3: return .signed(Int64(bitPattern: try readBigEndian(UInt64.self)))
        case 0xd4...0xd8:
            // fixext 1/2/4/8/16: the type byte comes first.
            throw WireError.extUnsupported(type: Int8(bitPattern: try readByte()), at: markerOffset)
        case 0xd9: return .string(length: try readLength(UInt8.self, minimumBytesPerElement: 1))
        case 0xda: return .string(length: try readLength(UInt16.self, minimumBytesPerElement: 1))
        case 0xdb: return .string(length: try readLength(UInt32.self, minimumBytesPerElement: 1))
        case 0xdc: return .array(count: try readLength(UInt16.self, minimumBytesPerElement: 1))
        case 0xdd: return .array(count: try readLength(UInt32.self, minimumBytesPerElement: 1))
        case 0xde: return .map(count: try readLength(UInt16.self, minimumBytesPerElement: 2))
        case 0xdf: return .map(count: try readLength(UInt32.self, minimumBytesPerElement: 2))
        default: return .signed(Int64(Int8(bitPattern: marker)))  // 0xe0...0xff negative fixint
        }
    }

    /// The next header, without consuming it.
    public func peekHeader() throws -> MessagePackHeader {
        var copy = self
        return try copy.readHeader()
    }

    /// True (and consumed) when the next value is nil; false (and nothing consumed) otherwise.
    public mutating func readNilIfPresent() -> Bool {
        guard position < bytes.endIndex, bytes[position] == 0xc0 else { return false }
        position += 1
        return true
    }

    // MARK: Depth

    /// Call when starting to read an array's or map's elements; pair with `leaveContainer()`.
    public mutating func enterContainer() throws {
        guard depth < maximumDepth else { throw WireError.depthExceeded(limit: maximumDepth, at: offset) }
        depth += 1
    }

    public mutating func leaveContainer() {
        depth -= 1
    }

    // MARK: Typed reads (tolerant where Rust peers are)

    public mutating func readNil() throws {
        let header = try readHeader()
        guard header == .nil else { throw Self.mismatch("nil", header) }
    }

    public mutating func readBool() throws -> Bool {
        let header = try readHeader()
        guard case .bool(let value) = header else { throw Self.mismatch("bool", header) }
        return value
    }

    /// Any integer marker whose value is non-negative.
    public mutating func readUnsigned() throws -> UInt64 {
        switch try readHeader() {
        case .unsigned(let value): return value
        case .signed(let value):
            guard value >= 0 else {
                throw WireError.integerOutOfRange(field: "", expected: "an unsigned integer", value: String(value))
            }
            return UInt64(value)
        case let header: throw Self.mismatch("a non-negative integer", header)
        }
    }

    public mutating func readUInt32() throws -> UInt32 {
        let value = try readUnsigned()
        guard let narrow = UInt32(exactly: value) else {
            throw WireError.integerOutOfRange(field: "", expected: "u32", value: String(value))
        }
        return narrow
    }

    /// A non-negative integer that fits `Int` (Rust's usize).
    public mutating func readCount() throws -> Int {
        let value = try readUnsigned()
        guard let narrow = Int(exactly: value) else {
            throw WireError.integerOutOfRange(field: "", expected: "usize", value: String(value))
        }
        return narrow
    }

    public mutating func readSigned() throws -> Int64 {
        switch try readHeader() {
        case .signed(let value): return value
        case .unsigned(let value):
            guard let narrow = Int64(exactly: value) else {
                throw WireError.integerOutOfRange(field: "", expected: "i64", value: String(value))
            }
            return narrow
        case let header: throw Self.mismatch("an integer", header)
        }
    }

    /// float32 as is; float64 narrowed (round to nearest, as Rust's `as f32`); integers converted.
    @inline(__always)
    public mutating func readFloat32() throws -> Float {
        if remainingByteCount >= 5 && bytes[position] == 0xca {
            position += 1
            return Float(bitPattern: try readBigEndian(UInt32.self))
        }
        switch try readHeader() {
        case .float32(let value): return value
        case .float64(let value): return Float(value)
        case .unsigned(let value): return Float(value)
        case .signed(let value): return Float(value)
        case let header: throw Self.mismatch("a float", header)
        }
    }

    /// float64 as is; float32 widened; integers converted.
    public mutating func readFloat64() throws -> Double {
        switch try readHeader() {
        case .float64(let value): return value
        case .float32(let value): return Double(value)
        case .unsigned(let value): return Double(value)
        case .signed(let value): return Double(value)
        case let header: throw Self.mismatch("a float", header)
        }
    }

    /// A str, or a bin holding valid UTF-8 (Rust peers accept both).
    public mutating func readString() throws -> String {
        let header = try readHeader()
        switch header {
        case .string(let length), .binary(let length):
            return try readUTF8(length: length)
        default:
            throw Self.mismatch("a string", header)
        }
    }

    /// The body of a str or bin whose header was already read.
    public mutating func readUTF8(length: Int) throws -> String {
        let utf8 = try take(length)
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw WireError.invalidUTF8(field: "")
        }
        return string
    }

    /// A bin, or a str taken as its bytes.
    public mutating func readBinary() throws -> [UInt8] {
        let header = try readHeader()
        switch header {
        case .binary(let length), .string(let length): return Array(try take(length))
        default: throw Self.mismatch("bin", header)
        }
    }

    /// An array header; the count is known to be backed by at least that many bytes.
    public mutating func readArrayHeader() throws -> Int {
        let header = try readHeader()
        guard case .array(let count) = header else { throw Self.mismatch("an array", header) }
        return count
    }

    /// A map header; the count is known to be backed by at least two bytes per entry.
    public mutating func readMapHeader() throws -> Int {
        let header = try readHeader()
        guard case .map(let count) = header else { throw Self.mismatch("a map", header) }
        return count
    }

    /// An array of floats (each float32, float64 or integer), with element indices in errors.
    public mutating func readFloat32Array() throws -> [Float] {
        let count = try checkArrayLength(try readArrayHeader())
        try enterContainer()
        defer { leaveContainer() }
        var values: [Float] = []
        values.reserveCapacity(count)
        // Fast path: the leading run of float32 values (all of them, from a Rust or Swift encoder),
        // read straight from the bytes.
        let run = min(count, remainingByteCount / 5)
        if run > 0 {
            bytes[position ..< position + run * 5].withUnsafeBytes { raw in
                var offset = 0
                while values.count < run && raw[offset] == 0xca {
                    let bits = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 1, as: UInt32.self))
                    values.append(Float(bitPattern: bits))
                    offset += 5
                }
            }
            position += values.count * 5
        }
        for index in values.count ..< count {
            do {
                values.append(try readFloat32())
            } catch let error as WireError {
                throw error.inside("[\(index)]")
            }
        }
        return values
    }

    /// An array of strings, with element indices in errors.
    public mutating func readStringArray() throws -> [String] {
        try readArray { reader in try reader.readString() }
    }

    /// An array whose elements `readElement` reads, with element indices in errors.
    public mutating func readArray<Element>(_ readElement: (inout MessagePackReader) throws -> Element) throws -> [Element] {
        let count = try checkArrayLength(try readArrayHeader())
        try enterContainer()
        defer { leaveContainer() }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for index in 0..<count {
            do {
                elements.append(try readElement(&self))
            } catch let error as WireError {
                throw error.inside("[\(index)]")
            }
        }
        return elements
    }

    // MARK: Whole values

    /// Skips one value of any type, nested containers included (depth-limited).
    public mutating func skipValue() throws {
        switch try readHeader() {
        case .nil, .bool, .unsigned, .signed, .float32, .float64:
            return
        case .string(let length), .binary(let length):
            _ = try take(length)
        case .array(let count):
            try enterContainer()
            defer { leaveContainer() }
            for _ in 0..<count { try skipValue() }
        case .map(let count):
            try enterContainer()
            defer { leaveContainer() }
            for _ in 0 ..< count * 2 { try skipValue() }
        }
    }

    /// Reads one value of any type as a tree (depth-limited).
    public mutating func readValue() throws -> MessagePackValue {
        switch try readHeader() {
        case .nil: return .nil
        case .bool(let value): return .bool(value)
        case .unsigned(let value): return .uint(value)
        case .signed(let value): return .int(value)
        case .float32(let value): return .float32(value)
        case .float64(let value): return .float64(value)
        case .string(let length): return .string(try readUTF8(length: length))
        case .binary(let length): return .binary(Array(try take(length)))
        case .array(let count):
            _ = try checkArrayLength(count)
            try enterContainer()
            defer { leaveContainer() }
            var elements: [MessagePackValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readValue()) }
            return .array(elements)
        case .map(let count):
            _ = try checkArrayLength(count)
            try enterContainer()
            defer { leaveContainer() }
            var entries: [(key: MessagePackValue, value: MessagePackValue)] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let key = try readValue()
                entries.append((key: key, value: try readValue()))
            }
            return .map(entries)
        }
    }

    static func mismatch(_ expected: String, _ found: MessagePackHeader) -> WireError {
        .unexpectedType(field: "", expected: expected, found: found.summary)
    }
}
