// MessagePack coding of the embedding identity bundle (spec §3.4) as rmp-serde writes and reads it:
// each struct an array of its fields in order (or a map keyed by field name), declared once as a
// WireStruct. The one irregular shape is the space: 17 fields, then `hash_control` and `projection`,
// each left out when absent. It must never reorder fields or accept an array length rmp-serde refuses.

extension EmbeddingIdentityBundleV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("EmbeddingIdentityBundleV1", fields: ["space", "producer", "input", "storage"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(space:producer:input:storage:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(space, producer, input, storage)
    }
}

extension EmbeddingSpaceIdentityV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("EmbeddingSpaceIdentityV1", fields: [
        "schema_version", "logical_model_id", "immutable_revision", "kind", "artifact_manifest_fingerprint",
        "artifacts", "tokenizer_fingerprint", "vocabulary_fingerprint", "model_config_fingerprint",
        "model_preprocessing", "sequence_policy", "query_instruction", "document_instruction", "pooling",
        "output_normalization", "dimension", "input_contract_fingerprint", "hash_control", "projection",
    ])

    /// The fields rmp-serde needs in the array form: all but `hash_control` and `projection`, which
    /// are `#[serde(default)]`.
    static let requiredFieldCount = 17

    private static let make = Self.init(schemaVersion:logicalModelID:immutableRevision:kind:artifactManifestFingerprint:
                                        artifacts:tokenizerFingerprint:vocabularyFingerprint:modelConfigFingerprint:
                                        modelPreprocessing:sequencePolicy:queryInstruction:documentInstruction:pooling:
                                        outputNormalization:dimension:inputContractFingerprint:hashControl:projection:)

    /// Accepts 17, 18 or 19 array elements (the last two are `#[serde(default)]`); explicit nils there
    /// mean absent too. The map form may leave both out.
    public init(from reader: inout MessagePackReader) throws {
        guard case .array(let count) = try reader.peekHeader() else {
            self = try readStruct(&reader, Self.fields, Self.make)
            return
        }
        // The shared struct reader wants every field in an array; this one may end after 17.
        guard (Self.requiredFieldCount ... Self.fields.count).contains(count) else {
            throw WireError.wrongArrayLength(field: "", type: Self.fields.name, expected: Self.fields.count, found: count)
        }
        _ = try reader.readArrayHeader()
        try reader.enterContainer()
        defer { reader.leaveContainer() }
        var position = 0
        func next<Field: WireFieldValue>() throws -> Field {
            defer { position += 1 }
            return try within(Self.fields.fieldNames[position]) { try Field.readField(from: &reader) }
        }
        // Arguments are evaluated left to right, which is the fields' order.
        self = try Self.make(next(), next(), next(), next(), next(), next(), next(), next(), next(), next(), next(),
                             next(), next(), next(), next(), next(), next(),
                             count > 17 ? next() : nil, count > 18 ? next() : nil)
    }

    /// 17 elements, then `hash_control` when present, then `projection` when present — as rmp-serde
    /// writes them — except that a projection without a hash-control profile is preceded by an explicit
    /// nil (19 elements): rmp-serde would write the projection in the hash-control position, which no
    /// decoder, its own included, reads back.
    public func encode(to writer: inout MessagePackWriter) throws {
        let count = projection != nil ? 19 : hashControl != nil ? 18 : 17
        try writer.writeArrayHeader(count: count)
        try writer.writeFields(schemaVersion, logicalModelID, immutableRevision, kind, artifactManifestFingerprint,
                               artifacts, tokenizerFingerprint, vocabularyFingerprint, modelConfigFingerprint,
                               modelPreprocessing, sequencePolicy, queryInstruction, documentInstruction, pooling,
                               outputNormalization, dimension, inputContractFingerprint)
        if count >= 18 { try hashControl.writeField(to: &writer) }
        if let projection { try projection.writeField(to: &writer) }
    }
}

extension MessagePackWriter {
    /// Field values one after the other, without the array header `writeStruct` writes.
    fileprivate mutating func writeFields<each Field: WireFieldValue>(_ values: repeat each Field) throws {
        for value in repeat each values { try value.writeField(to: &self) }
    }
}

extension EmbeddingArtifactIdentityV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("EmbeddingArtifactIdentityV1", fields: ["role", "sha256", "size"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(role:sha256:size:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(role, sha256, size)
    }
}

extension HashControlProfileV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("HashControlProfileV1", fields: [
        "algorithm", "algorithm_revision", "seed", "feature_rules", "tokenization_rules", "signing_rules",
        "normalization_rules",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(algorithm:algorithmRevision:seed:featureRules:
                                                                tokenizationRules:signingRules:normalizationRules:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(algorithm, algorithmRevision, seed, featureRules, tokenizationRules, signingRules,
                               normalizationRules)
    }
}

extension EmbeddingProjectionV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("EmbeddingProjectionV1", fields: [
        "parent_space_fingerprint", "source_dimension", "output_dimension", "projection_rule", "renormalization_rule",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(parentSpaceFingerprint:sourceDimension:outputDimension:
                                                                projectionRule:renormalizationRule:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(parentSpaceFingerprint, sourceDimension, outputDimension, projectionRule, renormalizationRule)
    }
}

extension EmbeddingProducerAttestationV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("EmbeddingProducerAttestationV1", fields: [
        "schema_version", "backend", "implementation_revision", "protocol_revision", "numeric_profile",
        "provenance_manifest_fingerprint", "space_fingerprint", "golden_vectors",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(schemaVersion:backend:implementationRevision:
                                                                protocolRevision:numericProfile:
                                                                provenanceManifestFingerprint:spaceFingerprint:goldenVectors:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(schemaVersion, backend, implementationRevision, protocolRevision, numericProfile,
                               provenanceManifestFingerprint, spaceFingerprint, goldenVectors)
    }
}

extension GoldenVectorCertificateV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct(
        "GoldenVectorCertificateV1", fields: ["corpus_sha256", "vectors_sha256", "vector_count", "dimension"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(corpusSHA256:vectorsSHA256:vectorCount:dimension:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(corpusSHA256, vectorsSHA256, vectorCount, dimension)
    }
}

extension EmbeddingInputContractV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("EmbeddingInputContractV1", fields: [
        "schema_version", "canonicalization", "content_selection", "chunking", "query_instruction",
        "document_instruction", "doc_id_semantics",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(schemaVersion:canonicalization:contentSelection:chunking:
                                                                queryInstruction:documentInstruction:docIDSemantics:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(schemaVersion, canonicalization, contentSelection, chunking, queryInstruction,
                               documentInstruction, docIDSemantics)
    }
}

extension VectorStorageIdentityV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("VectorStorageIdentityV1", fields: [
        "schema_version", "format", "quantization", "endianness", "vector_normalization", "dimension",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(schemaVersion:format:quantization:endianness:
                                                                vectorNormalization:dimension:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(schemaVersion, format, quantization, endianness, vectorNormalization, dimension)
    }
}
