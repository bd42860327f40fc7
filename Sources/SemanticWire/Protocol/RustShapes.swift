// RustShapes: reading serde-derived Rust structs and enums the way rmp_serde accepts them.
// A struct is an array of its fields in order, or a map keyed by field name (or field index) with
// unknown keys skipped; an enum is a bare name or index (unit variants) or a one-entry map
// {name or index: payload}. It must never decide what a field means: callers read the values.

/// Reads a struct in array or map form, calling `readField(&reader, fieldIndex)` for each field
/// present; errors get the field name prefixed to their path.
///
/// - Array form must have exactly `fields.count` elements (like Rust, even when the last are optional).
/// - Map form: keys are field names (str or bin) or field indices; a field named twice is an error; a
///   missing field is an error unless its index is in `optional`; a key the struct does not have is
///   skipped, or is `WireError.unknownField` when the reader's `unknownFields` policy is `.reject`.
func readStruct(
    _ reader: inout MessagePackReader, type: String, fields: [String], optional: Set<Int> = [],
    _ readField: (inout MessagePackReader, Int) throws -> Void
) throws {
    let header = try reader.readHeader()
    switch header {
    case .array(let count):
        guard count == fields.count else {
            throw WireError.wrongArrayLength(field: "", type: type, expected: fields.count, found: count)
        }
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        for index in 0..<count {
            try within(fields[index]) { try readField(&reader, index) }
        }
    case .map(let count):
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        var seen = Set<Int>()
        for _ in 0..<count {
            guard let index = try readFieldKey(&reader, type: type, fields: fields) else {
                try reader.skipValue()
                continue
            }
            guard seen.insert(index).inserted else { throw WireError.duplicateField(field: fields[index]) }
            try within(fields[index]) { try readField(&reader, index) }
        }
        for index in fields.indices where !seen.contains(index) && !optional.contains(index) {
            throw WireError.missingField(field: fields[index])
        }
    default:
        throw MessagePackReader.mismatch("\(type) as an array or a map", header)
    }
}

/// A map key naming a struct field: its index, or nil for a key the struct does not have (which the
/// reader's policy may refuse instead).
private func readFieldKey(_ reader: inout MessagePackReader, type: String, fields: [String]) throws -> Int? {
    let header = try reader.readHeader()
    let index: Int?
    let unknownName: String
    switch header {
    case .string(let length), .binary(let length):
        let name = try reader.readUTF8(length: length)
        index = fields.firstIndex(of: name)
        unknownName = "\"\(name)\""
    case .unsigned(let value):
        index = value < UInt64(fields.count) ? Int(value) : nil
        unknownName = "index \(value)"
    default:
        throw MessagePackReader.mismatch("a field name", header)
    }
    if index == nil && reader.unknownFields == .reject {
        throw WireError.unknownField(field: "", type: type, name: unknownName)
    }
    return index
}

/// How an enum value arrived: a bare name/index (no payload) or a one-entry map (payload follows).
enum VariantForm {
    case bare
    case withPayload
}

/// Reads an enum's tag and lets `readVariant(&reader, variantIndex, form)` read its payload.
/// Errors from the payload get the variant name prefixed to their path.
func readEnum<Value>(
    _ reader: inout MessagePackReader, type: String, variants: [String],
    _ readVariant: (inout MessagePackReader, Int, VariantForm) throws -> Value
) throws -> Value {
    let header = try reader.readHeader()
    switch header {
    case .string, .binary, .unsigned, .signed:
        let index = try variantIndex(header, &reader, type: type, variants: variants)
        return try within(variants[index]) { try readVariant(&reader, index, .bare) }
    case .map(let count):
        guard count == 1 else {
            throw MessagePackReader.mismatch("\(type) as a variant name or a one-entry map", header)
        }
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        let key = try reader.readHeader()
        let index = try variantIndex(key, &reader, type: type, variants: variants)
        return try within(variants[index]) { try readVariant(&reader, index, .withPayload) }
    default:
        throw MessagePackReader.mismatch("\(type) as a variant name or a one-entry map", header)
    }
}

private func variantIndex(
    _ header: MessagePackHeader, _ reader: inout MessagePackReader, type: String, variants: [String]
) throws -> Int {
    switch header {
    case .string(let length), .binary(let length):
        let name = try reader.readUTF8(length: length)
        guard let index = variants.firstIndex(of: name) else {
            throw WireError.unknownVariant(field: "", type: type, name: "\"\(name)\"")
        }
        return index
    case .unsigned(let value):
        guard value < UInt64(variants.count) else {
            throw WireError.unknownVariant(field: "", type: type, name: "index \(value)")
        }
        return Int(value)
    case .signed(let value):
        guard value >= 0, value < Int64(variants.count) else {
            throw WireError.unknownVariant(field: "", type: type, name: "index \(value)")
        }
        return Int(value)
    default:
        throw MessagePackReader.mismatch("a \(type) variant name or index", header)
    }
}

/// A unit variant: bare, or in map form with a nil payload (anything else is rejected, like Rust).
func readUnitPayload(_ reader: inout MessagePackReader, _ form: VariantForm) throws {
    if form == .withPayload { try reader.readNil() }
}

/// A newtype or struct variant must arrive in map form.
func requirePayload(_ form: VariantForm, type: String) throws {
    if form == .bare {
        throw WireError.unexpectedType(
            field: "", expected: "a one-entry map {variant: \(type)}", found: "a bare variant name or index")
    }
}

/// Reads an optional value: nil is `nil`, anything else is read by `read`.
@inline(__always)
func readOptional<T>(_ reader: inout MessagePackReader, _ read: (inout MessagePackReader) throws -> T) throws -> T? {
    if reader.readNilIfPresent() { return nil }
    return try read(&reader)
}
