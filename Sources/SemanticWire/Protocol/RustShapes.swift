// RustShapes: reading and writing serde-derived Rust structs and enums the way rmp_serde does, from
// their declarations (WireDeclarations.swift). A struct is an array of its fields in order, or a map
// keyed by field name (or field index); an enum is a bare name or index (unit variants) or a one-entry
// map {name or index: payload}. It must never decide what a field means: callers read the values.

/// Reads a struct whose fields have the types `Field…` in declaration order and builds `make(fields…)`.
///
/// - Array form must have exactly `declaration.count` elements (like Rust, even when the last are optional).
/// - Map form: keys are field names (str or bin) or field indices; a field named twice is an error; a
///   missing field is an error unless its type is an `Optional` (None); a key the struct does not have
///   is skipped, or is `WireError.unknownField` when the reader's `unknownFields` policy is `.reject`.
/// Errors get the field name prefixed to their path.
func readStruct<each Field: WireFieldValue, Value>(
    _ reader: inout MessagePackReader, _ declaration: WireStruct, _ make: (repeat each Field) -> Value
) throws -> Value {
    // The array form, which every encoder of these protocols writes, reads each field in turn.
    if case .array(let count) = try reader.peekHeader(), count == declaration.count {
        _ = try reader.readArrayHeader()
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        var position = 0
        return make(repeat try readNextField(&reader, declaration, &position) as each Field)
    }
    var fields: (repeat (each Field)?) = (repeat Optional<each Field>.none)
    _ = try readPresentFields(&reader, declaration) { reader, index in
        var position = 0
        fields = (repeat try readField(each fields, &reader, &position, wanted: index))
    }
    var position = 0
    return make(repeat try presentOrAbsent(each fields, declaration, &position))
}

/// In array form: the field at `position`, then on to the next.
private func readNextField<Field: WireFieldValue>(
    _ reader: inout MessagePackReader, _ declaration: WireStruct, _ position: inout Int
) throws -> Field {
    defer { position += 1 }
    return try within(declaration.fieldName(at: position)) { try Field.readField(from: &reader) }
}

/// The field at `position` read now if it is the one wanted, else as it was; then on to the next.
private func readField<Field: WireFieldValue>(
    _ current: Field?, _ reader: inout MessagePackReader, _ position: inout Int, wanted: Int
) throws -> Field? {
    defer { position += 1 }
    return position == wanted ? try Field.readField(from: &reader) : current
}

/// Once every field present is read: the field's value, or None for an absent `Option`.
private func presentOrAbsent<Field: WireFieldValue>(
    _ value: Field?, _ declaration: WireStruct, _ position: inout Int
) throws -> Field {
    defer { position += 1 }
    if let value { return value }
    if let absent = Field.valueWhenAbsent { return absent }
    throw WireError.missingField(field: declaration.fieldName(at: position))
}

/// Reads a struct in array or map form, calling `readField(&reader, fieldIndex)` for each field, for
/// structs whose fields are not all `WireFieldValue`s (a generic payload, a byte vector). Every field
/// is required; otherwise as `readStruct(_:_:_:)` with a `make` function.
func readStruct(
    _ reader: inout MessagePackReader, _ declaration: WireStruct,
    _ readField: (inout MessagePackReader, Int) throws -> Void
) throws {
    let present = try readPresentFields(&reader, declaration, readField)
    for (index, name) in declaration.fieldNames.enumerated() where present & (1 << UInt64(index)) == 0 {
        throw WireError.missingField(field: name)
    }
}

/// The struct's header, then `readField(&reader, fieldIndex)` for each field present, in the order
/// they come, with the field name prefixed to error paths. Returns which fields were present, one bit
/// each. Array form must have exactly `declaration.count` elements; map form may name a field once.
private func readPresentFields(
    _ reader: inout MessagePackReader, _ declaration: WireStruct,
    _ readField: (inout MessagePackReader, Int) throws -> Void
) throws -> UInt64 {
    let fields = declaration.fieldNames
    let header = try reader.readHeader()
    var present: UInt64 = 0
    switch header {
    case .array(let count):
        guard count == fields.count else {
            throw WireError.wrongArrayLength(field: "", type: declaration.name, expected: fields.count, found: count)
        }
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        for index in 0..<count {
            try within(fields[index]) { try readField(&reader, index) }
            present |= 1 << UInt64(index)
        }
    case .map(let count):
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        for _ in 0..<count {
            guard let index = try readFieldKey(&reader, declaration) else {
                try reader.skipValue()
                continue
            }
            let bit: UInt64 = 1 << UInt64(index)
            guard present & bit == 0 else { throw WireError.duplicateField(field: fields[index]) }
            present |= bit
            try within(fields[index]) { try readField(&reader, index) }
        }
    default:
        throw MessagePackReader.mismatch("\(declaration.name) as an array or a map", header)
    }
    return present
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

extension MessagePackWriter {
    /// A struct in rmp_serde's compact form: an array of its field values in declaration order.
    mutating func writeStruct<each Field: WireFieldValue>(_ values: repeat each Field) throws {
        var count = 0
        for _ in repeat each values { count += 1 }
        try writeArrayHeader(count: count)
        for value in repeat each values { try value.writeField(to: &self) }
    }
}

extension WireEnumTable {
    /// Reads a variant's tag (a bare name or index, or a one-entry map keyed by one), checks that its
    /// form suits the row (a unit variant's map payload must be nil; a variant with a payload cannot be
    /// bare), then builds the value as the row says. Errors from the payload get the variant name
    /// prefixed to their path.
    func read(_ reader: inout MessagePackReader) throws -> Value {
        let header = try reader.readHeader()
        switch header {
        case .string, .binary, .unsigned, .signed:
            let index = try self.index(tag: header, &reader)
            return try within(variants[index].name) {
                guard case .value(let value) = variants[index].construction else {
                    throw WireError.unexpectedType(
                        field: "", expected: "a one-entry map {variant: \(variants[index].name)}",
                        found: "a bare variant name or index")
                }
                return value
            }
        case .map(let count) where count == 1:
            try reader.enterContainer()
            defer { reader.leaveContainer() }
            let index = try self.index(tag: try reader.readHeader(), &reader)
            return try within(variants[index].name) {
                switch variants[index].construction {
                case .value(let value):
                    try reader.readNil()
                    return value
                case .reading(let read):
                    return try read(&reader, variants[index].fields)
                }
            }
        default:
            throw MessagePackReader.mismatch("\(typeName) as a variant name or a one-entry map", header)
        }
    }

    /// The index of the row a tag names: a name (str or bin) or a Rust index (any integer width).
    private func index(tag header: MessagePackHeader, _ reader: inout MessagePackReader) throws -> Int {
        let found: Int?
        let unknownName: String
        switch header {
        case .string(let length), .binary(let length):
            let name = try reader.readUTF8(length: length)
            found = index(named: name)
            unknownName = "\"\(name)\""
        case .unsigned(let value):
            found = value < UInt64(variants.count) ? Int(value) : nil
            unknownName = "index \(value)"
        case .signed(let value):
            found = value >= 0 && value < Int64(variants.count) ? Int(value) : nil
            unknownName = "index \(value)"
        default:
            throw MessagePackReader.mismatch("a \(typeName) variant name or index", header)
        }
        guard let found else { throw WireError.unknownVariant(field: "", type: typeName, name: unknownName) }
        return found
    }

    /// Writes the tag of row `index` as rmp_serde does: a unit variant as its bare name, any other as
    /// the start of a one-entry map `{name: payload}`, the payload to follow.
    func writeTag(ofRow index: Int, to writer: inout MessagePackWriter) throws {
        if !isUnit[index] { try writer.writeMapHeader(count: 1) }
        try writer.writeString(names[index])
    }
}

/// Reads an optional value: nil is `nil`, anything else is read by `read`.
@inline(__always)
func readOptional<T>(_ reader: inout MessagePackReader, _ read: (inout MessagePackReader) throws -> T) throws -> T? {
    if reader.readNilIfPresent() { return nil }
    return try read(&reader)
}
