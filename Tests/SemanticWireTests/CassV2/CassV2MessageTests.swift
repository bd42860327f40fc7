// The v2 message set against its spec: both tables say what §3.1 and §3.2 say, every variant is
// written by name and read back by name, by index and with its fields named under v2's strict rules,
// the indices moved from v1's, the §3.3 request→response pairing, and the envelope's 10 MiB limit.
import SemanticTestSupport
import SemanticWire
import Testing

/// §3.1 and §3.2, written out apart from the tables: name, payload form and field names, in Rust order.
private enum Spec {
    enum Form { case unit, fields, newtype }

    static let request: [(String, Form, [String])] = [
        ("Health", .unit, []), ("ConnectionIdentity", .unit, []), ("HandshakeAttested", .fields, ["challenge"]),
        ("HealthAttested", .fields, ["challenge"]), ("Embed", .fields, ["texts", "model", "dims"]),
        ("EmbedAttested", .fields, ["texts", "model", "dims", "challenge"]),
        ("Rerank", .fields, ["query", "documents", "model"]),
        ("RerankAttested", .fields, ["query", "documents", "model", "challenge"]), ("Status", .unit, []),
        ("SubmitEmbeddingJob", .fields, ["db_path", "index_path", "two_tier", "fast_model", "quality_model"]),
        ("EmbeddingJobStatus", .fields, ["db_path"]), ("CancelEmbeddingJob", .fields, ["db_path", "model_id"]),
        ("Shutdown", .unit, []),
    ]

    static let response: [(String, Form, [String])] = [
        ("Health", .newtype, ["uptime_secs", "version", "ready", "memory_bytes"]),
        ("ConnectionIdentity", .newtype, ["schema_version", "endpoint_fingerprint", "executable_fingerprint",
                                          "protocol_revision", "key_id", "generation", "embedding_identity", "model_category"]),
        ("Attestation", .newtype, ["schema_version", "challenge", "connection", "vector_count", "vector_dimension",
                                   "response_payload_sha256", "signature_hmac_sha256"]),
        ("Embed", .newtype, ["embeddings", "model", "elapsed_ms"]),
        ("AttestedEmbedding", .newtype, ["vectors", "attestation"]),
        ("Rerank", .newtype, ["scores", "model", "elapsed_ms"]),
        ("Status", .newtype, ["uptime_secs", "version", "embedders", "rerankers", "memory_bytes", "total_requests"]),
        ("JobSubmitted", .fields, ["job_id", "message"]), ("JobStatus", .newtype, ["jobs"]),
        ("JobCancelled", .fields, ["cancelled", "message"]), ("Shutdown", .fields, ["message"]),
        ("Error", .newtype, ["code", "message", "retryable", "retry_after_ms"]),
    ]
}

private func expectTable<Value, Kind>(
    _ table: WireEnumTable<Value, Kind>, declares spec: [(String, Spec.Form, [String])]
) throws {
    #expect(table.inconsistencies == [], "\(table.typeName)")
    #expect(table.variants.map(\.name) == spec.map(\.0), "\(table.typeName): names in Rust order")
    #expect(table.variants.map(\.index) == Array(spec.indices), "\(table.typeName): indices")
    for (variant, expected) in zip(table.variants, spec) {
        switch (variant.payload, expected.1) {
        case (.unit, .unit), (.fields, .fields), (.newtype, .newtype): break
        default: Issue.record("\(table.typeName).\(variant.name): payload \(variant.payload), spec says \(expected.1)")
        }
        #expect(variant.fields.fieldNames == expected.2, "\(table.typeName).\(variant.name): fields")
        #expect(table.variant(at: variant.index)?.name == variant.name, "\(table.typeName).\(variant.name)")
        #expect(try table.variant(for: variant.kind).name == variant.name, "\(table.typeName).\(variant.name)")
    }
}

/// One value of every variant, optional fields both set and left out.
private enum Samples {
    static let challenge = WorkedExample.embedChallenge

    static let requests: [CassV2Request] = [
        .health, .connectionIdentity, .handshakeAttested(challenge: WorkedExample.handshakeChallenge),
        .healthAttested(challenge: DaemonChallengeV1(requestNonce: String(repeating: "4", count: 64), operation: .health,
                                                     orderedRequestSHA256: "a7", inputCount: 0, expectedConnectionFingerprint: "d9")),
        .embed(texts: ["hello world"], model: "default", dims: nil), .embed(texts: [], model: "", dims: 384),
        .embedAttested(texts: ["a", "b"], model: "default", dims: nil, challenge: challenge),
        .embedAttested(texts: ["a"], model: "minilm", dims: 384, challenge: challenge),
        .rerank(query: "q", documents: ["doc a"], model: "default"),
        .rerankAttested(query: "q", documents: ["doc a", "doc b"], model: "default", challenge: WorkedExample.rerankChallenge),
        .status,
        .submitEmbeddingJob(dbPath: "/d/a.db", indexPath: "/d/i", twoTier: true, fastModel: "fnv1a-384", qualityModel: nil),
        .submitEmbeddingJob(dbPath: "/d/a.db", indexPath: "/d/i", twoTier: false, fastModel: nil, qualityModel: "minilm"),
        .embeddingJobStatus(dbPath: "/d/a.db"), .cancelEmbeddingJob(dbPath: "/d/a.db", modelID: nil),
        .cancelEmbeddingJob(dbPath: "/d/a.db", modelID: "minilm-384"), .shutdown,
    ]

    static let responses: [CassV2Response] = [
        .health(.cassV2(uptimeSeconds: 5, ready: true, memoryBytes: 1 << 33)),
        .connectionIdentity(WorkedExample.connection), .attestation(WorkedExample.handshakeProof),
        .embed(EmbedResponse(embeddings: [[0.5, -1], []], model: "minilm-384", elapsedMilliseconds: 3)),
        .attestedEmbedding(WorkedExample.embedProof), .attestedEmbedding(WorkedExample.rerankProof),
        .rerank(RerankResponse(scores: [1.5, -2.25], model: "ms-marco", elapsedMilliseconds: 2)),
        .status(StatusResponse(uptimeSeconds: 60, version: 2, embedders: [
            ModelInfo(id: "minilm-384", name: "all-MiniLM-L6-v2", dimension: 384, loaded: true, memoryBytes: 90_868_376),
        ], rerankers: [ModelInfo(id: "none", name: "n", dimension: nil, loaded: false, memoryBytes: 0)],
            memoryBytes: 1, totalRequests: 2)),
        .jobSubmitted(jobID: "job-42", message: "queued"),
        .jobStatus(EmbeddingJobInfo(jobs: [EmbeddingJobDetail(jobID: 7, modelID: "m", status: "running", totalDocuments: 10,
                                                              completedDocuments: 3, errorMessage: nil)])),
        .jobCancelled(cancelled: 2, message: "cancelled 2 jobs"), .shutdown(message: "daemon shutting down"),
        .error(ErrorResponse(code: .overloaded, message: "busy", retryable: true, retryAfterMilliseconds: 1000)),
        .error(ErrorResponse(code: .versionMismatch, message: "v", retryable: false)),
    ]
}

private func retagged(_ tree: MessagePackValue, _ tag: MessagePackValue) -> MessagePackValue {
    if case .map(let entries) = tree, entries.count == 1 { return .map([(key: tag, value: entries[0].value)]) }
    return tag
}

/// Every sample is written under its row's name and reads back unchanged by name, by index, and with
/// its payload as a map keyed by the row's field names, under v2's strict options.
private func expectEveryVariantRoundTrips<Value: WireTableEnum>(_ samples: [Value]) throws {
    let table = Value.wireTable
    var covered = Set<Value.Kind>()
    for sample in samples {
        let variant = try table.variant(for: sample.rowKind())
        covered.insert(variant.kind)
        let label = "\(table.typeName).\(variant.name)"
        #expect(sample.variantName == variant.name, "\(label)")
        let bytes = try sample.messagePackBytes()
        let tree = try MessagePackValue(decoding: bytes)
        func readsBack(_ form: MessagePackValue, _ how: String) throws {
            let decoded = try Value(messagePack: try form.encoded(), options: CassV2.decodingOptions)
            #expect(try decoded.messagePackBytes() == bytes, "\(label) \(how)")
        }
        try readsBack(tree, "by name")
        try readsBack(retagged(tree, .uint(UInt64(variant.index))), "by index")
        switch variant.payload {
        case .unit:
            #expect(tree == .string(variant.name), "\(label): written as its bare name")
            try readsBack(.map([(key: .string(variant.name), value: .nil)]), "as {name: nil}")
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
    #expect(covered == Set(Value.Kind.allCases), "\(table.typeName): samples cover every variant")
}

@Suite("cass v2 messages")
struct CassV2MessageTests {
    @Test func bothTablesSayWhatTheSpecSays() throws {
        try expectTable(CassV2Request.wireTable, declares: Spec.request)
        try expectTable(CassV2Response.wireTable, declares: Spec.response)
        #expect(CassV2Request.Kind.allCases.count == 13 && CassV2Response.Kind.allCases.count == 12)
    }

    @Test func everyVariantRoundTripsByNameByIndexAndWithNamedFields() throws {
        try expectEveryVariantRoundTrips(Samples.requests)
        try expectEveryVariantRoundTrips(Samples.responses)
    }

    @Test func everyEnvelopeRoundTripsThroughItsFrame() throws {
        for (index, request) in Samples.requests.enumerated() {
            let envelope = CassV2RequestEnvelope(requestID: "cass-\(index)", request: request)
            let frame = try envelope.encodedFrame()
            #expect(Array(frame[4..<6]) == [0x93, 0x02])
            #expect(try CassV2RequestEnvelope.decode(frameBody: Array(frame.dropFirst(4))) == envelope)
        }
        for (index, response) in Samples.responses.enumerated() {
            let envelope = CassV2ResponseEnvelope(requestID: "cass-\(index)", response: response)
            let frame = try envelope.encodedFrame()
            #expect(try CassV2ResponseEnvelope.decode(frameBody: Array(frame.dropFirst(4))) == envelope)
        }
    }

    /// v2 inserted variants in the middle: the same index names another variant than in v1, while
    /// names of old variants did not change.
    @Test func indicesMovedButNamesDidNot() throws {
        let byIndex = { (index: UInt8) -> [UInt8] in [0x81, index, 0xc0] }
        #expect(try CassV2Request(messagePack: byIndex(1)) == .connectionIdentity)
        #expect(Request.wireTable.variant(at: 1)?.name == "Embed")
        #expect(CassV2Request.wireTable.variant(at: 1)?.name == "ConnectionIdentity")
        #expect(Response.wireTable.variant(at: 8)?.name == "Error" && CassV2Response.wireTable.variant(at: 8)?.name == "JobStatus")
        #expect(try CassV2Request(messagePack: byIndex(8)) == .status)
        #expect(try Request(messagePack: byIndex(3)) == .status)
        #expect(try CassV2Request(messagePack: byIndex(12)) == .shutdown)
        #expect(throws: WireError.unknownVariant(field: "", type: "Request", name: "index 13")) {
            try CassV2Request(messagePack: byIndex(13))
        }
        // Every v1 request and response reads as the same-named v2 variant.
        let v1: [(Request, CassV2Request)] = [
            (.health, .health), (.status, .status), (.shutdown, .shutdown),
            (.embed(texts: ["a"], model: "m", dims: 3), .embed(texts: ["a"], model: "m", dims: 3)),
            (.rerank(query: "q", documents: ["d"], model: "m"), .rerank(query: "q", documents: ["d"], model: "m")),
            (.embeddingJobStatus(dbPath: "/a"), .embeddingJobStatus(dbPath: "/a")),
        ]
        for (old, new) in v1 {
            #expect(try CassV2Request(messagePack: old.messagePackBytes()) == new)
            #expect(try new.messagePackBytes() == old.messagePackBytes())
        }
    }

    @Test func eachRequestAcceptsItsAnswerAndErrorOnly() throws {
        let expected: [CassV2Request.Kind: CassV2Response.Kind] = [
            .health: .health, .connectionIdentity: .connectionIdentity, .handshakeAttested: .attestation,
            .healthAttested: .attestation, .embed: .embed, .embedAttested: .attestedEmbedding, .rerank: .rerank,
            .rerankAttested: .attestedEmbedding, .status: .status, .submitEmbeddingJob: .jobSubmitted,
            .embeddingJobStatus: .jobStatus, .cancelEmbeddingJob: .jobCancelled, .shutdown: .shutdown,
        ]
        for request in CassV2Request.Kind.allCases {
            #expect(request.answer == expected[request], "\(request)")
            for response in CassV2Response.Kind.allCases {
                #expect(request.accepts(response) == (response == .error || response == expected[request]), "\(request) → \(response)")
            }
        }
        // The same on values: every sample request against every sample response.
        for request in Samples.requests {
            for response in Samples.responses {
                #expect(request.accepts(response) == (try expected[request.rowKind()] == response.rowKind()
                    || response.rowKind() == .error), "\(request.variantName) → \(response.variantName)")
            }
        }
    }

    @Test func theChallengeOfAnAttestedRequest() throws {
        #expect(try Samples.requests.filter { $0.challenge != nil }.map { try $0.rowKind() }
            == [.handshakeAttested, .healthAttested, .embedAttested, .embedAttested, .rerankAttested])
        #expect(CassV2Request.embedAttested(texts: [], model: "", dims: nil, challenge: WorkedExample.embedChallenge).challenge
            == WorkedExample.embedChallenge)
    }

    @Test func healthCarriesVersionTwo() throws {
        let health = HealthStatus.cassV2(uptimeSeconds: 1, ready: false, memoryBytes: 2)
        #expect(health.version == 2 && CassV2.protocolVersion == 2)
        #expect(try CassV2Response.health(health).messagePackBytes() == [0x81, 0xa6] + Array("Health".utf8) + [0x94, 0x01, 0x02, 0xc2, 0x02])
    }

    @Test func aFrameOfExactlyTenMebibytesIsWrittenAndOneByteMoreIsRefused() throws {
        // [2, "x", {"Shutdown": [str32]}]: 20 bytes around the message.
        let overhead = 20
        func envelope(_ length: Int) -> CassV2ResponseEnvelope {
            CassV2ResponseEnvelope(requestID: "x", response: .shutdown(message: String(repeating: "a", count: length)))
        }
        let limit = CassV2.maximumFrameBodyLength
        #expect(limit == 10_485_760)
        let frame = try envelope(limit - overhead).encodedFrame()
        #expect(frame.count == limit + 4)
        #expect(try CassV2.frameBodyLength(header: frame.prefix(4)) == limit)
        #expect(try CassV2ResponseEnvelope.decode(frameBody: frame[4...]) == envelope(limit - overhead))
        #expect(throws: WireError.frameTooLarge(length: limit + 1, limit: limit)) { try envelope(limit - overhead + 1).encodedFrame() }
    }

    @Test func framesOfNoBytesOrOverTenMebibytesAreRefused() throws {
        for length: UInt32 in [0, 10_485_761, UInt32.max] {
            let header = withUnsafeBytes(of: length.bigEndian, Array.init)
            let error = #expect(throws: CassV2DecodingError.self) { try CassV2.frameBodyLength(header: header) }
            #expect(error?.reason == .emptyOrOversizedFrame)
            #expect(error?.description == "decode error: empty or oversized daemon frame")
        }
        #expect(try CassV2.frameBodyLength(header: [0, 0, 0, 1]) == 1)
        #expect(try CassV2.frameBodyLength(header: [0, 0xa0, 0, 0]) == 10_485_760)
        #expect(throws: CassV2DecodingError.self) { try CassV2.frameBodyLength(header: [0, 0, 1]) }
        let empty = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: []) }
        #expect(empty?.reason == .emptyOrOversizedFrame)
        let huge = [UInt8](repeating: 0xc0, count: 10_485_761)
        let oversized = #expect(throws: CassV2DecodingError.self) { try CassV2ResponseEnvelope.decode(frameBody: huge) }
        #expect(oversized?.reason == .emptyOrOversizedFrame)
    }

    @Test func unknownFieldsAreRefusedAtEveryLevelOfTheNamedForm() throws {
        let challenge = namedMessagePack(WorkedExample.embedChallenge.json)
        func frame(_ payload: MessagePackValue) throws -> [UInt8] { try MessagePackValue.array([2, "t", payload]).encoded() }
        let good = try frame(["EmbedAttested": ["texts": ["a"], "model": "m", "challenge": challenge]])
        #expect(try CassV2RequestEnvelope.decode(frameBody: good).request
            == .embedAttested(texts: ["a"], model: "m", dims: nil, challenge: WorkedExample.embedChallenge))
        let extraInVariant = try frame(["EmbedAttested": ["texts": ["a"], "model": "m", "challenge": challenge, "priority": 1]])
        guard case .map(var entries) = challenge else { Issue.record("not a map"); return }
        entries.append((key: "expires_at", value: 0))
        let extraInChallenge = try frame(["HandshakeAttested": ["challenge": .map(entries)]])
        for (body, detail) in [
            (extraInVariant, WireError.unknownField(field: "payload.EmbedAttested", type: "EmbedAttested", name: "\"priority\"")),
            (extraInChallenge, WireError.unknownField(field: "payload.HandshakeAttested.challenge", type: "DaemonChallengeV1",
                                                      name: "\"expires_at\"")),
        ] {
            let error = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: body) }
            #expect(error?.reason == .invalidStructure)
            #expect(error?.detail == detail)
        }
    }

    /// The peer's bytes never reach an error text: whatever was wrong, the text is one of three.
    @Test func errorTextsNeverEchoThePeersBytes() throws {
        let marker = "peer-chosen-text-\u{1F680}"
        let bodies: [[UInt8]] = [
            try MessagePackValue.array([2, "t", .string(marker)]).encoded(),
            try MessagePackValue.array([2, "t", [.string(marker): .nil]]).encoded(),
            try MessagePackValue.map([("version", 2), ("request_id", "t"), ("payload", "Health"), (.string(marker), 1)]).encoded(),
            try MessagePackValue.array([2, "t", "Health", .string(marker)]).encoded(),
            try MessagePackValue.array([2, "t", "Health"]).encoded() + Array(marker.utf8),
        ]
        for body in bodies {
            let error = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: body) }
            guard let error else { continue }
            #expect(CassV2DecodingError.Reason.allCases.map { "decode error: " + $0.rawValue }.contains(error.description))
            guard case .reply(let reply) = CassV2RequestTriage(frameBody: body), case .error(let response) = reply.response else {
                Issue.record("not answered with an error")
                continue
            }
            #expect(!response.message.contains("peer-chosen"))
            #expect(reply.requestID == "error")
        }
    }
}
