// WireFieldValue: how each Rust field type of the protocols is written and read, chosen by its Swift
// type, so a struct's codec is its declaration plus a list of typed values (RustShapes.swift). Integer
// widths follow Rust: `Int` is a `usize`, `Int64` an `i64`. It must never widen a float32, write a
// `Vec<f32>` other than as an array of float32, or know what a field means.

/// A value of a Rust field type: written in rmp_serde's compact form, read in any form a Rust peer accepts.
protocol WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws
    static func readField(from reader: inout MessagePackReader) throws -> Self
    /// The value of a field a map left out, for an `Option` (None); nil when the field is required.
    static var valueWhenAbsent: Self? { get }
    /// A `Vec<Self>`; float32 overrides it with the runs the hot path needs.
    static func writeArray(_ values: [Self], to writer: inout MessagePackWriter) throws
    static func readArray(from reader: inout MessagePackReader) throws -> [Self]
    /// A `Vec<Vec<Self>>`.
    static func writeArrays(_ rows: [[Self]], to writer: inout MessagePackWriter) throws
}

extension WireFieldValue {
    static var valueWhenAbsent: Self? { nil }

    static func writeArray(_ values: [Self], to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: values.count)
        for value in values { try value.writeField(to: &writer) }
    }

    static func readArray(from reader: inout MessagePackReader) throws -> [Self] {
        try reader.readArray { try readField(from: &$0) }
    }

    static func writeArrays(_ rows: [[Self]], to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: rows.count)
        for row in rows { try writeArray(row, to: &writer) }
    }
}

/// Protocol structs are fields of other structs and variants as they encode themselves.
extension WireFieldValue where Self: MessagePackCodable {
    func writeField(to writer: inout MessagePackWriter) throws { try encode(to: &writer) }
    static func readField(from reader: inout MessagePackReader) throws -> Self { try Self(from: &reader) }
}

extension Bool: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeBool(self) }
    static func readField(from reader: inout MessagePackReader) throws -> Bool { try reader.readBool() }
}

extension String: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { try writer.writeString(self) }
    static func readField(from reader: inout MessagePackReader) throws -> String { try reader.readString() }
}

/// `usize`: never negative on the wire.
extension Int: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeInt(self) }
    static func readField(from reader: inout MessagePackReader) throws -> Int { try reader.readCount() }
}

/// `i64`.
extension Int64: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeSigned(self) }
    static func readField(from reader: inout MessagePackReader) throws -> Int64 { try reader.readSigned() }
}

/// `u64`.
extension UInt64: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeUnsigned(self) }
    static func readField(from reader: inout MessagePackReader) throws -> UInt64 { try reader.readUnsigned() }
}

/// `u32`.
extension UInt32: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeUnsigned(UInt64(self)) }
    static func readField(from reader: inout MessagePackReader) throws -> UInt32 { try reader.readUInt32() }
}

/// `u16`.
extension UInt16: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeUnsigned(UInt64(self)) }
    static func readField(from reader: inout MessagePackReader) throws -> UInt16 { try readNarrow(&reader, "u16") }
}

/// `u8`.
extension UInt8: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeUnsigned(UInt64(self)) }
    static func readField(from reader: inout MessagePackReader) throws -> UInt8 { try readNarrow(&reader, "u8") }
}

/// An unsigned integer that must fit `Narrow`, Rust's `rustName` (`u8`, `u16`).
private func readNarrow<Narrow: FixedWidthInteger>(_ reader: inout MessagePackReader, _ rustName: String) throws -> Narrow {
    let value = try reader.readUnsigned()
    guard let narrow = Narrow(exactly: value) else {
        throw WireError.integerOutOfRange(field: "", expected: rustName, value: String(value))
    }
    return narrow
}

/// `f32`: always float32 on the wire; float64 and integers are accepted.
extension Float: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeFloat32(self) }
    static func readField(from reader: inout MessagePackReader) throws -> Float { try reader.readFloat32() }
    static func writeArray(_ values: [Float], to writer: inout MessagePackWriter) throws { try writer.writeFloat32Array(values) }
    static func readArray(from reader: inout MessagePackReader) throws -> [Float] { try reader.readFloat32Array() }
    static func writeArrays(_ rows: [[Float]], to writer: inout MessagePackWriter) throws { try writer.writeFloat32Arrays(rows) }
}

/// `f64`.
extension Double: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { writer.writeFloat64(self) }
    static func readField(from reader: inout MessagePackReader) throws -> Double { try reader.readFloat64() }
}

/// `Option<T>`: nil or the value itself; a map may leave it out.
extension Optional: WireFieldValue where Wrapped: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws {
        if let value = self { try value.writeField(to: &writer) } else { writer.writeNil() }
    }

    static func readField(from reader: inout MessagePackReader) throws -> Wrapped? {
        try readOptional(&reader) { try Wrapped.readField(from: &$0) }
    }

    static var valueWhenAbsent: Wrapped?? { .some(nil) }
}

/// `Vec<T>`: an array, written and read by the element type (so `Vec<f32>` takes the float32 runs).
extension Array: WireFieldValue where Element: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { try Element.writeArray(self, to: &writer) }
    static func readField(from reader: inout MessagePackReader) throws -> [Element] { try Element.readArray(from: &reader) }
    static func writeArray(_ values: [[Element]], to writer: inout MessagePackWriter) throws {
        try Element.writeArrays(values, to: &writer)
    }
}

extension ModelInfo: WireFieldValue {}
extension EmbeddingJobDetail: WireFieldValue {}
extension XFLoadedModelInfo: WireFieldValue {}
extension XFEmbeddingJobInfo: WireFieldValue {}
