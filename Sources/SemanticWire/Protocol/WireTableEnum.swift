// WireTableEnum: an enum whose wire form a `WireEnumTable` declares. It gives its table and
// `withVariant`, the one place its cases meet their kinds and payloads; `variantName`, `encode(to:)`
// and `init(from:)` are written here once for every such enum, for its own table or for another
// table of the same enum (another dialect or protocol version). An enum must never write its own tag
// or look a variant up by name or index itself.

/// What `withVariant` hands on: the case's kind (nil for a unit case, whose row a table finds by its
/// value), and a function writing its payload (the fields' array for a struct variant; the payload
/// struct for a newtype variant; nothing for a unit variant).
public typealias WireVariantBody<Kind, Result> =
    (_ kind: Kind?, _ writePayload: (inout MessagePackWriter) throws -> Void) throws -> Result

/// An enum of a protocol whose wire form is declared by `wireTable`.
public protocol WireTableEnum: MessagePackCodable, Sendable, Equatable {
    /// The variants without their values: what names a row of a table.
    associatedtype Kind: Hashable & Sendable & CaseIterable

    /// The enum's declaration in its own dialect.
    static var wireTable: WireEnumTable<Self, Kind> { get }

    /// Calls `body` with this case's kind and payload writer and returns what `body` returns: the one
    /// place a case meets its row.
    func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result
}

extension WireTableEnum {
    /// The variant name on the wire, e.g. `"SubmitEmbeddingJob"` (the Swift case if the table lacks it).
    public var variantName: String {
        let table = Self.wireTable
        return (try? withVariant { kind, _ in table.names[try table.index(for: kind, of: self)] }) ?? "\(self)"
    }

    /// This value's row in `table`; `WireError.unknownVariant` when the table has none.
    public func variant(in table: WireEnumTable<Self, Kind>) throws -> WireVariant<Self, Kind> {
        try withVariant { kind, _ in table.variants[try table.index(for: kind, of: self)] }
    }

    /// Writes this value as rmp_serde does: its row's tag (never its index), then its payload.
    public func encode(to writer: inout MessagePackWriter) throws {
        try encode(to: &writer, as: Self.wireTable)
    }

    /// Writes this value as `table` declares it; `WireError.unknownVariant` when the table has no row for it.
    public func encode(to writer: inout MessagePackWriter, as table: WireEnumTable<Self, Kind>) throws {
        try withVariant { kind, writePayload in
            try table.writeTag(ofRow: try table.index(for: kind, of: self), to: &writer)
            try writePayload(&writer)
        }
    }

    /// Reads a value in any form a Rust peer accepts, as the enum's own table declares it.
    public init(from reader: inout MessagePackReader) throws {
        self = try Self.wireTable.read(&reader)
    }

    /// Reads a value in any form a Rust peer accepts, as `table` declares it.
    public init(from reader: inout MessagePackReader, as table: WireEnumTable<Self, Kind>) throws {
        self = try table.read(&reader)
    }
}
