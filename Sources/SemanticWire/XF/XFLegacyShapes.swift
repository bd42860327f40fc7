// XFLegacyShapes: the index-based readers the xf codec still uses until it moves onto its own
// tables. Each call wraps the new table-based readers; it must never be used by new code.

func readStruct(
    _ reader: inout MessagePackReader, type: String, fields: [String], optional: Set<Int> = [],
    _ readField: (inout MessagePackReader, Int) throws -> Void
) throws {
    let optionalNames = fields.indices.filter { optional.contains($0) }.map { fields[$0] }
    try readStruct(&reader, WireStruct(type, fields: fields, optional: optionalNames), readField)
}

enum VariantForm {
    case bare
    case withPayload
}


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

func readUnitPayload(_ reader: inout MessagePackReader, _ form: VariantForm) throws {
    if form == .withPayload { try reader.readNil() }
}

func requirePayload(_ form: VariantForm, type: String) throws {
    if form == .bare {
        throw WireError.unexpectedType(
            field: "", expected: "a one-entry map {variant: \(type)}", found: "a bare variant name or index")
    }
}
