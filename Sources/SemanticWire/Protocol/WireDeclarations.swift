// WireDeclarations: how each struct and enum of a protocol is declared, once. A `WireStruct` names a
// struct's fields in order; a `WireEnumTable` is one row per enum variant (its name, its Rust index,
// its payload) for one dialect, and every encoder, decoder and `variantName` reads that table. Tables
// are static values built once; they must never be built per call, and an index must never be written.

/// A struct (or the fields of a struct variant) as Rust declares it: the field names in order, which
/// is the array form's order and the map form's keys, and which fields a map may leave out.
public struct WireStruct: Sendable, Equatable {
    /// The type name errors use: the struct's name, or the variant's name for a struct variant.
    public let name: String
    /// Field names in declaration order.
    public let fieldNames: [String]
    /// Fields that are `Option`s: a map that leaves one out means `None`.
    public let optionalFieldNames: [String]
    /// Bit `i` set when field `i` may be left out of a map.
    let optionalMask: UInt64

    /// The most fields a declaration may have (one bit each in the decoder's bookkeeping).
    public static let maximumFieldCount = 64

    public init(_ name: String, fields: [String], optional: [String] = []) {
        self.name = name
        self.fieldNames = fields
        self.optionalFieldNames = optional
        var mask: UInt64 = 0
        for (index, field) in fields.enumerated() where index < Self.maximumFieldCount && optional.contains(field) {
            mask |= 1 << UInt64(index)
        }
        self.optionalMask = mask
    }

    /// How many fields the array form has.
    public var count: Int { fieldNames.count }

    /// Whether field `index` may be left out of a map.
    public func isOptional(_ index: Int) -> Bool {
        index < Self.maximumFieldCount && optionalMask & (1 << UInt64(index)) != 0
    }

    /// What is wrong with this declaration: repeated or empty names, optional fields it does not have,
    /// more fields than the decoder can track. Empty when it is sound.
    public var inconsistencies: [String] {
        var problems: [String] = []
        if fieldNames.count > Self.maximumFieldCount {
            problems.append("\(name): \(fieldNames.count) fields, more than \(Self.maximumFieldCount)")
        }
        for (index, field) in fieldNames.enumerated() {
            if field.isEmpty { problems.append("\(name): field \(index) has no name") }
            if fieldNames[..<index].contains(field) { problems.append("\(name): field \"\(field)\" declared twice") }
        }
        for field in optionalFieldNames where !fieldNames.contains(field) {
            problems.append("\(name): optional field \"\(field)\" is not one of its fields")
        }
        return problems
    }
}

/// One variant of an enum in one dialect: which Swift case it stands for, its name and Rust index on
/// the wire, and what follows the name.
public struct WireVariant<Kind: Hashable & Sendable>: Sendable {
    /// What follows a variant's name.
    public enum Payload: Sendable, Equatable {
        /// Nothing: a unit variant travels as its bare name (`{name: nil}` is read too).
        case unit
        /// A struct variant: `{name: [fields in order]}`; the enum writes the fields.
        case fields(WireStruct)
        /// A newtype variant around a struct: `{name: payload}`; the payload type writes itself.
        case newtype(WireStruct)
    }

    public let kind: Kind
    /// The exact Rust identifier, case-sensitive; the only tag ever written.
    public let name: String
    /// The Rust declaration index: accepted in place of the name when decoding, never written.
    public let index: Int
    public let payload: Payload

    public init(_ kind: Kind, _ name: String, index: Int, _ payload: Payload = .unit) {
        self.kind = kind
        self.name = name
        self.index = index
        self.payload = payload
    }

    /// The fields of a struct variant or of a newtype's struct; none for a unit variant.
    public var fields: WireStruct {
        switch payload {
        case .unit: return WireStruct(name, fields: [])
        case .fields(let fields), .newtype(let fields): return fields
        }
    }
}

/// An enum of one dialect, declared once: a row per variant. Encoding writes a row's name, decoding
/// finds a row by name or by index, and `variantName` reads a row, so a name, an index and a field
/// list can never disagree. Another dialect (or protocol version) of the same enum is another table.
public struct WireEnumTable<Kind: Hashable & Sendable & CaseIterable>: Sendable {
    /// The Rust type name errors use, e.g. `Request`.
    public let typeName: String
    /// The rows, in the order declared (which is meant to be index order).
    public let variants: [WireVariant<Kind>]

    public init(_ typeName: String, _ variants: [WireVariant<Kind>]) {
        self.typeName = typeName
        self.variants = variants
    }

    /// A table of unit variants whose Swift declaration order is the Rust order: index is position.
    public init(_ typeName: String, unitVariants kinds: [Kind], name: (Kind) -> String) {
        self.init(typeName, kinds.enumerated().map { WireVariant($0.element, name($0.element), index: $0.offset) })
    }

    /// The row of `kind`. Every kind has one in a sound table (`inconsistencies` is empty); a kind
    /// without a row gets a row named after the Swift case, so a broken table shows in what is written.
    public subscript(kind: Kind) -> WireVariant<Kind> {
        for variant in variants where variant.kind == kind { return variant }
        return WireVariant(kind, "\(kind)", index: -1)
    }

    /// The row named `name` exactly (names are case-sensitive).
    public func variant(named name: String) -> WireVariant<Kind>? {
        variants.first { $0.name == name }
    }

    /// The row whose Rust index is `index`.
    public func variant(at index: Int) -> WireVariant<Kind>? {
        variants.first { $0.index == index }
    }

    /// What is wrong with this table: indices that are not exactly 0, 1, 2, … in declaration order,
    /// names used twice, kinds with no row or two, unsound field declarations. Empty when it is sound.
    public var inconsistencies: [String] {
        var problems: [String] = []
        for (position, variant) in variants.enumerated() {
            let label = "\(typeName).\(variant.name)"
            if variant.index != position {
                problems.append("\(label): index \(variant.index), but it is row \(position) (indices run 0, 1, 2, … in order)")
            }
            if variant.name.isEmpty { problems.append("\(typeName): row \(position) has no name") }
            if variants[..<position].contains(where: { $0.name == variant.name }) {
                problems.append("\(label): name used by an earlier row")
            }
            if case .fields(let fields) = variant.payload, fields.name != variant.name {
                problems.append("\(label): its fields are declared as \(fields.name)")
            }
            problems += variant.fields.inconsistencies.map { "\(typeName).\($0)" }
        }
        for kind in Kind.allCases {
            let rows = variants.filter { $0.kind == kind }.count
            if rows != 1 { problems.append("\(typeName): case \(kind) has \(rows) rows, not 1") }
        }
        return problems
    }
}
