// The identity layer's canonical bytes and fingerprints (spec §4.2, frankensearch `generation.rs`
// `CanonicalEncoder`): input contract, space (with its optional hash-control profile and projection),
// producer with its golden certificate, storage, and the bundle of the four fingerprints. Every
// domain is length-prefixed; every fingerprint is the lowercase hex SHA-256 of the bytes. These
// encode whatever they are given: validation is IdentityValidation.swift's job, never theirs.
import SemanticWire

extension EmbeddingSpaceKind {
    /// The canonical byte tag: semantic 1, hash_control 2.
    public var canonicalTag: UInt8 {
        switch self {
        case .semantic: return 1
        case .hashControl: return 2
        }
    }
}

extension VectorQuantization {
    /// The canonical byte tag: F32 1, F16 2, Int8 3, Int4 4.
    public var canonicalTag: UInt8 {
        switch self {
        case .f32: return 1
        case .f16: return 2
        case .int8: return 3
        case .int4: return 4
        }
    }
}

extension EmbeddingInputContractV1 {
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.embedding-input.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(canonicalization)
        encoder.appendText(contentSelection)
        encoder.appendText(chunking)
        encoder.appendText(queryInstruction)
        encoder.appendText(documentInstruction)
        encoder.appendText(docIDSemantics)
        return encoder.bytes
    }

    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}

extension HashControlProfileV1 {
    /// The profile's fields as they appear inside the space's Option (no domain).
    func encodeFields(into encoder: inout CanonicalEncoder) {
        encoder.appendText(algorithm)
        encoder.appendText(algorithmRevision)
        encoder.appendUInt64(seed)
        encoder.appendText(featureRules)
        encoder.appendText(tokenizationRules)
        encoder.appendText(signingRules)
        encoder.appendText(normalizationRules)
    }

    /// The standalone encoding, under `frankensearch.hash-control-profile.v1`.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.hash-control-profile.v1")
        encodeFields(into: &encoder)
        return encoder.bytes
    }

    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}

extension EmbeddingProjectionV1 {
    /// The projection's fields as they appear inside the space's Option (no domain of its own).
    func encodeFields(into encoder: inout CanonicalEncoder) {
        encoder.appendText(parentSpaceFingerprint)
        encoder.appendUInt32(sourceDimension)
        encoder.appendUInt32(outputDimension)
        encoder.appendText(projectionRule)
        encoder.appendText(renormalizationRule)
    }
}

extension EmbeddingSpaceIdentityV1 {
    /// Artifacts are hashed sorted by role (bytewise), whatever their order in the value.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.embedding-space.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(logicalModelID)
        encoder.appendText(immutableRevision)
        encoder.appendByte(kind.canonicalTag)
        encoder.appendText(artifactManifestFingerprint)
        let sorted = artifacts.sorted { $0.role.utf8.lexicographicallyPrecedes($1.role.utf8) }
        encoder.appendCount(sorted.count)
        for artifact in sorted {
            encoder.appendText(artifact.role)
            encoder.appendText(artifact.sha256)
            encoder.appendUInt64(artifact.size)
        }
        encoder.appendText(tokenizerFingerprint)
        encoder.appendText(vocabularyFingerprint)
        encoder.appendText(modelConfigFingerprint)
        encoder.appendText(modelPreprocessing)
        encoder.appendText(sequencePolicy)
        encoder.appendText(queryInstruction)
        encoder.appendText(documentInstruction)
        encoder.appendText(pooling)
        encoder.appendText(outputNormalization)
        encoder.appendUInt32(dimension)
        encoder.appendText(inputContractFingerprint)
        encoder.appendOptional(hashControl) { profile, encoder in profile.encodeFields(into: &encoder) }
        encoder.appendOptional(projection) { projection, encoder in projection.encodeFields(into: &encoder) }
        return encoder.bytes
    }

    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}

extension GoldenVectorCertificateV1 {
    func encodeFields(into encoder: inout CanonicalEncoder) {
        encoder.appendText(corpusSHA256)
        encoder.appendText(vectorsSHA256)
        encoder.appendUInt32(vectorCount)
        encoder.appendUInt32(dimension)
    }
}

extension EmbeddingProducerAttestationV1 {
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.embedding-producer.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(backend)
        encoder.appendText(implementationRevision)
        encoder.appendText(protocolRevision)
        encoder.appendText(numericProfile)
        encoder.appendText(provenanceManifestFingerprint)
        encoder.appendText(spaceFingerprint)
        goldenVectors.encodeFields(into: &encoder)
        return encoder.bytes
    }

    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}

extension VectorStorageIdentityV1 {
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.vector-storage.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(format)
        encoder.appendByte(quantization.canonicalTag)
        encoder.appendText(endianness)
        encoder.appendText(vectorNormalization)
        encoder.appendUInt32(dimension)
        return encoder.bytes
    }

    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}

extension EmbeddingIdentityBundleV1 {
    /// `LP(domain) ‖ T(space fp) ‖ T(producer fp) ‖ T(input fp) ‖ T(storage fp)`: 329 bytes.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.embedding-bundle.v1")
        encoder.appendText(space.fingerprint)
        encoder.appendText(producer.fingerprint)
        encoder.appendText(input.fingerprint)
        encoder.appendText(storage.fingerprint)
        return encoder.bytes
    }

    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}
