// The bundle and connection validation rules a cass client applies (spec §5.8 last paragraph,
// §6.4 step 2): each rule broken once on an otherwise valid value, with the field it names.
import SemanticAttestation
import SemanticWire
import Testing

@Suite("Identity validation")
struct IdentityValidationTests {
    static var bundle: EmbeddingIdentityBundleV1 { ContractJSON.workedConnection.embeddingIdentity }

    /// Breaks `bundle` with `change`, then expects exactly `field`/`rule`.
    func expectBroken(_ field: String, _ rule: IdentityValidationError.Rule,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ change: (inout EmbeddingIdentityBundleV1) -> Void) {
        var bundle = Self.bundle
        change(&bundle)
        #expect(throws: IdentityValidationError(field: field, rule: rule), sourceLocation: sourceLocation) { try bundle.validate() }
    }

    @Test("the worked example's connection and both MiniLM bundles validate")
    func validValues() throws {
        try ContractJSON.workedConnection.validate()
        for row in V2Fixture.shared.identityTable.values {
            try ContractJSON.bundle(row["bundle"] as! [String: Any]).validate()
        }
    }

    @Test("schemas, hex, texts and dimensions")
    func fieldRules() {
        expectBroken("space.schema_version", .unsupportedSchema(found: 2)) { $0.space.schemaVersion = 2 }
        expectBroken("producer.schema_version", .unsupportedSchema(found: 0)) { $0.producer.schemaVersion = 0 }
        expectBroken("input.schema_version", .unsupportedSchema(found: 9)) { $0.input.schemaVersion = 9 }
        expectBroken("storage.schema_version", .unsupportedSchema(found: 3)) { $0.storage.schemaVersion = 3 }
        expectBroken("space.tokenizer_fingerprint", .notCanonicalSHA256) { $0.space.tokenizerFingerprint = $0.space.tokenizerFingerprint.uppercased() }
        expectBroken("space.logical_model_id", .blank) { $0.space.logicalModelID = " \u{2003} " }
        expectBroken("space.pooling", .controlCharacter) { $0.space.pooling = "mean\u{7}" }
        expectBroken("space.model_preprocessing", .controlCharacter) { $0.space.modelPreprocessing = "\t" }  // control before blank
        expectBroken("space.sequence_policy", .tooLong(byteCount: 4_097)) { $0.space.sequencePolicy = String(repeating: "x", count: 4_097) }
        expectBroken("space.dimension", .zero) { $0.space.dimension = 0 }
        expectBroken("producer.backend", .blank) { $0.producer.backend = "" }
        expectBroken("producer.golden_vectors.vector_count", .zero) { $0.producer.goldenVectors.vectorCount = 0 }
        expectBroken("input.doc_id_semantics", .blank) { $0.input.docIDSemantics = "" }
        expectBroken("input.query_instruction", .controlCharacter) { $0.input.queryInstruction = "a\nb" }
    }

    @Test("instructions may be empty, other texts may not")
    func optionalTexts() throws {
        var bundle = Self.bundle
        bundle.space.queryInstruction = ""
        bundle.space.documentInstruction = ""
        try bundle.validate()
    }

    @Test("artifacts: unique roles, positive sizes, present for a semantic space")
    func artifactRules() {
        expectBroken("space.artifacts[].role", .duplicate("weights")) { $0.space.artifacts[1].role = "weights" }
        expectBroken("space.artifacts[].size", .zero) { $0.space.artifacts[0].size = 0 }
        expectBroken("space.artifacts", .semanticSpaceWithoutArtifacts) { $0.space.artifacts = [] }
        expectBroken("space.hash_control", .semanticSpaceWithHashControl) {
            $0.space.hashControl = HashControlProfileV1(algorithm: "a", algorithmRevision: "r", seed: 1, featureRules: "f",
                                                        tokenizationRules: "t", signingRules: "s", normalizationRules: "n")
        }
        expectBroken("space.hash_control", .hashControlSpaceWithoutProfile) { $0.space.kind = .hashControl }
    }

    @Test("cross-bindings: producer → space, space → input, storage and golden dimension and normalisation")
    func bindings() {
        expectBroken("producer.space_fingerprint", .doesNotBind(what: "the bundled space identity")) { $0.space.pooling = "cls" }
        expectBroken("space.input_contract_fingerprint", .doesNotBind(what: "the bundled input contract")) { $0.input.chunking = "other" }
        expectBroken("storage.dimension", .doesNotBind(what: "the space dimension")) { $0.storage.dimension = 383 }
        expectBroken("storage.vector_normalization", .doesNotBind(what: "the space output normalization")) { $0.storage.vectorNormalization = "none" }
        expectBroken("producer.golden_vectors.dimension", .doesNotBind(what: "the space dimension")) { $0.producer.goldenVectors.dimension = 128 }
    }

    @Test("storage formats: in-memory means F32 and native values; fsvi means little-endian")
    func storageRules() {
        expectBroken("storage.quantization", .storageContract("in-memory formats hold F32 values")) { $0.storage.quantization = .f16 }
        expectBroken("storage.endianness", .storageContract("in-memory formats need native-f32-values or native-test-only")) {
            $0.storage.endianness = "little-endian"
        }
        expectBroken("storage.endianness", .storageContract("fsvi formats are little-endian")) { $0.storage.format = "fsvi-v2" }
    }

    @Test("projection: a strict reduction whose output is the space dimension")
    func projectionRules() {
        let parent = Self.bundle.space.fingerprint
        expectBroken("space.projection.output_dimension", .notStrictReduction) {
            $0.space.projection = EmbeddingProjectionV1(parentSpaceFingerprint: parent, sourceDimension: 384, outputDimension: 384,
                                                        projectionRule: "prefix", renormalizationRule: "l2")
        }
        expectBroken("space.projection.output_dimension", .doesNotBind(what: "the space dimension")) {
            $0.space.projection = EmbeddingProjectionV1(parentSpaceFingerprint: parent, sourceDimension: 768, outputDimension: 256,
                                                        projectionRule: "prefix", renormalizationRule: "l2")
        }
    }

    @Test("a hash-control space binds its profile and lists no artifacts")
    func hashControlSpaces() throws {
        let profile = HashControlProfileV1(algorithm: "fnv1a", algorithmRevision: "v1", seed: 0, featureRules: "words",
                                           tokenizationRules: "split", signingRules: "sign", normalizationRules: "l2")
        var bundle = Self.bundle
        bundle.space.kind = .hashControl
        bundle.space.hashControl = profile
        bundle.space.artifacts = []
        bundle.space.artifactManifestFingerprint = profile.fingerprint
        bundle.producer.provenanceManifestFingerprint = profile.fingerprint
        bundle.producer.spaceFingerprint = bundle.space.fingerprint
        try bundle.validate()
        var withArtifacts = bundle
        withArtifacts.space.artifacts = Self.bundle.space.artifacts
        withArtifacts.producer.spaceFingerprint = withArtifacts.space.fingerprint
        #expect(throws: IdentityValidationError(field: "space.artifacts", rule: .hashControlSpaceWithArtifacts)) { try withArtifacts.validate() }
        var unbound = bundle
        unbound.producer.provenanceManifestFingerprint = String(repeating: "0", count: 64)
        #expect(throws: IdentityValidationError(field: "producer.provenance_manifest_fingerprint", rule: .doesNotBind(what: "the hash-control profile"))) {
            try unbound.validate()
        }
        // A hash-control space is only valid under the HashEmbedder category.
        var connection = ContractJSON.workedConnection
        connection.embeddingIdentity = bundle
        #expect(throws: IdentityValidationError(field: "connection.model_category", rule: .categoryDisagreesWithKind)) { try connection.validate() }
        connection.modelCategory = .hashEmbedder
        try connection.validate()
    }

    @Test("connection: fingerprints, bounded labels, generation")
    func connectionRules() {
        func expectBroken(_ field: String, _ rule: IdentityValidationError.Rule, _ change: (inout DaemonConnectionIdentityV1) -> Void) {
            var connection = ContractJSON.workedConnection
            change(&connection)
            #expect(throws: IdentityValidationError(field: field, rule: rule)) { try connection.validate() }
        }
        expectBroken("connection.schema_version", .unsupportedSchema(found: 2)) { $0.schemaVersion = 2 }
        expectBroken("connection.endpoint_fingerprint", .notCanonicalSHA256) { $0.endpointFingerprint = "abc" }
        expectBroken("connection.executable_fingerprint", .notCanonicalSHA256) { $0.executableFingerprint = String(repeating: "G", count: 64) }
        expectBroken("connection.protocol_revision", .notBoundedLabel) { $0.protocolRevision = "has space" }
        expectBroken("connection.protocol_revision", .notBoundedLabel) { $0.protocolRevision = String(repeating: "a", count: 129) }
        expectBroken("connection.key_id", .notBoundedLabel) { $0.keyID = "" }
        expectBroken("connection.generation", .zero) { $0.generation = 0 }
        expectBroken("producer.space_fingerprint", .doesNotBind(what: "the bundled space identity")) { $0.embeddingIdentity.space.dimension = 385 }
        var longestLabel = ContractJSON.workedConnection
        longestLabel.protocolRevision = String(repeating: "a", count: 120) + "-_./:Z09"
        #expect(throws: Never.self) { try longestLabel.validate() }
    }

    @Test("challenge shape: input counts per operation")
    func challengeShapes() throws {
        let base = DaemonChallengeV1(requestNonce: String(repeating: "1", count: 64), operation: .handshake,
                                     orderedRequestSHA256: String(repeating: "2", count: 64), inputCount: 0,
                                     expectedConnectionFingerprint: String(repeating: "3", count: 64))
        let allowed: [(DaemonOperationV1, UInt32, Bool)] = [
            (.handshake, 0, true), (.handshake, 1, false), (.health, 0, true), (.health, 2, false),
            (.embed, 1, true), (.embed, 0, false), (.embed, 2, false), (.embedBatch, 1, true), (.embedBatch, 1_000, true),
            (.embedBatch, 0, false), (.rerank, 2, true), (.rerank, 1, false), (.rerank, 0, false),
        ]
        for (operation, count, valid) in allowed {
            var challenge = base
            challenge.operation = operation
            challenge.inputCount = count
            if valid {
                try challenge.validate()
            } else {
                #expect(throws: IdentityValidationError(field: "challenge.input_count", rule: .inputCountDoesNotFitOperation)) { try challenge.validate() }
            }
        }
    }

    @Test("descriptions name the field and the rule, never the value")
    func descriptions() {
        let error = IdentityValidationError(field: "space.pooling", rule: .controlCharacter)
        #expect(error.description == "identity field space.pooling must not contain control characters")
    }
}
