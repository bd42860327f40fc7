// MessagePackWriter: appends MessagePack to a byte array in exactly the forms rmp_serde emits
// (shortest unsigned forms for non-negative integers, float32 for f32, shortest str/bin/array/map).
// It must never emit ext values or non-canonical forms, and never read anything.

/// Appends canonical MessagePack to `bytes`.
///
/// Only lengths can fail: a string, byte string or collection longer than `UInt32.max` throws
/// `WireError.lengthTooLarge`.
public struct MessagePackWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Continues `bytes` (e.g. after a frame's length placeholder).
    init(continuing bytes: [UInt8]) {
        self.bytes = bytes
    }

    public mutating func reserveCapacity(additional count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    // MARK: Scalars

    public mutating func writeNil() {
        bytes.append(0xc0)
    }

    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 0xc3 : 0xc2)
    }

    /// The shortest unsigned form: positive fixint, then uint8, uint16, uint32, uint64.
    public mutating func writeUnsigned(_ value: UInt64) {
        switch value {
        case 0...0x7f:
            bytes.append(UInt8(value))
        case 0x80...0xff:
            bytes.append(0xcc)
            bytes.append(UInt8(value))
        case 0x100...0xffff:
            bytes.append(0xcd)
            appendBigEndian(UInt16(value))
        case 0x1_0000...0xffff_ffff:
            bytes.append(0xce)
            appendBigEndian(UInt32(value))
        default:
            bytes.append(0xcf)
            appendBigEndian(value)
        }
    }

    /// Non-negative values in the shortest unsigned form (as rmp_serde writes i64 and usize);
    /// negative values in the shortest signed form: negative fixint, int8, int16, int32, int64.
    public mutating func writeSigned(_ value: Int64) {
        if value >= 0 {
            writeUnsigned(UInt64(value))
            return
        }
        switch value {
        case -32 ..< 0:
            bytes.append(UInt8(bitPattern: Int8(value)))
        case -128 ..< -32:
            bytes.append(0xd0)
            bytes.append(UInt8(bitPattern: Int8(value)))
        case -32768 ..< -128:
            bytes.append(0xd1)
            appendBigEndian(UInt16(bitPattern: Int16(value)))
        case -2_147_483_648 ..< -32768:
            bytes.append(0xd2)
            appendBigEndian(UInt32(bitPattern: Int32(value)))
        default:
            bytes.append(0xd3)
            appendBigEndian(UInt64(bitPattern: value))
        }
    }

    public mutating func writeInt(_ value: Int) {
        writeSigned(Int64(value))
    }

    /// float32: 0xca and the IEEE-754 bits, big-endian. Never widened.
    public mutating func writeFloat32(_ value: Float) {
        bytes.append(0xca)
        appendBigEndian(value.bitPattern)
    }

    /// float64: 0xcb and the IEEE-754 bits, big-endian.
    public mutating func writeFloat64(_ value: Double) {
        bytes.append(0xcb)
        appendBigEndian(value.bitPattern)
    }

    // MARK: Strings and byte strings

    /// UTF-8 in the shortest str form: fixstr (< 32 bytes), str8, str16, str32.
    public mutating func writeString(_ value: String) throws {
        var value = value
        try value.withUTF8 { utf8 in
            try writeStringHeader(length: utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func writeStringHeader(length: Int) throws {
        switch length {
        case 0..<32:
            bytes.append(0xa0 | UInt8(length))
        case 32...0xff:
            bytes.append(0xd9)
            bytes.append(UInt8(length))
        case 0x100...0xffff:
            bytes.append(0xda)
            appendBigEndian(UInt16(length))
        default:
            bytes.append(0xdb)
            appendBigEndian(try Self.length32(length))
        }
    }

    /// Bytes in the shortest bin form: bin8, bin16, bin32.
    public mutating func writeBinary(_ value: [UInt8]) throws {
        switch value.count {
        case 0...0xff:
            bytes.append(0xc4)
            bytes.append(UInt8(value.count))
        case 0x100...0xffff:
            bytes.append(0xc5)
            appendBigEndian(UInt16(value.count))
        default:
            bytes.append(0xc6)
            appendBigEndian(try Self.length32(value.count))
        }
        bytes.append(contentsOf: value)
    }

    // MARK: Containers

    /// fixarray (< 16), array16, array32. The caller then writes `count` values.
    public mutating func writeArrayHeader(count: Int) throws {
        switch count {
        case 0..<16:
            bytes.append(0x90 | UInt8(count))
        case 16...0xffff:
            bytes.append(0xdc)
            appendBigEndian(UInt16(count))
        default:
            bytes.append(0xdd)
            appendBigEndian(try Self.length32(count))
        }
    }

    /// fixmap (< 16), map16, map32. The caller then writes `count` keys and values, alternating.
    public mutating func writeMapHeader(count: Int) throws {
        switch count {
        case 0..<16:
            bytes.append(0x80 | UInt8(count))
        case 16...0xffff:
            bytes.append(0xde)
            appendBigEndian(UInt16(count))
        default:
            bytes.append(0xdf)
            appendBigEndian(try Self.length32(count))
        }
    }

    /// An array of float32, written in one pass over pre-sized storage (the Embed hot path).
    public mutating func writeFloat32Array(_ values: [Float]) throws {
        try writeArrayHeader(count: values.count)
        let encoded = [UInt8](unsafeUninitializedCapacity: values.count * 5) { storage, initialized in
            let raw = UnsafeMutableRawBufferPointer(storage)
            values.withUnsafeBufferPointer { floats in
                var offset = 0
                for value in floats {
                    raw.storeBytes(of: 0xca, toByteOffset: offset, as: UInt8.self)
                    raw.storeBytes(of: value.bitPattern.bigEndian, toByteOffset: offset + 1, as: UInt32.self)
                    offset += 5
                }
            }
            initialized = values.count * 5
        }
        bytes.append(contentsOf: encoded)
    }

    /// An array of float32 arrays, sized up front so the storage grows once.
    public mutating func writeFloat32Arrays(_ rows: [[Float]]) throws {
        var total = 5
        for row in rows { total += 5 + row.count * 5 }
        reserveCapacity(additional: total)
        try writeArrayHeader(count: rows.count)
        for row in rows { try writeFloat32Array(row) }
    }

    // MARK: Generic values

    /// Writes `value` in canonical form; integers by value, so `.int(5)` is written as 0x05.
    public mutating func write(_ value: MessagePackValue) throws {
        switch value {
        case .nil: writeNil()
        case .bool(let flag): writeBool(flag)
        case .int(let integer): writeSigned(integer)
        case .uint(let integer): writeUnsigned(integer)
        case .float32(let float): writeFloat32(float)
        case .float64(let double): writeFloat64(double)
        case .string(let string): try writeString(string)
        case .binary(let data): try writeBinary(data)
        case .array(let elements):
            try writeArrayHeader(count: elements.count)
            for element in elements { try write(element) }
        case .map(let entries):
            try writeMapHeader(count: entries.count)
            for entry in entries {
                try write(entry.key)
                try write(entry.value)
            }
        }
    }

    // MARK: Bytes

    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Overwrites four bytes at `offset` with `value`, big-endian (a frame's length prefix).
    mutating func overwriteBigEndian(_ value: UInt32, at offset: Int) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self) }
    }

    private static func length32(_ count: Int) throws -> UInt32 {
        guard let length = UInt32(exactly: count) else { throw WireError.lengthTooLarge(count: count) }
        return length
    }
}
