// ModelArtifactManifestV1: a model's frozen artifact manifest and execution contract (spec §4.3,
// frankensearch `model_manifest.rs`) — who published which files, how they are run, and what the
// producer's golden certificate is — with its canonical bytes, the license metadata fingerprint, the
// space contract (→ `artifact_manifest_fingerprint`) and the derivation of the identity bundle a
// daemon publishes (§5.8). It describes files; reading them is ModelArtifactFiles.swift's job.
import SemanticWire

/// The role of one artifact of a model; the raw value is its tag in every encoding.
public enum ModelArtifactRole: String, Sendable, Equatable, Hashable, CaseIterable {
    case weights
    case tokenizer
    case vocabulary
    case modelConfig = "model_config"
    case specialTokens = "special_tokens"
    case tokenizerConfig = "tokenizer_config"
    case projection
}

/// One file of a model folder as the manifest pins it.
public struct ModelArtifactFileV1: Sendable, Equatable, Hashable {
    public var role: ModelArtifactRole
    /// Relative path inside the model folder, e.g. `model.safetensors`.
    public var relativePath: String
    /// Where the file is published, e.g. `https://huggingface.co/<repo>/resolve/<revision>/<path>`.
    public var upstreamURL: String
    public var size: UInt64
    /// Lowercase hex SHA-256 of the file.
    public var sha256: String

    public init(role: ModelArtifactRole, relativePath: String, upstreamURL: String, size: UInt64, sha256: String) {
        self.role = role
        self.relativePath = relativePath
        self.upstreamURL = upstreamURL
        self.size = size
        self.sha256 = sha256
    }
}

/// How the artifacts are turned into vectors, and by what.
public struct ModelExecutionContractV1: Sendable, Equatable, Hashable {
    public var backend: String
    public var implementationRevision: String
    public var protocolRevision: String
    public var numericProfile: String
    public var weightsFormat: String
    public var tokenizerFamily: String
    public var modelPreprocessing: String
    public var sequencePolicy: String
    public var pooling: String
    public var outputNormalization: String
    public var queryInstruction: String
    public var documentInstruction: String
    public var inputContract: EmbeddingInputContractV1
    public var goldenVectors: GoldenVectorCertificateV1

    public init(backend: String, implementationRevision: String, protocolRevision: String, numericProfile: String,
                weightsFormat: String, tokenizerFamily: String, modelPreprocessing: String, sequencePolicy: String,
                pooling: String, outputNormalization: String, queryInstruction: String = "", documentInstruction: String = "",
                inputContract: EmbeddingInputContractV1, goldenVectors: GoldenVectorCertificateV1) {
        self.backend = backend
        self.implementationRevision = implementationRevision
        self.protocolRevision = protocolRevision
        self.numericProfile = numericProfile
        self.weightsFormat = weightsFormat
        self.tokenizerFamily = tokenizerFamily
        self.modelPreprocessing = modelPreprocessing
        self.sequencePolicy = sequencePolicy
        self.pooling = pooling
        self.outputNormalization = outputNormalization
        self.queryInstruction = queryInstruction
        self.documentInstruction = documentInstruction
        self.inputContract = inputContract
        self.goldenVectors = goldenVectors
    }
}

/// A model's complete frozen manifest.
public struct ModelArtifactManifestV1: Sendable, Equatable, Hashable {
    public var schemaVersion: UInt16
    public var provider: String
    public var logicalModelID: String
    /// The upstream commit the files come from (40 or 64 lowercase hex digits).
    public var upstreamRevision: String
    public var upstreamRepository: String
    /// In manifest order; the encodings sort by role, the published space keeps this order.
    public var artifacts: [ModelArtifactFileV1]
    public var licenseSPDX: String
    public var dimension: UInt32
    public var execution: ModelExecutionContractV1

    public init(schemaVersion: UInt16 = 1, provider: String, logicalModelID: String, upstreamRevision: String,
                upstreamRepository: String, artifacts: [ModelArtifactFileV1], licenseSPDX: String, dimension: UInt32,
                execution: ModelExecutionContractV1) {
        self.schemaVersion = schemaVersion
        self.provider = provider
        self.logicalModelID = logicalModelID
        self.upstreamRevision = upstreamRevision
        self.upstreamRepository = upstreamRepository
        self.artifacts = artifacts
        self.licenseSPDX = licenseSPDX
        self.dimension = dimension
        self.execution = execution
    }

    /// `SHA256(LP("frankensearch.model-license-metadata.v1") ‖ T(spdx) ‖ T(provider) ‖ T(repository) ‖ T(revision))`.
    public var licenseMetadataSHA256: String {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.model-license-metadata.v1")
        encoder.appendText(licenseSPDX)
        encoder.appendText(provider)
        encoder.appendText(upstreamRepository)
        encoder.appendText(upstreamRevision)
        return encoder.sha256Hex
    }

    private var artifactsSortedByRole: [ModelArtifactFileV1] {
        artifacts.sorted { $0.role.rawValue.utf8.lexicographicallyPrecedes($1.role.rawValue.utf8) }
    }

    /// The whole manifest, under `frankensearch.model-artifact-manifest.v1`.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.model-artifact-manifest.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(provider)
        encoder.appendText(logicalModelID)
        encoder.appendText(upstreamRevision)
        encoder.appendText(upstreamRepository)
        encoder.appendText(licenseSPDX)
        encoder.appendText(licenseMetadataSHA256)
        encoder.appendUInt32(dimension)
        let sorted = artifactsSortedByRole
        encoder.appendCount(sorted.count)
        for artifact in sorted {
            encoder.appendText(artifact.role.rawValue)
            encoder.appendText(artifact.relativePath)
            encoder.appendText(artifact.upstreamURL)
            encoder.appendUInt64(artifact.size)
            encoder.appendText(artifact.sha256)
        }
        encoder.appendText(execution.backend)
        encoder.appendText(execution.implementationRevision)
        encoder.appendText(execution.protocolRevision)
        encoder.appendText(execution.numericProfile)
        appendSemantics(to: &encoder)
        encoder.appendText(execution.goldenVectors.corpusSHA256)
        encoder.appendText(execution.goldenVectors.vectorsSHA256)
        encoder.appendUInt32(execution.goldenVectors.vectorCount)
        encoder.appendUInt32(execution.goldenVectors.dimension)
        return encoder.bytes
    }

    /// The producer's `provenance_manifest_fingerprint`.
    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }

    /// What makes the vector space, without producer or distribution metadata, under
    /// `frankensearch.model-artifact-space-contract.v1`.
    public var spaceContractCanonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.model-artifact-space-contract.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(logicalModelID)
        encoder.appendText(upstreamRevision)
        encoder.appendUInt32(dimension)
        let sorted = artifactsSortedByRole
        encoder.appendCount(sorted.count)
        for artifact in sorted {
            encoder.appendText(artifact.role.rawValue)
            encoder.appendUInt64(artifact.size)
            encoder.appendText(artifact.sha256)
        }
        appendSemantics(to: &encoder)
        return encoder.bytes
    }

    /// The space's `artifact_manifest_fingerprint`.
    public var spaceContractFingerprint: String { Hexadecimal.sha256(spaceContractCanonicalBytes) }

    /// weights format … output normalisation, then `LP(input contract bytes)`: the part both
    /// encodings share.
    private func appendSemantics(to encoder: inout CanonicalEncoder) {
        encoder.appendText(execution.weightsFormat)
        encoder.appendText(execution.tokenizerFamily)
        encoder.appendText(execution.modelPreprocessing)
        encoder.appendText(execution.sequencePolicy)
        encoder.appendText(execution.queryInstruction)
        encoder.appendText(execution.documentInstruction)
        encoder.appendText(execution.pooling)
        encoder.appendText(execution.outputNormalization)
        encoder.appendLengthPrefixed(execution.inputContract.canonicalBytes)
    }

    /// The identity bundle this manifest publishes (§5.8 `identity_bundle`): a semantic space over
    /// the artifacts in manifest order, the producer of the execution contract bound to this
    /// manifest, the input contract, and storage in `storageFormat`. It is validated before it is
    /// returned.
    public func identityBundle(quantization: VectorQuantization = .f32,
                               storageFormat: String = "in-memory-f32-v1") throws(IdentityValidationError) -> EmbeddingIdentityBundleV1 {
        try validate()
        func artifactSHA256(_ role: ModelArtifactRole) -> String? { artifacts.first { $0.role == role }?.sha256 }
        let contractFingerprint = spaceContractFingerprint
        let tokenizer = artifactSHA256(.tokenizer) ?? ""
        let space = EmbeddingSpaceIdentityV1(
            logicalModelID: logicalModelID, immutableRevision: upstreamRevision, kind: .semantic,
            artifactManifestFingerprint: contractFingerprint,
            artifacts: artifacts.map { EmbeddingArtifactIdentityV1(role: $0.role.rawValue, sha256: $0.sha256, size: $0.size) },
            tokenizerFingerprint: tokenizer,
            vocabularyFingerprint: artifactSHA256(.vocabulary) ?? tokenizer,
            modelConfigFingerprint: artifactSHA256(.modelConfig) ?? contractFingerprint,
            modelPreprocessing: execution.modelPreprocessing, sequencePolicy: execution.sequencePolicy,
            queryInstruction: execution.queryInstruction, documentInstruction: execution.documentInstruction,
            pooling: execution.pooling, outputNormalization: execution.outputNormalization, dimension: dimension,
            inputContractFingerprint: execution.inputContract.fingerprint)
        let producer = EmbeddingProducerAttestationV1(
            backend: execution.backend, implementationRevision: execution.implementationRevision,
            protocolRevision: execution.protocolRevision, numericProfile: execution.numericProfile,
            provenanceManifestFingerprint: fingerprint, spaceFingerprint: space.fingerprint,
            goldenVectors: execution.goldenVectors)
        let storage = VectorStorageIdentityV1(
            format: storageFormat, quantization: quantization,
            endianness: storageFormat.hasPrefix("in-memory-") ? "native-f32-values" : "little-endian",
            vectorNormalization: execution.outputNormalization, dimension: dimension)
        let bundle = EmbeddingIdentityBundleV1(space: space, producer: producer, input: execution.inputContract, storage: storage)
        try bundle.validate()
        return bundle
    }

    /// The manifest's own rules: bounded texts, an immutable revision, a positive dimension, a valid
    /// input contract and golden certificate of that dimension, artifacts with safe relative paths,
    /// canonical hashes, positive sizes, credential-free HTTPS URLs, unique roles and paths, and at
    /// least weights and a tokenizer.
    public func validate() throws(IdentityValidationError) {
        try IdentityRules.requireSchema(schemaVersion, "manifest.schema_version")
        for (value, field) in [
            (provider, "manifest.provider"), (logicalModelID, "manifest.logical_model_id"),
            (upstreamRepository, "manifest.upstream_repository"), (licenseSPDX, "manifest.license_spdx"),
            (execution.backend, "manifest.execution.backend"),
            (execution.implementationRevision, "manifest.execution.implementation_revision"),
            (execution.protocolRevision, "manifest.execution.protocol_revision"),
            (execution.numericProfile, "manifest.execution.numeric_profile"),
            (execution.weightsFormat, "manifest.execution.weights_format"),
            (execution.tokenizerFamily, "manifest.execution.tokenizer_family"),
            (execution.modelPreprocessing, "manifest.execution.model_preprocessing"),
            (execution.sequencePolicy, "manifest.execution.sequence_policy"),
            (execution.pooling, "manifest.execution.pooling"),
            (execution.outputNormalization, "manifest.execution.output_normalization"),
        ] {
            try IdentityRules.requireText(value, field)
        }
        try IdentityRules.requireOptionalText(execution.queryInstruction, "manifest.execution.query_instruction")
        try IdentityRules.requireOptionalText(execution.documentInstruction, "manifest.execution.document_instruction")
        let revisionIsHex = upstreamRevision.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
        guard [40, 64].contains(upstreamRevision.utf8.count), revisionIsHex else {
            throw IdentityValidationError(field: "manifest.upstream_revision", rule: .notImmutableRevision)
        }
        try IdentityRules.requirePositive(dimension, "manifest.dimension")
        try execution.inputContract.validate()
        try execution.goldenVectors.validate()
        if execution.goldenVectors.dimension != dimension {
            throw IdentityValidationError(field: "manifest.execution.golden_vectors.dimension", rule: .doesNotBind(what: "the manifest dimension"))
        }
        var roles: Set<ModelArtifactRole> = []
        var paths: Set<String> = []
        for artifact in artifacts {
            try IdentityRules.requireText(artifact.relativePath, "manifest.artifacts[].relative_path")
            guard Self.isPlainRelativePath(artifact.relativePath) else {
                throw IdentityValidationError(field: "manifest.artifacts[].relative_path", rule: .notRelativePath)
            }
            try IdentityRules.requireSHA256(artifact.sha256, "manifest.artifacts[].sha256")
            try IdentityRules.requirePositive(artifact.size, "manifest.artifacts[].size")
            try IdentityRules.requireText(artifact.upstreamURL, "manifest.artifacts[].upstream_url")
            guard artifact.upstreamURL.hasPrefix("https://"),
                  !artifact.upstreamURL.unicodeScalars.contains(where: { $0.properties.isWhitespace || "@?#".unicodeScalars.contains($0) }) else {
                throw IdentityValidationError(field: "manifest.artifacts[].upstream_url", rule: .notCredentialFreeHTTPS)
            }
            guard roles.insert(artifact.role).inserted else {
                throw IdentityValidationError(field: "manifest.artifacts[].role", rule: .duplicate(artifact.role.rawValue))
            }
            guard paths.insert(artifact.relativePath).inserted else {
                throw IdentityValidationError(field: "manifest.artifacts[].relative_path", rule: .duplicate(artifact.relativePath))
            }
        }
        for required in [ModelArtifactRole.weights, .tokenizer] where !roles.contains(required) {
            throw IdentityValidationError(field: "manifest.artifacts", rule: .missingRole(required.rawValue))
        }
    }

    /// Not absolute, no `.`/`..`/empty component, no backslash or NUL.
    private static func isPlainRelativePath(_ path: String) -> Bool {
        guard !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
