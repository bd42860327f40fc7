// The frankensearch daemon-attestation structs of cass protocol v2 (spec §3.4): the client's
// challenge, the daemon's connection identity, the signed proof, and an attested embedding answer.
// Plain values in wire field order (each Swift property documents its wire name). They must never
// compute or check anything — hashing, signing and validation belong to the daemon and the client.

/// frankensearch `DaemonChallengeV1`: what a client asks the daemon to prove (6 fields).
public struct DaemonChallengeV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `request_nonce: String`, 64 lowercase hex characters.
    public var requestNonce: String
    /// `operation: DaemonOperationV1`
    public var operation: DaemonOperationV1
    /// `ordered_request_sha256: String`, 64 lowercase hex characters.
    public var orderedRequestSHA256: String
    /// `input_count: u32`
    public var inputCount: UInt32
    /// `expected_connection_fingerprint: String`, 64 lowercase hex characters.
    public var expectedConnectionFingerprint: String

    public init(schemaVersion: UInt16 = 1, requestNonce: String, operation: DaemonOperationV1,
                orderedRequestSHA256: String, inputCount: UInt32, expectedConnectionFingerprint: String) {
        self.schemaVersion = schemaVersion
        self.requestNonce = requestNonce
        self.operation = operation
        self.orderedRequestSHA256 = orderedRequestSHA256
        self.inputCount = inputCount
        self.expectedConnectionFingerprint = expectedConnectionFingerprint
    }
}

/// frankensearch `DaemonConnectionIdentityV1`: who the daemon is, repeated in every proof (8 fields).
public struct DaemonConnectionIdentityV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `endpoint_fingerprint: String`, 64 lowercase hex characters.
    public var endpointFingerprint: String
    /// `executable_fingerprint: String`, 64 lowercase hex characters.
    public var executableFingerprint: String
    /// `protocol_revision: String`; cass sends `"cass-semantic-msgpack-attested-v1"`.
    public var protocolRevision: String
    /// `key_id: String`, `"cass-daemon-key-"` and 24 lowercase hex characters.
    public var keyID: String
    /// `generation: u64`, at least 1.
    public var generation: UInt64
    /// `embedding_identity: EmbeddingIdentityBundleV1`
    public var embeddingIdentity: EmbeddingIdentityBundleV1
    /// `model_category: ModelCategory`
    public var modelCategory: ModelCategory

    public init(schemaVersion: UInt16 = 1, endpointFingerprint: String, executableFingerprint: String,
                protocolRevision: String, keyID: String, generation: UInt64,
                embeddingIdentity: EmbeddingIdentityBundleV1, modelCategory: ModelCategory) {
        self.schemaVersion = schemaVersion
        self.endpointFingerprint = endpointFingerprint
        self.executableFingerprint = executableFingerprint
        self.protocolRevision = protocolRevision
        self.keyID = keyID
        self.generation = generation
        self.embeddingIdentity = embeddingIdentity
        self.modelCategory = modelCategory
    }
}

/// frankensearch `DaemonEmbeddingAttestationV1`: the signed proof of one answer (7 fields).
public struct DaemonEmbeddingAttestationV1: Sendable, Equatable, Hashable {
    /// `schema_version: u16`, 1.
    public var schemaVersion: UInt16
    /// `challenge: DaemonChallengeV1`, byte for byte the client's.
    public var challenge: DaemonChallengeV1
    /// `connection: DaemonConnectionIdentityV1`, the full identity.
    public var connection: DaemonConnectionIdentityV1
    /// `vector_count: u32`
    public var vectorCount: UInt32
    /// `vector_dimension: u32`
    public var vectorDimension: UInt32
    /// `response_payload_sha256: String`, 64 lowercase hex characters.
    public var responsePayloadSHA256: String
    /// `signature_hmac_sha256: String`, 64 lowercase hex characters.
    public var signatureHMACSHA256: String

    public init(schemaVersion: UInt16 = 1, challenge: DaemonChallengeV1, connection: DaemonConnectionIdentityV1,
                vectorCount: UInt32, vectorDimension: UInt32, responsePayloadSHA256: String,
                signatureHMACSHA256: String) {
        self.schemaVersion = schemaVersion
        self.challenge = challenge
        self.connection = connection
        self.vectorCount = vectorCount
        self.vectorDimension = vectorDimension
        self.responsePayloadSHA256 = responsePayloadSHA256
        self.signatureHMACSHA256 = signatureHMACSHA256
    }
}

/// frankensearch `AttestedDaemonEmbeddingResponseV1`: vectors (or one row of rerank scores) and
/// their proof (2 fields).
public struct AttestedDaemonEmbeddingResponseV1: Sendable, Equatable, Hashable {
    /// `vectors: Vec<Vec<f32>>`
    public var vectors: [[Float]]
    /// `attestation: DaemonEmbeddingAttestationV1`
    public var attestation: DaemonEmbeddingAttestationV1

    public init(vectors: [[Float]], attestation: DaemonEmbeddingAttestationV1) {
        self.vectors = vectors
        self.attestation = attestation
    }
}
