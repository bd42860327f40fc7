// The validation rules a cass v2 client applies to what a daemon publishes (spec §5.8 last
// paragraph, §6.4 step 2; frankensearch `EmbeddingIdentityBundleV1::validate` and
// `DaemonConnectionIdentityV1::validate`), and the challenge's own shape rules (§6.2). The first
// broken rule is thrown, in the order the reference checks them. Pure: reads values, never files.
import SemanticWire

/// The field checks shared by every identity value.
enum IdentityRules {
    static let maximumTextBytes = 4_096
    static let maximumLabelBytes = 128

    /// Required text: at most 4,096 bytes, no control characters, not blank.
    static func requireText(_ value: String, _ field: String) throws(IdentityValidationError) {
        try requireOptionalText(value, field)
        if value.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw IdentityValidationError(field: field, rule: .blank)
        }
    }

    /// Text that may be empty (instructions): at most 4,096 bytes, no control characters.
    static func requireOptionalText(_ value: String, _ field: String) throws(IdentityValidationError) {
        if value.utf8.count > maximumTextBytes {
            throw IdentityValidationError(field: field, rule: .tooLong(byteCount: value.utf8.count))
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw IdentityValidationError(field: field, rule: .controlCharacter)
        }
    }

    static func requireSHA256(_ value: String, _ field: String) throws(IdentityValidationError) {
        guard Hexadecimal.isCanonicalSHA256(value) else {
            throw IdentityValidationError(field: field, rule: .notCanonicalSHA256)
        }
    }

    static func requireSchema(_ value: UInt16, _ field: String) throws(IdentityValidationError) {
        guard value == 1 else { throw IdentityValidationError(field: field, rule: .unsupportedSchema(found: value)) }
    }

    static func requirePositive<Number: BinaryInteger>(_ value: Number, _ field: String) throws(IdentityValidationError) {
        guard value > 0 else { throw IdentityValidationError(field: field, rule: .zero) }
    }

    /// 1–128 bytes of `[A-Za-z0-9-_./:]` (protocol_revision and key_id).
    static func isBoundedLabel(_ value: String) -> Bool {
        let bytes = value.utf8
        guard (1...maximumLabelBytes).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"):
                return true
            default:
                return false
            }
        }
    }
}

extension EmbeddingSpaceIdentityV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "space.schema_version")
        try IdentityRules.requireText(logicalModelID, "space.logical_model_id")
        try IdentityRules.requireText(immutableRevision, "space.immutable_revision")
        try IdentityRules.requireSHA256(artifactManifestFingerprint, "space.artifact_manifest_fingerprint")
        try IdentityRules.requireSHA256(tokenizerFingerprint, "space.tokenizer_fingerprint")
        try IdentityRules.requireSHA256(vocabularyFingerprint, "space.vocabulary_fingerprint")
        try IdentityRules.requireSHA256(modelConfigFingerprint, "space.model_config_fingerprint")
        try IdentityRules.requireText(modelPreprocessing, "space.model_preprocessing")
        try IdentityRules.requireText(sequencePolicy, "space.sequence_policy")
        try IdentityRules.requireOptionalText(queryInstruction, "space.query_instruction")
        try IdentityRules.requireOptionalText(documentInstruction, "space.document_instruction")
        try IdentityRules.requireText(pooling, "space.pooling")
        try IdentityRules.requireText(outputNormalization, "space.output_normalization")
        try IdentityRules.requireSHA256(inputContractFingerprint, "space.input_contract_fingerprint")
        try IdentityRules.requirePositive(dimension, "space.dimension")
        var roles: Set<String> = []
        for artifact in artifacts {
            try IdentityRules.requireText(artifact.role, "space.artifacts[].role")
            try IdentityRules.requireSHA256(artifact.sha256, "space.artifacts[].sha256")
            try IdentityRules.requirePositive(artifact.size, "space.artifacts[].size")
            guard roles.insert(artifact.role).inserted else {
                throw IdentityValidationError(field: "space.artifacts[].role", rule: .duplicate(artifact.role))
            }
        }
        switch (kind, hashControl) {
        case (.semantic, nil):
            if artifacts.isEmpty { throw IdentityValidationError(field: "space.artifacts", rule: .semanticSpaceWithoutArtifacts) }
        case (.semantic, .some):
            throw IdentityValidationError(field: "space.hash_control", rule: .semanticSpaceWithHashControl)
        case (.hashControl, .some(let profile)):
            try profile.validate()
            if artifactManifestFingerprint != profile.fingerprint {
                throw IdentityValidationError(field: "space.artifact_manifest_fingerprint",
                                              rule: .doesNotBind(what: "the hash-control profile's fingerprint"))
            }
            if !artifacts.isEmpty { throw IdentityValidationError(field: "space.artifacts", rule: .hashControlSpaceWithArtifacts) }
        case (.hashControl, nil):
            throw IdentityValidationError(field: "space.hash_control", rule: .hashControlSpaceWithoutProfile)
        }
        if let projection {
            try projection.validate()
            if projection.outputDimension != dimension {
                throw IdentityValidationError(field: "space.projection.output_dimension", rule: .doesNotBind(what: "the space dimension"))
            }
        }
    }
}

extension HashControlProfileV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireText(algorithm, "space.hash_control.algorithm")
        try IdentityRules.requireText(algorithmRevision, "space.hash_control.algorithm_revision")
        try IdentityRules.requireText(featureRules, "space.hash_control.feature_rules")
        try IdentityRules.requireText(tokenizationRules, "space.hash_control.tokenization_rules")
        try IdentityRules.requireText(signingRules, "space.hash_control.signing_rules")
        try IdentityRules.requireText(normalizationRules, "space.hash_control.normalization_rules")
    }
}

extension EmbeddingProjectionV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSHA256(parentSpaceFingerprint, "space.projection.parent_space_fingerprint")
        if sourceDimension == 0 || outputDimension == 0 || outputDimension >= sourceDimension {
            throw IdentityValidationError(field: "space.projection.output_dimension", rule: .notStrictReduction)
        }
        try IdentityRules.requireText(projectionRule, "space.projection.projection_rule")
        try IdentityRules.requireText(renormalizationRule, "space.projection.renormalization_rule")
    }
}

extension GoldenVectorCertificateV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSHA256(corpusSHA256, "producer.golden_vectors.corpus_sha256")
        try IdentityRules.requireSHA256(vectorsSHA256, "producer.golden_vectors.vectors_sha256")
        try IdentityRules.requirePositive(vectorCount, "producer.golden_vectors.vector_count")
        try IdentityRules.requirePositive(dimension, "producer.golden_vectors.dimension")
    }
}

extension EmbeddingProducerAttestationV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "producer.schema_version")
        try IdentityRules.requireText(backend, "producer.backend")
        try IdentityRules.requireText(implementationRevision, "producer.implementation_revision")
        try IdentityRules.requireText(protocolRevision, "producer.protocol_revision")
        try IdentityRules.requireText(numericProfile, "producer.numeric_profile")
        try IdentityRules.requireSHA256(provenanceManifestFingerprint, "producer.provenance_manifest_fingerprint")
        try IdentityRules.requireSHA256(spaceFingerprint, "producer.space_fingerprint")
        try goldenVectors.validate()
    }
}

extension EmbeddingInputContractV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "input.schema_version")
        try IdentityRules.requireText(canonicalization, "input.canonicalization")
        try IdentityRules.requireText(contentSelection, "input.content_selection")
        try IdentityRules.requireText(chunking, "input.chunking")
        try IdentityRules.requireOptionalText(queryInstruction, "input.query_instruction")
        try IdentityRules.requireOptionalText(documentInstruction, "input.document_instruction")
        try IdentityRules.requireText(docIDSemantics, "input.doc_id_semantics")
    }
}

extension VectorStorageIdentityV1 {
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "storage.schema_version")
        try IdentityRules.requireText(format, "storage.format")
        try IdentityRules.requireText(endianness, "storage.endianness")
        try IdentityRules.requireText(vectorNormalization, "storage.vector_normalization")
        try IdentityRules.requirePositive(dimension, "storage.dimension")
        if format.hasPrefix("in-memory-") && quantization != .f32 {
            throw IdentityValidationError(field: "storage.quantization", rule: .storageContract("in-memory formats hold F32 values"))
        }
        if format.hasPrefix("in-memory-") && endianness != "native-f32-values" && endianness != "native-test-only" {
            throw IdentityValidationError(field: "storage.endianness",
                                          rule: .storageContract("in-memory formats need native-f32-values or native-test-only"))
        }
        if format.hasPrefix("fsvi-") && endianness != "little-endian" {
            throw IdentityValidationError(field: "storage.endianness", rule: .storageContract("fsvi formats are little-endian"))
        }
    }
}

extension EmbeddingIdentityBundleV1 {
    /// Every component, then the cross-bindings: producer → space, space → input contract, and the
    /// dimension and normalisation that storage and the golden certificate must repeat.
    public func validate() throws(IdentityValidationError) {
        try space.validate()
        try producer.validate()
        try input.validate()
        try storage.validate()
        if producer.spaceFingerprint != space.fingerprint {
            throw IdentityValidationError(field: "producer.space_fingerprint", rule: .doesNotBind(what: "the bundled space identity"))
        }
        if space.kind == .hashControl && producer.provenanceManifestFingerprint != space.artifactManifestFingerprint {
            throw IdentityValidationError(field: "producer.provenance_manifest_fingerprint",
                                          rule: .doesNotBind(what: "the hash-control profile"))
        }
        if space.inputContractFingerprint != input.fingerprint {
            throw IdentityValidationError(field: "space.input_contract_fingerprint", rule: .doesNotBind(what: "the bundled input contract"))
        }
        if storage.dimension != space.dimension {
            throw IdentityValidationError(field: "storage.dimension", rule: .doesNotBind(what: "the space dimension"))
        }
        if storage.vectorNormalization != space.outputNormalization {
            throw IdentityValidationError(field: "storage.vector_normalization", rule: .doesNotBind(what: "the space output normalization"))
        }
        if producer.goldenVectors.dimension != space.dimension {
            throw IdentityValidationError(field: "producer.golden_vectors.dimension", rule: .doesNotBind(what: "the space dimension"))
        }
    }
}

extension DaemonConnectionIdentityV1 {
    /// §6.4 step 2: schema 1, canonical fingerprints, bounded labels, generation ≠ 0, a valid bundle,
    /// and a category that agrees with the space kind.
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "connection.schema_version")
        try IdentityRules.requireSHA256(endpointFingerprint, "connection.endpoint_fingerprint")
        try IdentityRules.requireSHA256(executableFingerprint, "connection.executable_fingerprint")
        guard IdentityRules.isBoundedLabel(protocolRevision) else {
            throw IdentityValidationError(field: "connection.protocol_revision", rule: .notBoundedLabel)
        }
        guard IdentityRules.isBoundedLabel(keyID) else {
            throw IdentityValidationError(field: "connection.key_id", rule: .notBoundedLabel)
        }
        try IdentityRules.requirePositive(generation, "connection.generation")
        try embeddingIdentity.validate()
        if (embeddingIdentity.space.kind == .hashControl) != (modelCategory == .hashEmbedder) {
            throw IdentityValidationError(field: "connection.model_category", rule: .categoryDisagreesWithKind)
        }
    }
}

extension DaemonOperationV1 {
    /// Whether a challenge for this operation may carry `count` inputs: handshake and health none,
    /// embed exactly one, embed_batch at least one, rerank the query and at least one document.
    public func accepts(inputCount count: UInt32) -> Bool {
        switch self {
        case .handshake, .health: return count == 0
        case .embed: return count == 1
        case .embedBatch: return count >= 1
        case .rerank: return count >= 2
        }
    }
}

extension DaemonChallengeV1 {
    /// Schema 1, canonical nonce and digests, and an input count that fits the operation.
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "challenge.schema_version")
        try IdentityRules.requireSHA256(requestNonce, "challenge.request_nonce")
        try IdentityRules.requireSHA256(orderedRequestSHA256, "challenge.ordered_request_sha256")
        try IdentityRules.requireSHA256(expectedConnectionFingerprint, "challenge.expected_connection_fingerprint")
        guard operation.accepts(inputCount: inputCount) else {
            throw IdentityValidationError(field: "challenge.input_count", rule: .inputCountDoesNotFitOperation)
        }
    }
}
