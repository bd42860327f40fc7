// The frankensearch embedding identity bundle that a cass v2 daemon publishes (spec §3.4, §5.8):
// the space, the producer, the input contract and the vector storage, with their small parts.
// Plain values in wire field order (each Swift property documents its wire name). They must never
// compute fingerprints or validate: the canonical encodings and checks live outside this module.

/// frankensearch `EmbeddingIdentityBundleV1` (4 fields).
public struct EmbeddingIdentityBundleV1: Sendable, Equatable, Hashable {
    /// `space: EmbeddingSpaceIdentityV1`
    public var space: EmbeddingSpaceIdentityV1
    /// `producer: EmbeddingProducerAttestationV1`
    public var producer: EmbeddingProducerAttestationV1
    /// `input: EmbeddingInputContractV1`
    public var input: EmbeddingInputContractV1
    /// `storage: VectorStorageIdentityV1`
    public var storage: VectorStorageIdentityV1

    public init(space: EmbeddingSpaceIdentityV1, producer: EmbeddingProducerAttestationV1,
                input: EmbeddingInputContractV1, storage: VectorStorageIdentityV1) {
        self.space = space
        self.producer = producer
        self.input = input
        self.storage = storage
    }
}

/// frankensearch `EmbeddingSpaceIdentityV1`: 17 fields, then two optional ones that are left out of
/// the array entirely when absent (serde `skip_serializing_if`), so 17, 18 or 19 on the wire.
public struct EmbeddingSpaceIdentityV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `logical_model_id: String`
    public var logicalModelID: String
    /// `immutable_revision: String`
    public var immutableRevision: String
    /// `kind: EmbeddingSpaceKind`
    public var kind: EmbeddingSpaceKind
    /// `artifact_manifest_fingerprint: String`, 64 lowercase hex characters.
    public var artifactManifestFingerprint: String
    /// `artifacts: Vec<EmbeddingArtifactIdentityV1>`, in manifest order.
    public var artifacts: [EmbeddingArtifactIdentityV1]
    /// `tokenizer_fingerprint: String`
    public var tokenizerFingerprint: String
    /// `vocabulary_fingerprint: String`
    public var vocabularyFingerprint: String
    /// `model_config_fingerprint: String`
    public var modelConfigFingerprint: String
    /// `model_preprocessing: String`
    public var modelPreprocessing: String
    /// `sequence_policy: String`
    public var sequencePolicy: String
    /// `query_instruction: String`, may be empty.
    public var queryInstruction: String
    /// `document_instruction: String`, may be empty.
    public var documentInstruction: String
    /// `pooling: String`
    public var pooling: String
    /// `output_normalization: String`
    public var outputNormalization: String
    /// `dimension: u32`
    public var dimension: UInt32
    /// `input_contract_fingerprint: String`
    public var inputContractFingerprint: String
    /// `hash_control: Option<HashControlProfileV1>`, omitted from the wire when nil.
    public var hashControl: HashControlProfileV1?
    /// `projection: Option<EmbeddingProjectionV1>`, omitted from the wire when nil.
    public var projection: EmbeddingProjectionV1?

    public init(schemaVersion: UInt16 = 1, logicalModelID: String, immutableRevision: String, kind: EmbeddingSpaceKind,
                artifactManifestFingerprint: String, artifacts: [EmbeddingArtifactIdentityV1],
                tokenizerFingerprint: String, vocabularyFingerprint: String, modelConfigFingerprint: String,
                modelPreprocessing: String, sequencePolicy: String, queryInstruction: String,
                documentInstruction: String, pooling: String, outputNormalization: String, dimension: UInt32,
                inputContractFingerprint: String, hashControl: HashControlProfileV1? = nil,
                projection: EmbeddingProjectionV1? = nil) {
        self.schemaVersion = schemaVersion
        self.logicalModelID = logicalModelID
        self.immutableRevision = immutableRevision
        self.kind = kind
        self.artifactManifestFingerprint = artifactManifestFingerprint
        self.artifacts = artifacts
        self.tokenizerFingerprint = tokenizerFingerprint
        self.vocabularyFingerprint = vocabularyFingerprint
        self.modelConfigFingerprint = modelConfigFingerprint
        self.modelPreprocessing = modelPreprocessing
        self.sequencePolicy = sequencePolicy
        self.queryInstruction = queryInstruction
        self.documentInstruction = documentInstruction
        self.pooling = pooling
        self.outputNormalization = outputNormalization
        self.dimension = dimension
        self.inputContractFingerprint = inputContractFingerprint
        self.hashControl = hashControl
        self.projection = projection
    }
}

/// frankensearch `EmbeddingArtifactIdentityV1`: one model file (3 fields).
public struct EmbeddingArtifactIdentityV1: Sendable, Equatable, Hashable {
    /// `role: String`, e.g. `weights`, `tokenizer`, `model_config`.
    public var role: String
    /// `sha256: String`, 64 lowercase hex characters.
    public var sha256: String
    /// `size: u64`, in bytes.
    public var size: UInt64

    public init(role: String, sha256: String, size: UInt64) {
        self.role = role
        self.sha256 = sha256
        self.size = size
    }
}

/// frankensearch `HashControlProfileV1`: how a hash-control space hashes (7 fields).
public struct HashControlProfileV1: Sendable, Equatable, Hashable {
    /// `algorithm: String`
    public var algorithm: String
    /// `algorithm_revision: String`
    public var algorithmRevision: String
    /// `seed: u64`
    public var seed: UInt64
    /// `feature_rules: String`
    public var featureRules: String
    /// `tokenization_rules: String`
    public var tokenizationRules: String
    /// `signing_rules: String`
    public var signingRules: String
    /// `normalization_rules: String`
    public var normalizationRules: String

    public init(algorithm: String, algorithmRevision: String, seed: UInt64, featureRules: String,
                tokenizationRules: String, signingRules: String, normalizationRules: String) {
        self.algorithm = algorithm
        self.algorithmRevision = algorithmRevision
        self.seed = seed
        self.featureRules = featureRules
        self.tokenizationRules = tokenizationRules
        self.signingRules = signingRules
        self.normalizationRules = normalizationRules
    }
}

/// frankensearch `EmbeddingProjectionV1`: a space projected from a parent space (5 fields).
public struct EmbeddingProjectionV1: Sendable, Equatable, Hashable {
    /// `parent_space_fingerprint: String`
    public var parentSpaceFingerprint: String
    /// `source_dimension: u32`
    public var sourceDimension: UInt32
    /// `output_dimension: u32`
    public var outputDimension: UInt32
    /// `projection_rule: String`
    public var projectionRule: String
    /// `renormalization_rule: String`
    public var renormalizationRule: String

    public init(parentSpaceFingerprint: String, sourceDimension: UInt32, outputDimension: UInt32,
                projectionRule: String, renormalizationRule: String) {
        self.parentSpaceFingerprint = parentSpaceFingerprint
        self.sourceDimension = sourceDimension
        self.outputDimension = outputDimension
        self.projectionRule = projectionRule
        self.renormalizationRule = renormalizationRule
    }
}

/// frankensearch `EmbeddingProducerAttestationV1`: what computes the vectors (8 fields).
public struct EmbeddingProducerAttestationV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `backend: String`
    public var backend: String
    /// `implementation_revision: String`
    public var implementationRevision: String
    /// `protocol_revision: String`
    public var protocolRevision: String
    /// `numeric_profile: String`
    public var numericProfile: String
    /// `provenance_manifest_fingerprint: String`
    public var provenanceManifestFingerprint: String
    /// `space_fingerprint: String`
    public var spaceFingerprint: String
    /// `golden_vectors: GoldenVectorCertificateV1`
    public var goldenVectors: GoldenVectorCertificateV1

    public init(schemaVersion: UInt16 = 1, backend: String, implementationRevision: String, protocolRevision: String,
                numericProfile: String, provenanceManifestFingerprint: String, spaceFingerprint: String,
                goldenVectors: GoldenVectorCertificateV1) {
        self.schemaVersion = schemaVersion
        self.backend = backend
        self.implementationRevision = implementationRevision
        self.protocolRevision = protocolRevision
        self.numericProfile = numericProfile
        self.provenanceManifestFingerprint = provenanceManifestFingerprint
        self.spaceFingerprint = spaceFingerprint
        self.goldenVectors = goldenVectors
    }
}

/// frankensearch `GoldenVectorCertificateV1`: digests of a fixed corpus and its vectors (4 fields).
public struct GoldenVectorCertificateV1: Sendable, Equatable, Hashable {
    /// `corpus_sha256: String`
    public var corpusSHA256: String
    /// `vectors_sha256: String`
    public var vectorsSHA256: String
    /// `vector_count: u32`
    public var vectorCount: UInt32
    /// `dimension: u32`
    public var dimension: UInt32

    public init(corpusSHA256: String, vectorsSHA256: String, vectorCount: UInt32, dimension: UInt32) {
        self.corpusSHA256 = corpusSHA256
        self.vectorsSHA256 = vectorsSHA256
        self.vectorCount = vectorCount
        self.dimension = dimension
    }
}

/// frankensearch `EmbeddingInputContractV1`: how caller text becomes model input (7 fields).
public struct EmbeddingInputContractV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `canonicalization: String`
    public var canonicalization: String
    /// `content_selection: String`
    public var contentSelection: String
    /// `chunking: String`
    public var chunking: String
    /// `query_instruction: String`, may be empty.
    public var queryInstruction: String
    /// `document_instruction: String`, may be empty.
    public var documentInstruction: String
    /// `doc_id_semantics: String`
    public var docIDSemantics: String

    public init(schemaVersion: UInt16 = 1, canonicalization: String, contentSelection: String, chunking: String,
                queryInstruction: String, documentInstruction: String, docIDSemantics: String) {
        self.schemaVersion = schemaVersion
        self.canonicalization = canonicalization
        self.contentSelection = contentSelection
        self.chunking = chunking
        self.queryInstruction = queryInstruction
        self.documentInstruction = documentInstruction
        self.docIDSemantics = docIDSemantics
    }
}

/// frankensearch `VectorStorageIdentityV1`: how vectors are stored (6 fields).
public struct VectorStorageIdentityV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `format: String`, e.g. `in-memory-f32-v1`.
    public var format: String
    /// `quantization: VectorQuantization`
    public var quantization: VectorQuantization
    /// `endianness: String`, e.g. `native-f32-values`.
    public var endianness: String
    /// `vector_normalization: String`
    public var vectorNormalization: String
    /// `dimension: u32`
    public var dimension: UInt32

    public init(schemaVersion: UInt16 = 1, format: String, quantization: VectorQuantization, endianness: String,
                vectorNormalization: String, dimension: UInt32) {
        self.schemaVersion = schemaVersion
        self.format = format
        self.quantization = quantization
        self.endianness = endianness
        self.vectorNormalization = vectorNormalization
        self.dimension = dimension
    }
}
