// WireDeclarations: how each struct and enum of a protocol is declared, once. A `WireStruct` names a
// struct's fields in order; a `WireEnumTable` lists an enum's variants in Rust declaration order, so a
// row's position is its Rust index, each row saying its name, its payload and how the Swift value is
// built from it. Every encoder, decoder and `variantName` reads these; they are static values built
// once, never per call, and an index is never written.

/// A struct (or the fields of a struct variant) as Rust declares it: the field names in order, which
/// is the array form's order and the map form's keys. Which fields a map may leave out follows from
/// their Swift types (an `Optional` is `Option`, None when absent).
public struct WireStruct: Sendable, Equatable {
    /// The type name errors use: the struct's name, or the variant's name for a struct variant.
    public let name: String
    /// Field names in declaration order.
    public let fieldNames: [String]

    /// The most fields a declaration may have (one bit each in the decoder's bookkeeping).
    public static let maximumFieldCount = 64

    public init(_ name: String, fields: [String]) {
        self.name = name
        self.fieldNames = fields
    }

    /// How many fields the array form has.
    public var count: Int { fieldNames.count }

    /// The name of field `index` (for error paths; `[index]` past the last field).
    func fieldName(at index: Int) -> String {
        fieldNames.indices.contains(index) ? fieldNames[index] : "[\(index)]"
    }

    /// What is wrong with this declaration: repeated or empty names, more fields than the decoder can
    /// track. Empty when it is sound.
    public var inconsistencies: [String] {
        var problems: [String] = []
        if fieldNames.count > Self.maximumFieldCount {
            problems.append("\(name): \(fieldNames.count) fields, more than \(Self.maximumFieldCount)")
        }
        for (index, field) in fieldNames.enumerated() {
            if field.isEmpty { problems.append("\(name): field \(index) has no name") }
            if fieldNames[..<index].contains(field) { problems.append("\(name): field \"\(field)\" declared twice") }
        }
        return problems
    }
}

/// One variant of an enum in one dialect: which Swift case it stands for (`kind`), its name and Rust
/// index on the wire, what follows the name, and how the Swift value is built from it.
public struct WireVariant<Value: Sendable, Kind: Hashable & Sendable>: Sendable {
    /// What follows a variant's name.
    public enum Payload: Sendable, Equatable {
        /// Nothing: a unit variant travels as its bare name (`{name: nil}` is read too).
        case unit
        /// A struct variant: `{name: [fields in order]}`.
        case fields(WireStruct)
        /// A newtype variant around a struct: `{name: payload}`, the payload struct as it encodes itself.
        case newtype(WireStruct)
    }

    /// How a value is built: a unit variant is one value; any other reads its payload, given the
    /// fields this row declares.
    enum Construction: Sendable {
        case value(Value)
        case reading(@Sendable (inout MessagePackReader, WireStruct) throws -> Value)
    }

    public let kind: Kind
    /// The exact Rust identifier, case-sensitive; the only tag ever written.
    public let name: String
    /// The Rust declaration index, which is the row's position in its table: accepted in place of the
    /// name when decoding, never written. -1 for a row in no table.
    public fileprivate(set) var index = -1
    public let payload: Payload
    let construction: Construction

    /// A unit variant, which is `value`.
    public init(_ kind: Kind, _ name: String, unit value: Value) {
        self.init(kind, name, .unit, .value(value))
    }

    /// A struct variant with these fields, whose values, of the types `make` takes, `make` the Swift
    /// value: usually the enum case with the same associated values, e.g. `Request.embed`.
    init<each Field: WireFieldValue>(_ kind: Kind, _ name: String, fields: [String],
                                     _ make: @escaping @Sendable (repeat each Field) -> Value) {
        self.init(kind, name, .fields(WireStruct(name, fields: fields)), .reading({ reader, fields in
            try readStruct(&reader, fields, make)
        }))
    }

    /// A newtype variant around `Wrapped`, whose fields are `fields`; `make` wraps the payload.
    init<Wrapped: MessagePackCodable>(_ kind: Kind, _ name: String, newtype fields: WireStruct,
                                      _ make: @escaping @Sendable (Wrapped) -> Value) {
        self.init(kind, name, .newtype(fields), .reading({ reader, _ in make(try Wrapped(from: &reader)) }))
    }

    /// A struct variant whose fields a Swift struct `Body` holds (and reads and writes as an array).
    init<Body: MessagePackCodable>(_ kind: Kind, _ name: String, fields: WireStruct,
                                   body make: @escaping @Sendable (Body) -> Value) {
        self.init(kind, name, .fields(fields), .reading({ reader, _ in make(try Body(from: &reader)) }))
    }

    /// A struct variant read by `read` (for tests and for shapes the typed initialisers do not cover).
    public init(_ kind: Kind, _ name: String, fields: WireStruct,
                read: @escaping @Sendable (inout MessagePackReader, WireStruct) throws -> Value) {
        self.init(kind, name, .fields(fields), .reading(read))
    }

    private init(_ kind: Kind, _ name: String, _ payload: Payload, _ construction: Construction) {
        self.kind = kind
        self.name = name
        self.payload = payload
        self.construction = construction
    }

    /// The fields of a struct variant or of a newtype's struct; none for a unit variant.
    public var fields: WireStruct {
        switch payload {
        case .unit: return WireStruct(name, fields: [])
        case .fields(let fields), .newtype(let fields): return fields
        }
    }
}

/// An enum of one dialect, declared once: its variants in Rust declaration order, so a row's position
/// is its index. Encoding writes a row's name, decoding finds a row by name or by index and builds the
/// value the row says, and `variantName` reads a row, so a name, an index and a field list can never
/// disagree. Another dialect (or protocol version) of the same enum is another table. A class, so that
/// the codec reaching for a static table copies one reference, not its arrays.
public final class WireEnumTable<Value: Sendable & Equatable, Kind: Hashable & Sendable & CaseIterable>: Sendable {
    /// The Rust type name errors use, e.g. `Request`.
    public let typeName: String
    /// The rows, each with its index.
    public let variants: [WireVariant<Value, Kind>]
    /// Each row's kind and name, and whether it is a unit variant, by index; and the unit variants'
    /// values with their indices: what the codec searches, so that a lookup copies no row.
    let kinds: [Kind]
    let names: [String]
    let isUnit: [Bool]
    private let unitValues: [Value]
    private let unitIndices: [Int]

    public init(_ typeName: String, _ variants: [WireVariant<Value, Kind>]) {
        self.typeName = typeName
        self.variants = variants.enumerated().map { position, variant in
            var placed = variant
            placed.index = position
            return placed
        }
        kinds = variants.map(\.kind)
        names = variants.map(\.name)
        let units = variants.indices.compactMap { index in
            if case .value(let value) = variants[index].construction { (value, index) } else { nil }
        }
        isUnit = variants.indices.map { index in units.contains { $0.1 == index } }
        unitValues = units.map(\.0)
        unitIndices = units.map(\.1)
    }

    /// The row of `kind`; `WireError.unknownVariant` when this dialect has no such variant.
    public func variant(for kind: Kind) throws -> WireVariant<Value, Kind> {
        variants[try index(for: kind)]
    }

    /// The unit variant that is `value`; `WireError.unknownVariant` when it is none.
    public func unitVariant(of value: Value) throws -> WireVariant<Value, Kind> {
        variants[try index(ofUnit: value)]
    }

    /// The index of the row of `value`: by its kind, or, when `kind` is nil, as the unit variant it is.
    func index(for kind: Kind?, of value: Value) throws -> Int {
        if let kind { return try index(for: kind) }
        return try index(ofUnit: value)
    }

    private func index(for kind: Kind) throws -> Int {
        guard let index = kinds.firstIndex(of: kind) else {
            throw WireError.unknownVariant(field: "", type: typeName, name: "\(kind)")
        }
        return index
    }

    private func index(ofUnit value: Value) throws -> Int {
        guard let unit = unitValues.firstIndex(of: value) else {
            throw WireError.unknownVariant(field: "", type: typeName, name: "\(value)")
        }
        return unitIndices[unit]
    }

    /// The row named `name` exactly (names are case-sensitive).
    public func variant(named name: String) -> WireVariant<Value, Kind>? {
        index(named: name).map { variants[$0] }
    }

    /// The index of the row named `name`.
    func index(named name: String) -> Int? {
        names.firstIndex(of: name)
    }

    /// The row whose Rust index is `index`.
    public func variant(at index: Int) -> WireVariant<Value, Kind>? {
        variants.indices.contains(index) ? variants[index] : nil
    }

    /// What is wrong with this table: names, kinds or unit values used twice, kinds with no row,
    /// unsound field declarations. Empty when it is sound.
    public var inconsistencies: [String] {
        var problems: [String] = []
        for (position, variant) in variants.enumerated() {
            let label = "\(typeName).\(variant.name)"
            let earlier = variants[..<position]
            if variant.name.isEmpty { problems.append("\(typeName): row \(position) has no name") }
            if earlier.contains(where: { $0.name == variant.name }) { problems.append("\(label): name used by an earlier row") }
            if earlier.contains(where: { $0.kind == variant.kind }) { problems.append("\(label): case \(variant.kind) has an earlier row") }
            if case .value(let value) = variant.construction,
               earlier.contains(where: { if case .value(value) = $0.construction { true } else { false } }) {
                problems.append("\(label): the same value as an earlier row")
            }
            if case .fields(let fields) = variant.payload, fields.name != variant.name {
                problems.append("\(label): its fields are declared as \(fields.name)")
            }
            problems += variant.fields.inconsistencies.map { "\(typeName).\($0)" }
        }
        for kind in Kind.allCases where !variants.contains(where: { $0.kind == kind }) {
            problems.append("\(typeName): case \(kind) has no row")
        }
        return problems
    }
}
