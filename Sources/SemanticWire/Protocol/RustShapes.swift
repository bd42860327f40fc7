// RustShapes: reading and writing serde-derived Rust structs and enums the way rmp_serde does, from
// their declarations (WireDeclarations.swift). A struct is an array of its fields in order, or a map
// keyed by field name (or field index); an enum is a bare name or index (unit variants) or a one-entry
// map {name or index: payload}. It must never decide what a field means: callers read the values.

/// Reads a struct in array or map form, calling `readField(&reader, fieldIndex)` for each field
/// present; errors get the field name prefixed to their path.
///
/// - Array form must have exactly `declaration.count` elements (like Rust, even when the last are optional).
/// - Map form: keys are field names (str or bin) or field indices; a field named twice is an error; a
///   missing field is an error unless it is optional; a key the struct does not have is skipped, or is
///   `WireError.unknownField` when the reader's `unknownFields` policy is `.reject`.
func readStruct(
    _ reader: inout MessagePackReader, _ declaration: WireStruct,
    _ readField: (inout MessagePackReader, Int) throws -> Void
) throws {
    let fields = declaration.fieldNames
    let header = try reader.readHeader()
    switch header {
    case .array(let count):
        guard count == fields.count else {
            throw WireError.wrongArrayLength(field: "", type: declaration.name, expected: fields.count, found: count)
        }
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        for index in 0..<count {
            try within(fields[index]) { try readField(&reader, index) }
        }
    case .map(let count):
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        var seen: UInt64 = 0
        for _ in 0..<count {
            guard let index = try readFieldKey(&reader, declaration) else {
                try reader.skipValue()
                continue
            }
            let bit: UInt64 = 1 << UInt64(index)
            guard seen & bit == 0 else { throw WireError.duplicateField(field: fields[index]) }
            seen |= bit
            try within(fields[index]) { try readField(&reader, index) }
        }
        for index in fields.indices where seen & (1 << UInt64(index)) == 0 && !declaration.isOptional(index) {
            throw WireError.missingField(field: fields[index])
        }
    default:
        throw MessagePackReader.mismatch("\(declaration.name) as an array or a map", header)
    }
}

/// A map key naming a struct field: its index, or nil for a key the struct does not have (which the
/// reader's policy may refuse instead).
private func readFieldKey(_ reader: inout MessagePackReader, _ declaration: WireStruct) throws -> Int? {
    let header = try reader.readHeader()
    let index: Int?
    let unknownName: String
    switch header {
    case .string(let length), .binary(let length):
        let name = try reader.readUTF8(length: length)
        index = declaration.fieldNames.firstIndex(of: name)
        unknownName = "\"\(name)\""
    case .unsigned(let value):
        index = value < UInt64(declaration.count) ? Int(value) : nil
        unknownName = "index \(value)"
    default:
        throw MessagePackReader.mismatch("a field name", header)
    }
    if index == nil && reader.unknownFields == .reject {
        throw WireError.unknownField(field: "", type: declaration.name, name: unknownName)
    }
    return index
}

extension WireEnumTable {
    /// Reads a variant's tag (a bare name or index, or a one-entry map keyed by one), checks that its
    /// form suits the row (a unit variant's map payload must be nil; a variant with a payload cannot be
    /// bare), then lets `readValue(&reader, row)` read the payload, if any, and build the value.
    /// Errors from the payload get the variant name prefixed to their path.
    func read<Value>(
        _ reader: inout MessagePackReader,
        _ readValue: (inout MessagePackReader, WireVariant<Kind>) throws -> Value
    ) throws -> Value {
        let header = try reader.readHeader()
        switch header {
        case .string, .binary, .unsigned, .signed:
            let variant = try self.variant(tag: header, &reader)
            return try within(variant.name) {
                if case .unit = variant.payload {} else {
                    throw WireError.unexpectedType(
                        field: "", expected: "a one-entry map {variant: \(variant.name)}",
                        found: "a bare variant name or index")
                }
                return try readValue(&reader, variant)
            }
        case .map(let count) where count == 1:
            try reader.enterContainer()
            defer { reader.leaveContainer() }
            let variant = try self.variant(tag: try reader.readHeader(), &reader)
            return try within(variant.name) {
                if case .unit = variant.payload { try reader.readNil() }
                return try readValue(&reader, variant)
            }
        default:
            throw MessagePackReader.mismatch("\(typeName) as a variant name or a one-entry map", header)
        }
    }

    /// The row a tag names: a name (str or bin) or a Rust index (any integer width).
    private func variant(tag header: MessagePackHeader, _ reader: inout MessagePackReader) throws -> WireVariant<Kind> {
        let found: WireVariant<Kind>?
        let unknownName: String
        switch header {
        case .string(let length), .binary(let length):
            let name = try reader.readUTF8(length: length)
            found = variant(named: name)
            unknownName = "\"\(name)\""
        case .unsigned(let value):
            found = value <= UInt64(Int.max) ? variant(at: Int(value)) : nil
            unknownName = "index \(value)"
        case .signed(let value):
            found = value >= 0 ? variant(at: Int(value)) : nil
            unknownName = "index \(value)"
        default:
            throw MessagePackReader.mismatch("a \(typeName) variant name or index", header)
        }
        guard let found else { throw WireError.unknownVariant(field: "", type: typeName, name: unknownName) }
        return found
    }

    /// Writes the tag of `kind`'s row as rmp_serde does: a unit variant as its bare name; otherwise a
    /// one-entry map `{name: …}`, opening the fields' array for a struct variant (the caller writes
    /// exactly `fields.count` values) or leaving a newtype's payload to write itself.
    func writeTag(of kind: Kind, to writer: inout MessagePackWriter) throws {
        let variant = self[kind]
        switch variant.payload {
        case .unit:
            try writer.writeString(variant.name)
        case .fields(let fields):
            try writer.writeMapHeader(count: 1)
            try writer.writeString(variant.name)
            try writer.writeArrayHeader(count: fields.count)
        case .newtype:
            try writer.writeMapHeader(count: 1)
            try writer.writeString(variant.name)
        }
    }
}

/// Reads an optional value: nil is `nil`, anything else is read by `read`.
@inline(__always)
func readOptional<T>(_ reader: inout MessagePackReader, _ read: (inout MessagePackReader) throws -> T) throws -> T? {
    if reader.readNilIfPresent() { return nil }
    return try read(&reader)
}
