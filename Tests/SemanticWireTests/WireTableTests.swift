// Wire tables: each protocol enum is declared once, as a table, and these tests hold every table to
// the specs and the codec to its table. A table must be sound (indices 0, 1, 2, … in order, names
// used once, one row per Swift case, sound field lists), must say what the spec says (the expected
// declarations below are written out from the specs, apart from the tables), and every variant must be
// written by name, never by index, and read back by name, by index, and in map form keyed by its
// table's field names. A table that breaks any of these rules is caught.
import SemanticWire
import Testing

/// A variant as the spec declares it: its name (its position is its index), what follows the name,
/// and the field names in order (a newtype's are its struct's).
private struct SpecVariant: Sendable {
    enum Payload: Sendable { case unit, fields, newtype }
    let name: String
    let payload: Payload
    let fields: [String]

    static func unit(_ name: String) -> SpecVariant { SpecVariant(name: name, payload: .unit, fields: []) }
    static func fields(_ name: String, _ fields: String...) -> SpecVariant {
        SpecVariant(name: name, payload: .fields, fields: fields)
    }
    static func newtype(_ name: String, _ fields: String...) -> SpecVariant {
        SpecVariant(name: name, payload: .newtype, fields: fields)
    }
}

/// cass spec §1.4, §1.5, §1.6 and xf-dialect.md, in Rust declaration order.
private enum Spec {
    static let request: [SpecVariant] = [
        .unit("Health"), .fields("Embed", "texts", "model", "dims"), .fields("Rerank", "query", "documents", "model"),
        .unit("Status"),
        .fields("SubmitEmbeddingJob", "db_path", "index_path", "two_tier", "fast_model", "quality_model"),
        .fields("EmbeddingJobStatus", "db_path"), .fields("CancelEmbeddingJob", "db_path", "model_id"), .unit("Shutdown"),
    ]
    static let response: [SpecVariant] = [
        .newtype("Health", "uptime_secs", "version", "ready", "memory_bytes"),
        .newtype("Embed", "embeddings", "model", "elapsed_ms"), .newtype("Rerank", "scores", "model", "elapsed_ms"),
        .newtype("Status", "uptime_secs", "version", "embedders", "rerankers", "memory_bytes", "total_requests"),
        .fields("JobSubmitted", "job_id", "message"), .newtype("JobStatus", "jobs"),
        .fields("JobCancelled", "cancelled", "message"), .fields("Shutdown", "message"),
        .newtype("Error", "code", "message", "retryable", "retry_after_ms"),
    ]
    static let errorCode: [SpecVariant] = ["Internal", "ModelNotFound", "InvalidInput", "Overloaded", "Timeout",
                                           "ModelLoadFailed", "VersionMismatch"].map(SpecVariant.unit)
}

/// Values of every variant of every enum, with optional fields both set and left out.
private enum Samples {
    static func requests() -> [Request] {
        var generator = ValueGenerator(random: SplitMix64(seed: 41))
        return (0..<200).map { _ in generator.request() }
    }

    static func responses() -> [Response] {
        var generator = ValueGenerator(random: SplitMix64(seed: 42))
        return (0..<200).map { _ in generator.response() }
    }

}

/// The spec's declaration of one enum, compared with its table row by row.
private func expectTable<Kind: Hashable & Sendable & CaseIterable>(_ table: WireEnumTable<Kind>, declares spec: [SpecVariant]) {
    #expect(table.inconsistencies == [], "\(table.typeName)")
    #expect(table.variants.map(\.name) == spec.map(\.name), "\(table.typeName): names in Rust order")
    #expect(table.variants.map(\.index) == Array(spec.indices), "\(table.typeName): indices")
    for (variant, expected) in zip(table.variants, spec) {
        switch (variant.payload, expected.payload) {
        case (.unit, .unit), (.fields, .fields), (.newtype, .newtype): break
        default: Issue.record("\(table.typeName).\(variant.name): payload \(variant.payload), spec says \(expected.payload)")
        }
        #expect(variant.fields.fieldNames == expected.fields, "\(table.typeName).\(variant.name): fields")
        #expect(table.variant(named: variant.name)?.index == variant.index, "\(table.typeName).\(variant.name)")
        #expect(table.variant(at: variant.index)?.name == variant.name, "\(table.typeName).\(variant.name)")
        #expect(table[variant.kind].name == variant.name, "\(table.typeName).\(variant.name)")
    }
    #expect(table.variant(at: spec.count) == nil && table.variant(named: "") == nil)
}

/// The same MessagePack tree with its tag replaced: a unit variant's bare name, or the key of the
/// one-entry map around any other variant's payload.
private func retagged(_ tree: MessagePackValue, _ tag: MessagePackValue) -> MessagePackValue {
    if case .map(let entries) = tree, entries.count == 1 { return .map([(key: tag, value: entries[0].value)]) }
    return tag
}

/// Every sample is written under its row's name, and reads back unchanged by name, by index, and
/// with its payload as a map keyed by the row's field names (under the strictest options, so a
/// field name the decoder does not know would fail). Every kind has a sample.
private func expectEveryVariantRoundTrips<Value: MessagePackCodable, Kind: Hashable & Sendable & CaseIterable>(
    _ table: WireEnumTable<Kind>, _ samples: [Value], kind: (Value) -> Kind, name: (Value) -> String
) throws {
    let strictest = WireDecodingOptions(unknownFields: .reject)
    var covered = Set<Kind>()
    for sample in samples {
        let variant = table[kind(sample)]
        covered.insert(variant.kind)
        let label = "\(table.typeName).\(variant.name)"
        #expect(name(sample) == variant.name, "\(label)")
        let bytes = try sample.messagePackBytes()
        let tree = try MessagePackValue(decoding: bytes)
        func readsBack(_ form: MessagePackValue, _ how: String) throws {
            let decoded = try Value(messagePack: try form.encoded(), options: strictest)
            #expect(try decoded.messagePackBytes() == bytes, "\(label) \(how)")
        }
        try readsBack(tree, "by name")
        try readsBack(retagged(tree, .uint(UInt64(variant.index))), "by index")
        switch variant.payload {
        case .unit:
            #expect(tree == .string(variant.name), "\(label): written as its bare name")
            try readsBack(.map([(key: .string(variant.name), value: .nil)]), "as {name: nil}")
            try readsBack(.map([(key: .uint(UInt64(variant.index)), value: .nil)]), "as {index: nil}")
        case .fields(let fields), .newtype(let fields):
            guard case .map(let entries) = tree, entries.count == 1, entries[0].key == .string(variant.name),
                  case .array(let values) = entries[0].value else {
                Issue.record("\(label): not written as {name: [fields]}: \(tree)")
                continue
            }
            #expect(values.count == fields.count, "\(label): \(values.count) values for \(fields.count) fields")
            let named = MessagePackValue.map(zip(fields.fieldNames, values).map { (key: .string($0.0), value: $0.1) })
            try readsBack(.map([(key: .string(variant.name), value: named)]), "with its fields named")
        }
    }
    #expect(covered == Set(Kind.allCases), "\(table.typeName): samples cover every variant")
}

@Suite("Wire tables")
struct WireTableTests {
    @Test func everyTableSaysWhatTheSpecSays() {
        expectTable(Request.wireTable, declares: Spec.request)
        expectTable(Response.wireTable, declares: Spec.response)
        expectTable(ErrorCode.wireTable, declares: Spec.errorCode)
    }

    @Test func cassVariantsRoundTripByNameByIndexAndWithNamedFields() throws {
        try expectEveryVariantRoundTrips(Request.wireTable, Samples.requests(), kind: \.kind, name: \.variantName)
        try expectEveryVariantRoundTrips(Response.wireTable, Samples.responses(), kind: \.kind, name: \.variantName)
        try expectEveryVariantRoundTrips(ErrorCode.wireTable, ErrorCode.allCases, kind: { $0 }, name: \.name)
    }

    private enum Toy: Hashable, Sendable, CaseIterable { case first, second, third }

    @Test func aBrokenTableIsCaught() {
        let broken = WireEnumTable<Toy>("Toy", [
            WireVariant(.first, "First", index: 0),
            WireVariant(.second, "Second", index: 2, .fields(WireStruct("Second", fields: ["a", "a", ""], optional: ["b"]))),
            WireVariant(.second, "First", index: 1, .fields(WireStruct("Other", fields: ["a"]))),
        ])
        #expect(broken.inconsistencies == [
            "Toy.Second: index 2, but it is row 1 (indices run 0, 1, 2, … in order)",
            "Toy.Second: field \"a\" declared twice",
            "Toy.Second: field 2 has no name",
            "Toy.Second: optional field \"b\" is not one of its fields",
            "Toy.First: index 1, but it is row 2 (indices run 0, 1, 2, … in order)",
            "Toy.First: name used by an earlier row",
            "Toy.First: its fields are declared as Other",
            "Toy: case second has 2 rows, not 1",
            "Toy: case third has 0 rows, not 1",
        ])
        let tooWide = WireStruct("Wide", fields: (0...WireStruct.maximumFieldCount).map { "f\($0)" })
        #expect(tooWide.inconsistencies == ["Wide: 65 fields, more than 64"])
        let sound = WireEnumTable<Toy>("Toy", unitVariants: Toy.allCases) { String(describing: $0).uppercased() }
        #expect(sound.inconsistencies == [] && sound.variants.map(\.index) == [0, 1, 2])
    }
}

@Suite("Unknown fields")
struct UnknownFieldTests {
    private static let reject = WireDecodingOptions(unknownFields: .reject)

    private static func body(_ value: MessagePackValue) throws -> [UInt8] { try value.encoded() }

    @Test func areSkippedByDefaultAndRefusedWhenTheOptionsSaySo() throws {
        let embed: MessagePackValue = [1, "t", ["Embed": ["texts": ["a"], "model": "m", "unknown": [1, 2]]]]
        let expected = RequestEnvelope(requestID: "t", request: .embed(texts: ["a"], model: "m", dims: nil))
        #expect(try RequestEnvelope.decode(from: Self.body(embed)) == expected)
        #expect(throws: WireError.unknownField(field: "payload.Embed", type: "Embed", name: "\"unknown\"")) {
            try RequestEnvelope.decode(from: Self.body(embed), options: Self.reject)
        }
        let error = #expect(throws: WireError.self) { try RequestEnvelope.decode(from: Self.body(embed), options: Self.reject) }
        #expect(error?.description == "payload.Embed: unknown Embed field \"unknown\"")
    }

    @Test func anyStructInMapFormIsCovered() throws {
        let envelope: MessagePackValue = ["version": 1, "request_id": "t", "payload": "Health", "extra": .nil]
        #expect(try RequestEnvelope.decode(from: Self.body(envelope)).request == .health)
        #expect(throws: WireError.unknownField(field: "", type: "FramedMessage", name: "\"extra\"")) {
            try RequestEnvelope.decode(from: Self.body(envelope), options: Self.reject)
        }
        let error: MessagePackValue = [1, "t", ["Error": [0: "Timeout", 1: "slow", 2: false, 9: .nil]]]
        #expect(throws: WireError.unknownField(field: "payload.Error", type: "ErrorResponse", name: "index 9")) {
            try ResponseEnvelope.decode(from: Self.body(error), options: Self.reject)
        }
        let status: MessagePackValue = [1, "t", ["Status": [1, 1, [["id": "e", "name": "n", "loaded": true,
                                                              "memory_bytes": 0, "size": 3]], [], 0, 0]]]
        #expect(throws: WireError.unknownField(field: "payload.Status.embedders[0]", type: "ModelInfo", name: "\"size\"")) {
            try ResponseEnvelope.decode(from: Self.body(status), options: Self.reject)
        }
    }

    @Test func knownFieldsStillObeyEveryOtherRule() {
        let twice: MessagePackValue = [1, "t", ["EmbeddingJobStatus": ["db_path": "/a", "db_path": "/b"]]]
        #expect(throws: WireError.duplicateField(field: "payload.EmbeddingJobStatus.db_path")) {
            try RequestEnvelope.decode(from: Self.body(twice), options: Self.reject)
        }
        let missing: MessagePackValue = [1, "t", ["CancelEmbeddingJob": ["model_id": "x"]]]
        #expect(throws: WireError.missingField(field: "payload.CancelEmbeddingJob.db_path")) {
            try RequestEnvelope.decode(from: Self.body(missing), options: Self.reject)
        }
    }
}
