// MessagePack coding of the frankensearch daemon contract (spec §3.4) as rmp-serde writes and reads
// it: structs as arrays of their fields in order (or maps keyed by field name), the name enums as
// their exact names. Strictness (unknown fields, trailing bytes) comes from the reader's options.
// It must never reorder fields, write variant indices, or accept a struct array of the wrong length.

extension MessagePackReader {
    /// A non-negative integer that fits u16 (frankensearch's `schema_version`).
    mutating func readUInt16() throws -> UInt16 {
        let value = try readUnsigned()
        guard let narrow = UInt16(exactly: value) else {
            throw WireError.integerOutOfRange(field: "", expected: "u16", value: String(value))
        }
        return narrow
    }
}

/// A unit-only enum that travels as its raw value (`"embed_batch"`, `"TransformerEmbedder"`); its
/// table declares every case a unit variant named by its raw value, indexed in declaration order (the
/// Rust index, accepted when decoding but never written).
protocol NamedWireEnum: MessagePackCodable, RawRepresentable<String>, CaseIterable, Hashable, Sendable
where AllCases == [Self] {
    static var wireTable: WireEnumTable<Self> { get }
}

extension NamedWireEnum {
    public init(from reader: inout MessagePackReader) throws {
        self = try Self.wireTable.read(&reader) { _, variant in variant.kind }
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeString(rawValue)
    }
}

extension DaemonOperationV1: NamedWireEnum {
    /// `DaemonOperationV1`'s declaration.
    public static let wireTable = WireEnumTable<Self>("DaemonOperationV1", unitVariants: allCases, name: \.rawValue)
}

extension ModelCategory: NamedWireEnum {
    /// `ModelCategory`'s declaration.
    public static let wireTable = WireEnumTable<Self>("ModelCategory", unitVariants: allCases, name: \.rawValue)
}

extension EmbeddingSpaceKind: NamedWireEnum {
    /// `EmbeddingSpaceKind`'s declaration.
    public static let wireTable = WireEnumTable<Self>("EmbeddingSpaceKind", unitVariants: allCases, name: \.rawValue)
}

extension VectorQuantization: NamedWireEnum {
    /// `VectorQuantization`'s declaration.
    public static let wireTable = WireEnumTable<Self>("VectorQuantization", unitVariants: allCases, name: \.rawValue)
}

extension DaemonChallengeV1: MessagePackCodable {
    static let fields = WireStruct("DaemonChallengeV1", fields: [
        "schema_version", "request_nonce", "operation", "ordered_request_sha256", "input_count",
        "expected_connection_fingerprint",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, nonce = "", operation = DaemonOperationV1.handshake, digest = ""
        var inputCount: UInt32 = 0, fingerprint = ""
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: schemaVersion = try reader.readUInt16()
            case 1: nonce = try reader.readString()
            case 2: operation = try DaemonOperationV1(from: &reader)
            case 3: digest = try reader.readString()
            case 4: inputCount = try reader.readUInt32()
            default: fingerprint = try reader.readString()
            }
        }
        self.init(schemaVersion: schemaVersion, requestNonce: nonce, operation: operation,
                  orderedRequestSHA256: digest, inputCount: inputCount, expectedConnectionFingerprint: fingerprint)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try writer.writeString(requestNonce)
        try operation.encode(to: &writer)
        try writer.writeString(orderedRequestSHA256)
        writer.writeUnsigned(UInt64(inputCount))
        try writer.writeString(expectedConnectionFingerprint)
    }
}

extension DaemonConnectionIdentityV1: MessagePackCodable {
    static let fields = WireStruct("DaemonConnectionIdentityV1", fields: [
        "schema_version", "endpoint_fingerprint", "executable_fingerprint", "protocol_revision", "key_id",
        "generation", "embedding_identity", "model_category",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, endpoint = "", executable = "", revision = "", keyID = ""
        var generation: UInt64 = 0, identity: EmbeddingIdentityBundleV1? = nil, category = ModelCategory.hashEmbedder
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: schemaVersion = try reader.readUInt16()
            case 1: endpoint = try reader.readString()
            case 2: executable = try reader.readString()
            case 3: revision = try reader.readString()
            case 4: keyID = try reader.readString()
            case 5: generation = try reader.readUnsigned()
            case 6: identity = try EmbeddingIdentityBundleV1(from: &reader)
            default: category = try ModelCategory(from: &reader)
            }
        }
        guard let identity else { throw WireError.missingField(field: "embedding_identity") }  // unreachable: required
        self.init(schemaVersion: schemaVersion, endpointFingerprint: endpoint, executableFingerprint: executable,
                  protocolRevision: revision, keyID: keyID, generation: generation, embeddingIdentity: identity,
                  modelCategory: category)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try writer.writeString(endpointFingerprint)
        try writer.writeString(executableFingerprint)
        try writer.writeString(protocolRevision)
        try writer.writeString(keyID)
        writer.writeUnsigned(generation)
        try embeddingIdentity.encode(to: &writer)
        try modelCategory.encode(to: &writer)
    }
}

extension DaemonEmbeddingAttestationV1: MessagePackCodable {
    static let fields = WireStruct("DaemonEmbeddingAttestationV1", fields: [
        "schema_version", "challenge", "connection", "vector_count", "vector_dimension", "response_payload_sha256",
        "signature_hmac_sha256",
    ])

    public init(from reader: inout MessagePackReader) throws {
        var schemaVersion: UInt16 = 0, challenge: DaemonChallengeV1? = nil, connection: DaemonConnectionIdentityV1? = nil
        var count: UInt32 = 0, dimension: UInt32 = 0, payloadDigest = "", signature = ""
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: schemaVersion = try reader.readUInt16()
            case 1: challenge = try DaemonChallengeV1(from: &reader)
            case 2: connection = try DaemonConnectionIdentityV1(from: &reader)
            case 3: count = try reader.readUInt32()
            case 4: dimension = try reader.readUInt32()
            case 5: payloadDigest = try reader.readString()
            default: signature = try reader.readString()
            }
        }
        guard let challenge, let connection else { throw WireError.missingField(field: "challenge") }  // unreachable
        self.init(schemaVersion: schemaVersion, challenge: challenge, connection: connection, vectorCount: count,
                  vectorDimension: dimension, responsePayloadSHA256: payloadDigest, signatureHMACSHA256: signature)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(UInt64(schemaVersion))
        try challenge.encode(to: &writer)
        try connection.encode(to: &writer)
        writer.writeUnsigned(UInt64(vectorCount))
        writer.writeUnsigned(UInt64(vectorDimension))
        try writer.writeString(responsePayloadSHA256)
        try writer.writeString(signatureHMACSHA256)
    }
}

extension AttestedDaemonEmbeddingResponseV1: MessagePackCodable {
    static let fields = WireStruct("AttestedDaemonEmbeddingResponseV1", fields: ["vectors", "attestation"])

    public init(from reader: inout MessagePackReader) throws {
        var vectors: [[Float]] = [], attestation: DaemonEmbeddingAttestationV1? = nil
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: vectors = try reader.readArray { try $0.readFloat32Array() }
            default: attestation = try DaemonEmbeddingAttestationV1(from: &reader)
            }
        }
        guard let attestation else { throw WireError.missingField(field: "attestation") }  // unreachable: required
        self.init(vectors: vectors, attestation: attestation)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeFloat32Arrays(vectors)
        try attestation.encode(to: &writer)
    }

    /// Bytes this answer takes when encoded, near enough to reserve storage once.
    var estimatedEncodedSize: Int {
        vectors.reduce(2_400) { $0 + 5 + 5 * $1.count }
    }
}
