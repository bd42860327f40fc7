// MessagePack coding of the frankensearch daemon contract (spec §3.4) as rmp-serde writes and reads
// it: structs as arrays of their fields in order (or maps keyed by field name), the name enums as
// their exact names, each declared once (a WireStruct, a WireEnumTable). Strictness (unknown fields,
// trailing bytes) comes from the reader's options. It must never reorder fields or write an index.

extension DaemonOperationV1: WireTableEnum, WireFieldValue {
    /// `DaemonOperationV1`'s declaration: every case a unit variant named by its raw value.
    public static let wireTable = WireEnumTable<Self, Self>(
        "DaemonOperationV1", allCases.map { WireVariant($0, $0.rawValue, unit: $0) })

    public func withVariant<Result>(_ body: WireVariantBody<Self, Result>) throws -> Result {
        try body(nil) { _ in }
    }
}

extension ModelCategory: WireTableEnum, WireFieldValue {
    /// `ModelCategory`'s declaration: every case a unit variant named by its raw value.
    public static let wireTable = WireEnumTable<Self, Self>(
        "ModelCategory", allCases.map { WireVariant($0, $0.rawValue, unit: $0) })

    public func withVariant<Result>(_ body: WireVariantBody<Self, Result>) throws -> Result {
        try body(nil) { _ in }
    }
}

extension EmbeddingSpaceKind: WireTableEnum, WireFieldValue {
    /// `EmbeddingSpaceKind`'s declaration: every case a unit variant named by its raw value.
    public static let wireTable = WireEnumTable<Self, Self>(
        "EmbeddingSpaceKind", allCases.map { WireVariant($0, $0.rawValue, unit: $0) })

    public func withVariant<Result>(_ body: WireVariantBody<Self, Result>) throws -> Result {
        try body(nil) { _ in }
    }
}

extension VectorQuantization: WireTableEnum, WireFieldValue {
    /// `VectorQuantization`'s declaration: every case a unit variant named by its raw value.
    public static let wireTable = WireEnumTable<Self, Self>(
        "VectorQuantization", allCases.map { WireVariant($0, $0.rawValue, unit: $0) })

    public func withVariant<Result>(_ body: WireVariantBody<Self, Result>) throws -> Result {
        try body(nil) { _ in }
    }
}

extension DaemonChallengeV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("DaemonChallengeV1", fields: [
        "schema_version", "request_nonce", "operation", "ordered_request_sha256", "input_count",
        "expected_connection_fingerprint",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(schemaVersion:requestNonce:operation:orderedRequestSHA256:
                                                                inputCount:expectedConnectionFingerprint:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(schemaVersion, requestNonce, operation, orderedRequestSHA256, inputCount,
                               expectedConnectionFingerprint)
    }
}

extension DaemonConnectionIdentityV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("DaemonConnectionIdentityV1", fields: [
        "schema_version", "endpoint_fingerprint", "executable_fingerprint", "protocol_revision", "key_id",
        "generation", "embedding_identity", "model_category",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(schemaVersion:endpointFingerprint:executableFingerprint:
                                                                protocolRevision:keyID:generation:embeddingIdentity:
                                                                modelCategory:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(schemaVersion, endpointFingerprint, executableFingerprint, protocolRevision, keyID,
                               generation, embeddingIdentity, modelCategory)
    }
}

extension DaemonEmbeddingAttestationV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("DaemonEmbeddingAttestationV1", fields: [
        "schema_version", "challenge", "connection", "vector_count", "vector_dimension", "response_payload_sha256",
        "signature_hmac_sha256",
    ])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(schemaVersion:challenge:connection:vectorCount:
                                                                vectorDimension:responsePayloadSHA256:signatureHMACSHA256:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(schemaVersion, challenge, connection, vectorCount, vectorDimension, responsePayloadSHA256,
                               signatureHMACSHA256)
    }
}

extension AttestedDaemonEmbeddingResponseV1: MessagePackCodable, WireFieldValue {
    static let fields = WireStruct("AttestedDaemonEmbeddingResponseV1", fields: ["vectors", "attestation"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(vectors:attestation:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(vectors, attestation)
    }

    /// Bytes this answer takes when encoded, near enough to reserve storage once.
    var estimatedEncodedSize: Int {
        vectors.reduce(2_400) { $0 + 5 + 5 * $1.count }
    }
}
