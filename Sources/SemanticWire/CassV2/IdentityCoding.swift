// MessagePack coding of the embedding identity bundle (spec §3.4) as rmp-serde writes and reads it:
// each struct an array of its fields in order (or a map keyed by field name). The one irregular
// shape is the space: 17 fields, then `hash_control` and `projection`, each left out when absent.
// It must never reorder fields or accept an array length rmp-serde would refuse.

extension EmbeddingIdentityBundleV1: MessagePackCodable {
    static let fields = WireStruct("EmbeddingIdentityBundleV1", fields: ["space", "producer", "input", "storage"])

    public init(from reader: inout MessagePackReader) throws {
        var space: EmbeddingSpaceIdentityV1?, producer: EmbeddingProducerAttestationV1?
        var input: EmbeddingInputContractV1?, storage: VectorStorageIdentityV1?
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: space = try EmbeddingSpaceIdentityV1(from: &reader)
            case 1: producer = try EmbeddingProducerAttestationV1(from: &reader)
            case 2: input = try EmbeddingInputContractV1(from: &reader)
            default: storage = try VectorStorageIdentityV1(from: &reader)
            }
        }
        guard let space, let producer, let input, let storage else {
            throw WireError.missingField(field: "space")  // unreachable: every field is required
        }
        self.init(space: space, producer: producer, input: input, storage: storage)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try space.encode(to: &writer)
        try producer.encode(to: &writer)
        try input.encode(to: &writer)
        try storage.encode(to: &writer)
    }
}

extension EmbeddingSpaceIdentityV1: MessagePackCodable {
    static let fields = WireStruct("EmbeddingSpaceIdentityV1", fields: [
        "schema_version", "logical_model_id", "immutable_revision", "kind", "artifact_manifest_fingerprint",
        "artifacts", "tokenizer_fingerprint", "vocabulary_fingerprint", "model_config_fingerprint",
        "model_preprocessing", "sequence_policy", "query_instruction", "document_instruction", "pooling",
        "output_normalization", "dimension", "input_contract_fingerprint", "hash_control", "projection",
    ], optional: ["hash_control", "projection"])

    /// The fields rmp-serde needs in the array form: all but `hash_control` and `projection`, which
    /// are `#[serde(default)]`.
    static let requiredFieldCount = 17

    /// Accepts 17, 18 or 19 array elements (the last two are `#[serde(default)]`); explicit nils there
    /// mean absent too. The map form may leave both out.
    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, kind = EmbeddingSpaceKind.semantic, artifacts: [EmbeddingArtifactIdentityV1] = []
        var dimension: UInt32 = 0, hashControl: HashControlProfileV1?, projection: EmbeddingProjectionV1?
        // The text fields, by field index.
        var texts = [String](repeating: "", count: Self.fields.count)
        func readField(_ reader: inout MessagePackReader, _ field: Int) throws {
            switch field {
            case 0: schemaVersion = try reader.readUInt16()
            case 3: kind = try EmbeddingSpaceKind(from: &reader)
            case 5: artifacts = try reader.readArray { try EmbeddingArtifactIdentityV1(from: &$0) }
            case 15: dimension = try reader.readUInt32()
            case 17: hashControl = try readOptional(&reader) { try HashControlProfileV1(from: &$0) }
            case 18: projection = try readOptional(&reader) { try EmbeddingProjectionV1(from: &$0) }
            default: texts[field] = try reader.readString()
            }
        }
        if case .array(let count) = try reader.peekHeader() {
            // The shared struct reader wants every field in an array; this one may end after 17.
            guard (Self.requiredFieldCount ... Self.fields.count).contains(count) else {
                throw WireError.wrongArrayLength(field: "", type: Self.fields.name, expected: Self.fields.count, found: count)
            }
            _ = try reader.readArrayHeader()
            try reader.enterContainer()
            defer { reader.leaveContainer() }
            for field in 0..<count {
                try within(Self.fields.fieldNames[field]) { try readField(&reader, field) }
            }
        } else {
            try readStruct(&reader, Self.fields, readField)
        }
        self.init(schemaVersion: schemaVersion, logicalModelID: texts[1], immutableRevision: texts[2], kind: kind,
                  artifactManifestFingerprint: texts[4], artifacts: artifacts, tokenizerFingerprint: texts[6],
                  vocabularyFingerprint: texts[7], modelConfigFingerprint: texts[8], modelPreprocessing: texts[9],
                  sequencePolicy: texts[10], queryInstruction: texts[11], documentInstruction: texts[12],
                  pooling: texts[13], outputNormalization: texts[14], dimension: dimension,
                  inputContractFingerprint: texts[16], hashControl: hashControl, projection: projection)
    }

    /// 17 elements, then `hash_control` when present, then `projection` when present — as rmp-serde
    /// writes them — except that a projection without a hash-control profile is preceded by an explicit
    /// nil (19 elements): rmp-serde would write the projection in the hash-control position, which no
    /// decoder, its own included, reads back.
    public func encode(to writer: inout MessagePackWriter) throws {
        let count = projection != nil ? 19 : hashControl != nil ? 18 : 17
        try writer.writeArrayHeader(count: count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try writer.writeString(logicalModelID)
        try writer.writeString(immutableRevision)
        try kind.encode(to: &writer)
        try writer.writeString(artifactManifestFingerprint)
        try writer.writeArrayHeader(count: artifacts.count)
        for artifact in artifacts { try artifact.encode(to: &writer) }
        try writer.writeString(tokenizerFingerprint)
        try writer.writeString(vocabularyFingerprint)
        try writer.writeString(modelConfigFingerprint)
        try writer.writeString(modelPreprocessing)
        try writer.writeString(sequencePolicy)
        try writer.writeString(queryInstruction)
        try writer.writeString(documentInstruction)
        try writer.writeString(pooling)
        try writer.writeString(outputNormalization)
        writer.writeUnsigned(UInt64(dimension))
        try writer.writeString(inputContractFingerprint)
        if count >= 18 {
            if let hashControl { try hashControl.encode(to: &writer) } else { writer.writeNil() }
        }
        if let projection { try projection.encode(to: &writer) }
    }
}

extension EmbeddingArtifactIdentityV1: MessagePackCodable {
    static let fields = WireStruct("EmbeddingArtifactIdentityV1", fields: ["role", "sha256", "size"])

    public init(from reader: inout MessagePackReader) throws {
        var role = "", sha256 = "", size: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: role = try reader.readString()
            case 1: sha256 = try reader.readString()
            default: size = try reader.readUnsigned()
            }
        }
        self.init(role: role, sha256: sha256, size: size)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeString(role)
        try writer.writeString(sha256)
        writer.writeUnsigned(size)
    }
}

extension HashControlProfileV1: MessagePackCodable {
    static let fields = WireStruct("HashControlProfileV1", fields: [
        "algorithm", "algorithm_revision", "seed", "feature_rules", "tokenization_rules", "signing_rules",
        "normalization_rules",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var texts = [String](repeating: "", count: Self.fields.count), seed: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            if field == 2 { seed = try reader.readUnsigned() } else { texts[field] = try reader.readString() }
        }
        self.init(algorithm: texts[0], algorithmRevision: texts[1], seed: seed, featureRules: texts[3],
                  tokenizationRules: texts[4], signingRules: texts[5], normalizationRules: texts[6])
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeString(algorithm)
        try writer.writeString(algorithmRevision)
        writer.writeUnsigned(seed)
        try writer.writeString(featureRules)
        try writer.writeString(tokenizationRules)
        try writer.writeString(signingRules)
        try writer.writeString(normalizationRules)
    }
}

extension EmbeddingProjectionV1: MessagePackCodable {
    static let fields = WireStruct("EmbeddingProjectionV1", fields: [
        "parent_space_fingerprint", "source_dimension", "output_dimension", "projection_rule", "renormalization_rule",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var parent = "", source: UInt32 = 0, output: UInt32 = 0, rule = "", renormalization = ""
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: parent = try reader.readString()
            case 1: source = try reader.readUInt32()
            case 2: output = try reader.readUInt32()
            case 3: rule = try reader.readString()
            default: renormalization = try reader.readString()
            }
        }
        self.init(parentSpaceFingerprint: parent, sourceDimension: source, outputDimension: output,
                  projectionRule: rule, renormalizationRule: renormalization)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeString(parentSpaceFingerprint)
        writer.writeUnsigned(UInt64(sourceDimension))
        writer.writeUnsigned(UInt64(outputDimension))
        try writer.writeString(projectionRule)
        try writer.writeString(renormalizationRule)
    }
}

extension EmbeddingProducerAttestationV1: MessagePackCodable {
    static let fields = WireStruct("EmbeddingProducerAttestationV1", fields: [
        "schema_version", "backend", "implementation_revision", "protocol_revision", "numeric_profile",
        "provenance_manifest_fingerprint", "space_fingerprint", "golden_vectors",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, texts = [String](repeating: "", count: Self.fields.count)
        var golden: GoldenVectorCertificateV1?
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: schemaVersion = try reader.readUInt16()
            case 7: golden = try GoldenVectorCertificateV1(from: &reader)
            default: texts[field] = try reader.readString()
            }
        }
        guard let golden else { throw WireError.missingField(field: "golden_vectors") }  // unreachable: required
        self.init(schemaVersion: schemaVersion, backend: texts[1], implementationRevision: texts[2],
                  protocolRevision: texts[3], numericProfile: texts[4], provenanceManifestFingerprint: texts[5],
                  spaceFingerprint: texts[6], goldenVectors: golden)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try writer.writeString(backend)
        try writer.writeString(implementationRevision)
        try writer.writeString(protocolRevision)
        try writer.writeString(numericProfile)
        try writer.writeString(provenanceManifestFingerprint)
        try writer.writeString(spaceFingerprint)
        try goldenVectors.encode(to: &writer)
    }
}

extension GoldenVectorCertificateV1: MessagePackCodable {
    static let fields = WireStruct(
        "GoldenVectorCertificateV1", fields: ["corpus_sha256", "vectors_sha256", "vector_count", "dimension"])

    public init(from reader: inout MessagePackReader) throws {
        var corpus = "", vectors = "", count: UInt32 = 0, dimension: UInt32 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: corpus = try reader.readString()
            case 1: vectors = try reader.readString()
            case 2: count = try reader.readUInt32()
            default: dimension = try reader.readUInt32()
            }
        }
        self.init(corpusSHA256: corpus, vectorsSHA256: vectors, vectorCount: count, dimension: dimension)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeString(corpusSHA256)
        try writer.writeString(vectorsSHA256)
        writer.writeUnsigned(UInt64(vectorCount))
        writer.writeUnsigned(UInt64(dimension))
    }
}

extension EmbeddingInputContractV1: MessagePackCodable {
    static let fields = WireStruct("EmbeddingInputContractV1", fields: [
        "schema_version", "canonicalization", "content_selection", "chunking", "query_instruction",
        "document_instruction", "doc_id_semantics",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, texts = [String](repeating: "", count: Self.fields.count)
        try readStruct(&reader, Self.fields) { reader, field in
            if field == 0 { schemaVersion = try reader.readUInt16() } else { texts[field] = try reader.readString() }
        }
        self.init(schemaVersion: schemaVersion, canonicalization: texts[1], contentSelection: texts[2],
                  chunking: texts[3], queryInstruction: texts[4], documentInstruction: texts[5],
                  docIDSemantics: texts[6])
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try writer.writeString(canonicalization)
        try writer.writeString(contentSelection)
        try writer.writeString(chunking)
        try writer.writeString(queryInstruction)
        try writer.writeString(documentInstruction)
        try writer.writeString(docIDSemantics)
    }
}

extension VectorStorageIdentityV1: MessagePackCodable {
    static let fields = WireStruct("VectorStorageIdentityV1", fields: [
        "schema_version", "format", "quantization", "endianness", "vector_normalization", "dimension",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, format = "", quantization = VectorQuantization.f32, endianness = ""
        var normalization = "", dimension: UInt32 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: schemaVersion = try reader.readUInt16()
            case 1: format = try reader.readString()
            case 2: quantization = try VectorQuantization(from: &reader)
            case 3: endianness = try reader.readString()
            case 4: normalization = try reader.readString()
            default: dimension = try reader.readUInt32()
            }
        }
        self.init(schemaVersion: schemaVersion, format: format, quantization: quantization, endianness: endianness,
                  vectorNormalization: normalization, dimension: dimension)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try writer.writeString(format)
        try quantization.encode(to: &writer)
        try writer.writeString(endianness)
        try writer.writeString(vectorNormalization)
        writer.writeUnsigned(UInt64(dimension))
    }
}
