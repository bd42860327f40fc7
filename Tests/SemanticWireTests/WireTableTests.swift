// Wire tables: each protocol enum is declared once, as a table, and these tests hold every table to
// the specs and the codec to its table. A table must be sound (names, kinds and unit values used once,
// one row per Swift case, sound field lists) and must say what the spec says (the declarations below
// are written out from the specs, apart from the tables; a row's position is its index). Every variant
// must be written by name, never by index, under the name and fields its JSON rendering gives, and read
// back by name, by index, and as a map keyed by its table's field names. A broken table is caught.
import SemanticTestSupport
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
    static let xfRequest: [SpecVariant] = [
        .unit("Health"), .fields("Embed", "texts", "model", "dims"), .fields("Rerank", "query", "documents", "model"),
        .unit("Status"), .unit("Shutdown"),
        .fields("SubmitEmbeddingJob", "db_path", "index_path", "model_id", "two_tier", "fast_model", "quality_model"),
        .fields("EmbeddingJobStatus", "db_path"), .fields("CancelEmbeddingJob", "db_path", "model_id"),
    ]
    static let xfResponse: [SpecVariant] = [
        .fields("Health", "uptime_secs", "models_loaded"), .fields("Embeddings", "vectors"), .fields("Scores", "scores"),
        .fields("Status", "uptime_secs", "models", "rss_mb", "requests_served", "in_flight", "queue_len"),
        .fields("Error", "code", "message"), .fields("Shutdown", "ok"), .fields("JobSubmitted", "job_id", "estimated_docs"),
        .fields("JobStatus", "jobs"), .fields("JobCancelled", "cancelled_count"),
    ]
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

    static let xfRequests: [XFRequest] = [
        .health, .status, .shutdown,
        .embed(texts: ["a", "é"], model: "m", dims: 256), .embed(texts: [], model: "", dims: nil),
        .rerank(query: "q", documents: ["d1", "d2"], model: "r"),
        .submitEmbeddingJob(dbPath: "/x.db", indexPath: "/ix", modelID: "quality", twoTier: true,
                            fastModel: "hash", qualityModel: nil),
        .submitEmbeddingJob(dbPath: "/x.db", indexPath: "/ix", modelID: "fast", twoTier: false,
                            fastModel: nil, qualityModel: "minilm"),
        .embeddingJobStatus(dbPath: "/x.db"), .embeddingJobStatus(dbPath: nil),
        .cancelEmbeddingJob(dbPath: "/x.db", modelID: "quality"), .cancelEmbeddingJob(dbPath: "/x.db", modelID: nil),
    ]

    static let xfResponses: [XFResponse] = [
        .health(uptimeSeconds: 12, modelsLoaded: 2), .embeddings([[0.5, -1], []]), .scores([0.25, 3]),
        .status(XFStatus(uptimeSeconds: 3600, models: [XFLoadedModelInfo(
            name: "all-MiniLM-L6-v2", modelType: "embedder", loadedAt: 1_700_000_000, requestsServed: 5, lastUsed: 0)],
                         residentMegabytes: 256.5, requestsServed: 1000, inFlight: 2, queueLength: 0)),
        .error(code: .unknownModel, message: "unknown model: x"), .error(code: XFErrorCode(rawValue: 999), message: ""),
        .shutdown(ok: true), .jobSubmitted(jobID: -3, estimatedDocuments: 5000),
        .jobStatus([XFEmbeddingJobInfo(id: 12, dbPath: "/x.db", modelID: "quality", status: "in_progress",
                                       totalDocuments: 5000, completedDocuments: 1250, progressPercent: 25,
                                       createdAt: 1_700_000_000, startedAt: 1_700_000_005, completedAt: 0,
                                       errorMessage: nil)]),
        .jobCancelled(count: 1),
    ]
}

/// The spec's declaration of one enum, compared with its table row by row.
private func expectTable<Value, Kind>(_ table: WireEnumTable<Value, Kind>, declares spec: [SpecVariant]) throws {
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
        #expect(try table.variant(for: variant.kind).name == variant.name, "\(table.typeName).\(variant.name)")
    }
    #expect(table.variant(at: spec.count) == nil && table.variant(at: -1) == nil && table.variant(named: "") == nil)
}

/// The same MessagePack tree with its tag replaced: a unit variant's bare name, or the key of the
/// one-entry map around any other variant's payload.
private func retagged(_ tree: MessagePackValue, _ tag: MessagePackValue) -> MessagePackValue {
    if case .map(let entries) = tree, entries.count == 1 { return .map([(key: tag, value: entries[0].value)]) }
    return tag
}

/// The variant name and field names of a value as the JSON renderings (written apart from the codec)
/// spell them: a unit variant is its name, any other `{name: {field: value, …}}`.
private func renderedVariant(_ json: JSONValue) -> (name: String, fields: Set<String>)? {
    switch json {
    case .string(let name): return (name, [])
    case .object(let entries) where entries.count == 1:
        guard let (name, payload) = entries.first, case .object(let fields) = payload else { return nil }
        return (name, Set(fields.keys))
    default: return nil
    }
}

/// Every sample is written under its row's name, the name and fields its JSON rendering gives, and
/// reads back unchanged by name, by index, and with its payload as a map keyed by the row's field
/// names (under the strictest options, so a field name the decoder does not know would fail). Every
/// row has a sample.
private func expectEveryVariantRoundTrips<Value: MessagePackCodable, Kind>(
    _ table: WireEnumTable<Value, Kind>, _ samples: [Value], name: (Value) -> String, json: (Value) -> JSONValue?
) throws {
    let strictest = WireDecodingOptions(unknownFields: .reject)
    var covered = Set<String>()
    for sample in samples {
        guard let variant = table.variant(named: name(sample)) else {
            Issue.record("\(table.typeName): \(name(sample)) is not a row")
            continue
        }
        covered.insert(variant.name)
        let label = "\(table.typeName).\(variant.name)"
        if let json = json(sample) {
            let rendered = renderedVariant(json)
            #expect(rendered?.name == variant.name, "\(label): rendered as \(json)")
            #expect(rendered?.fields == Set(variant.fields.fieldNames), "\(label): rendered as \(json)")
        }
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
    #expect(covered == Set(table.variants.map(\.name)), "\(table.typeName): samples cover every variant")
}

@Suite("Wire tables")
struct WireTableTests {
    @Test func everyTableSaysWhatTheSpecSays() throws {
        try expectTable(Request.wireTable, declares: Spec.request)
        try expectTable(Response.wireTable, declares: Spec.response)
        try expectTable(ErrorCode.wireTable, declares: Spec.errorCode)
        try expectTable(XFRequest.wireTable, declares: Spec.xfRequest)
        try expectTable(XFResponse.wireTable, declares: Spec.xfResponse)
    }

    @Test func cassVariantsRoundTripByNameByIndexAndWithNamedFields() throws {
        try expectEveryVariantRoundTrips(Request.wireTable, Samples.requests(), name: \.variantName, json: \.json)
        try expectEveryVariantRoundTrips(Response.wireTable, Samples.responses(), name: \.variantName, json: \.json)
        try expectEveryVariantRoundTrips(ErrorCode.wireTable, ErrorCode.allCases, name: \.name) { .string($0.rawValue) }
    }

    @Test func xfVariantsRoundTripByNameByIndexAndWithNamedFields() throws {
        try expectEveryVariantRoundTrips(XFRequest.wireTable, Samples.xfRequests, name: \.variantName, json: \.json)
        try expectEveryVariantRoundTrips(XFResponse.wireTable, Samples.xfResponses, name: \.variantName, json: \.json)
    }

    @Test func theVariantsBothDialectsShareAreDeclaredAlike() {
        for name in ["Health", "Embed", "Rerank", "Status", "CancelEmbeddingJob", "Shutdown"] {
            let cass = Request.wireTable.variant(named: name), xf = XFRequest.wireTable.variant(named: name)
            #expect(cass != nil && cass?.fields == xf?.fields, "\(name)")
        }
        #expect(Request.wireTable.variant(named: "Shutdown")?.index == 7)
        #expect(XFRequest.wireTable.variant(named: "Shutdown")?.index == 4)
    }

    /// Another dialect or protocol version of the same enum is another table: here cass v1's `Request`
    /// without `Rerank`, in which `Shutdown` moves up to index 6.
    @Test func anotherTableOfTheSameEnumIsItsOwnDialect() throws {
        let withoutRerank = WireEnumTable<Request, Request.Kind>(
            "Request", Request.wireTable.variants.filter { $0.name != "Rerank" })
        #expect(withoutRerank.inconsistencies == ["Request: case rerank has no row"])
        #expect(throws: WireError.unknownVariant(field: "", type: "Request", name: "rerank")) {
            try withoutRerank.variant(for: .rerank)
        }
        var writer = MessagePackWriter()
        #expect(throws: WireError.unknownVariant(field: "", type: "Request", name: "rerank")) {
            try Request.rerank(query: "q", documents: [], model: "m").encode(to: &writer, as: withoutRerank)
        }
        try Request.shutdown.encode(to: &writer, as: withoutRerank)
        #expect(writer.bytes == [0xa8] + Array("Shutdown".utf8))
        var byIndex = MessagePackReader([0x06])
        #expect(try Request(from: &byIndex, as: withoutRerank) == .shutdown)
        var rerank = MessagePackReader(try Request.rerank(query: "q", documents: [], model: "m").messagePackBytes())
        #expect(throws: WireError.unknownVariant(field: "", type: "Request", name: "\"Rerank\"")) {
            try Request(from: &rerank, as: withoutRerank)
        }
        #expect(throws: WireError.unknownVariant(field: "", type: "Request", name: "health")) {
            try WireEnumTable<Request, Request.Kind>("Request", []).unitVariant(of: .health)
        }
        #expect(try Request.embed(texts: [], model: "m", dims: nil).variant(in: Request.wireTable).index == 1)
    }

    private enum Toy: Hashable, Sendable, CaseIterable { case first, second, third, fourth }

    @Test func aBrokenTableIsCaught() {
        let broken = WireEnumTable<Toy, Toy>("Toy", [
            WireVariant(.first, "First", unit: .first),
            WireVariant(.second, "Second", fields: WireStruct("Second", fields: ["a", "a", ""])) { _, _ in .second },
            WireVariant(.second, "First", fields: WireStruct("Other", fields: ["a"])) { _, _ in .second },
            WireVariant(.third, "Third", unit: .first),
            WireVariant(.third, "", unit: .third),
        ])
        #expect(broken.inconsistencies == [
            "Toy.Second: field \"a\" declared twice",
            "Toy.Second: field 2 has no name",
            "Toy.First: name used by an earlier row",
            "Toy.First: case second has an earlier row",
            "Toy.First: its fields are declared as Other",
            "Toy.Third: the same value as an earlier row",
            "Toy: row 4 has no name",
            "Toy.: case third has an earlier row",
            "Toy: case fourth has no row",
        ])
        #expect(broken.variants.map(\.index) == [0, 1, 2, 3, 4])
        let tooWide = WireStruct("Wide", fields: (0...WireStruct.maximumFieldCount).map { "f\($0)" })
        #expect(tooWide.inconsistencies == ["Wide: 65 fields, more than 64"])
        let sound = WireEnumTable<Toy, Toy>("Toy", Toy.allCases.map { WireVariant($0, "\($0)", unit: $0) })
        #expect(sound.inconsistencies == [] && sound.variants.map(\.index) == [0, 1, 2, 3])
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

    @Test func theXFDialectObeysTheSameOption() throws {
        let payload = try MessagePackValue.map([(key: "Shutdown", value: ["ok": true, "reason": "x"])]).encoded()
        let envelope = XFEnvelope(id: 1, payload: payload)
        #expect(try envelope.response() == .shutdown(ok: true))
        #expect(throws: WireError.unknownField(field: "payload.Shutdown", type: "Shutdown", name: "\"reason\"")) {
            try envelope.response(options: Self.reject)
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
