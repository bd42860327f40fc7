// WireTableEnum: an enum whose wire form a `WireEnumTable` declares. It gives its table and
// `withVariant`, the one place its cases meet their rows; `variantName`, `encode(to:)` and
// `init(from:)` are written here once for every such enum. An enum must never write its own tag or
// look a variant up by name or index itself.

/// What `withVariant` hands on: the value's row, and a function writing its payload (nothing for a unit
/// variant; the fields' array for a struct variant; the payload struct for a newtype variant).
public typealias WireVariantBody<Value: Sendable, Kind: Hashable & Sendable, Result> =
    (WireVariant<Value, Kind>, _ writePayload: (inout MessagePackWriter) throws -> Void) throws -> Result

/// An enum of a protocol whose wire form is declared by `wireTable`.
public protocol WireTableEnum: MessagePackCodable, Sendable, Equatable {
    /// Which variant a value is, without its values.
    associatedtype Kind: Hashable & Sendable & CaseIterable

    /// The enum's declaration in its dialect.
    static var wireTable: WireEnumTable<Self, Kind> { get }

    /// Calls `body` with this value's row and payload writer, and returns what `body` returns; throws
    /// `WireError.unknownVariant` when the table has no row for it. The one place a case meets its row.
    func withVariant<Result>(_ body: WireVariantBody<Self, Kind, Result>) throws -> Result
}

extension WireTableEnum {
    /// The variant name on the wire, e.g. `"SubmitEmbeddingJob"` (the Swift case if the table lacks it).
    public var variantName: String {
        (try? withVariant { variant, _ in variant.name }) ?? "\(self)"
    }

    /// Writes this value as rmp_serde does: its row's tag (never its index), then its payload.
    public func encode(to writer: inout MessagePackWriter) throws {
        try withVariant { variant, writePayload in
            try variant.writeTag(to: &writer)
            try writePayload(&writer)
        }
    }

    /// Reads a value in any form a Rust peer accepts, as the table declares it.
    public init(from reader: inout MessagePackReader) throws {
        self = try Self.wireTable.read(&reader)
    }

    /// For a unit case in `withVariant`: the row whose value it is, with no payload to write.
    func withUnitVariant<Result>(_ body: WireVariantBody<Self, Kind, Result>) throws -> Result {
        try body(try Self.wireTable.unitVariant(of: self)) { _ in }
    }

    /// For a case with a payload in `withVariant`: the row of `kind`.
    func variant(_ kind: Kind) throws -> WireVariant<Self, Kind> {
        try Self.wireTable.variant(for: kind)
    }
}
