// AttestationVerifier: a cass v2 client's side of the proofs, doing exactly the checks of spec §6.4.
// Pinning the identity: validate it, compare endpoint fingerprint, protocol revision and key_id.
// Per answer: the challenge and connection are the pinned ones, counts and dimension fit the
// operation, the payload digest is recomputed from the received vectors, the rows have the allowed
// shape, and the HMAC matches in constant time. It is how tests check semd the way cass does; it
// never talks to a socket and never reads the key file (the caller passes the key).
import SemanticWire

public struct AttestationVerifier: Sendable {
    /// The protocol revision cass's daemon publishes and its clients require.
    public static let cassProtocolRevision = "cass-semantic-msgpack-attested-v1"

    /// The pinned identity: every later proof must carry exactly this value.
    public let connection: DaemonConnectionIdentityV1
    public let connectionFingerprint: String
    private let key: AttestationHMAC

    /// Pins `connection` as a cass client does after `ConnectionIdentity` (§6.4 steps 2–6): it must
    /// validate, its endpoint fingerprint must equal the client's own computation for its socket
    /// path (nil skips that comparison, for callers that have no path), its protocol revision must be
    /// the expected one, and its key_id must be the key's.
    public init(connection: DaemonConnectionIdentityV1, key: AttestationHMAC, expectedEndpointFingerprint: String?,
                expectedProtocolRevision: String = AttestationVerifier.cassProtocolRevision) throws(AttestationVerificationError) {
        do {
            try connection.validate()
        } catch {
            throw AttestationVerificationError.invalidIdentity(error)
        }
        if let expectedEndpointFingerprint, connection.endpointFingerprint != expectedEndpointFingerprint {
            throw AttestationVerificationError.endpointMismatch
        }
        guard connection.protocolRevision == expectedProtocolRevision else {
            throw AttestationVerificationError.protocolRevisionMismatch
        }
        guard connection.keyID == key.keyID else { throw AttestationVerificationError.keyIDMismatch }
        self.connection = connection
        self.connectionFingerprint = connection.fingerprint
        self.key = key
    }

    /// A fresh challenge for `operation` over the exact `inputs` (none for handshake and health, the
    /// texts, or the query then the documents), with a new random nonce unless one is given.
    public func challenge(operation: DaemonOperationV1, inputs: [String],
                          nonce: String = AttestationVerifier.randomNonce()) throws(AttestationVerificationError) -> DaemonChallengeV1 {
        guard let count = UInt32(exactly: inputs.count) else {
            throw AttestationVerificationError.invalidChallenge(IdentityValidationError(field: "challenge.input_count", rule: .inputCountDoesNotFitOperation))
        }
        let challenge = DaemonChallengeV1(requestNonce: nonce, operation: operation,
                                          orderedRequestSHA256: operation.orderedRequestSHA256(inputs: inputs),
                                          inputCount: count, expectedConnectionFingerprint: connectionFingerprint)
        do {
            try challenge.validate()
        } catch {
            throw AttestationVerificationError.invalidChallenge(error)
        }
        return challenge
    }

    /// 32 bytes from the system's random source as 64 lowercase hex digits.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hexadecimal.lowercase((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Accepts `attestation` as the answer to `challenge` carrying `vectors` (empty for handshake and
    /// health, the embeddings, or the one row of rerank scores), or throws the first check it fails.
    public func verify(_ attestation: DaemonEmbeddingAttestationV1, challenge: DaemonChallengeV1,
                       vectors: [[Float]]) throws(AttestationVerificationError) {
        try checkSelfConsistency(attestation)
        do {
            try challenge.validate()
        } catch {
            throw AttestationVerificationError.invalidChallenge(error)
        }
        guard attestation.challenge == challenge else { throw AttestationVerificationError.challengeMismatch }
        guard attestation.connection == connection else { throw AttestationVerificationError.connectionMismatch }
        guard challenge.expectedConnectionFingerprint == connectionFingerprint else {
            throw AttestationVerificationError.connectionFingerprintMismatch
        }
        guard Int(attestation.vectorCount) == vectors.count else {
            throw AttestationVerificationError.vectorCountMismatch(stated: Int(attestation.vectorCount), expected: vectors.count)
        }
        guard attestation.responsePayloadSHA256 == DaemonDigests.vectorPayloadSHA256(vectors) else {
            throw AttestationVerificationError.payloadDigestMismatch
        }
        do {
            try AttestedResponseShape.check(vectors, for: challenge, spaceDimension: connection.embeddingIdentity.space.dimension)
        } catch {
            throw AttestationVerificationError.responseShape(error)
        }
        guard Hexadecimal.isCanonicalSHA256(attestation.signatureHMACSHA256) else {
            throw AttestationVerificationError.malformedSignature
        }
        guard key.isValidSignature(attestation.signatureHMACSHA256, for: attestation.unsignedBytes) else {
            throw AttestationVerificationError.signatureMismatch
        }
    }

    /// Verifies an `AttestedEmbedding` answer and returns its vectors.
    public func verify(_ response: AttestedDaemonEmbeddingResponseV1, challenge: DaemonChallengeV1) throws(AttestationVerificationError) -> [[Float]] {
        try verify(response.attestation, challenge: challenge, vectors: response.vectors)
        return response.vectors
    }

    /// The proof's own consistency, before it is compared with anything the client holds: valid
    /// challenge and connection, schema 1, a challenge that expects that connection, and the count,
    /// dimension and payload digest format its operation requires.
    private func checkSelfConsistency(_ attestation: DaemonEmbeddingAttestationV1) throws(AttestationVerificationError) {
        do {
            try attestation.challenge.validate()
        } catch {
            throw AttestationVerificationError.invalidChallenge(error)
        }
        do {
            try attestation.connection.validate()
        } catch {
            throw AttestationVerificationError.invalidIdentity(error)
        }
        guard attestation.schemaVersion == 1 else {
            throw AttestationVerificationError.unsupportedSchema(found: attestation.schemaVersion)
        }
        guard attestation.challenge.expectedConnectionFingerprint == attestation.connection.fingerprint else {
            throw AttestationVerificationError.connectionFingerprintMismatch
        }
        let expectedCount = AttestedResponseShape.expectedVectorCount(for: attestation.challenge)
        guard attestation.vectorCount == expectedCount else {
            throw AttestationVerificationError.vectorCountMismatch(stated: Int(attestation.vectorCount), expected: Int(expectedCount))
        }
        let expectedDimension = AttestedResponseShape.expectedDimension(
            for: attestation.challenge, spaceDimension: attestation.connection.embeddingIdentity.space.dimension)
        guard attestation.vectorDimension == expectedDimension else {
            throw AttestationVerificationError.vectorDimensionMismatch(stated: Int(attestation.vectorDimension),
                                                                       expected: expectedDimension.map(Int.init) ?? 0)
        }
        guard Hexadecimal.isCanonicalSHA256(attestation.responsePayloadSHA256) else {
            throw AttestationVerificationError.malformedPayloadDigest
        }
    }
}

/// Why a client cannot trust a daemon's identity or proof. cass treats every one of these as
/// `UnverifiableRemoteSpace`: a hard error, never a reason to fall back to a local model.
public enum AttestationVerificationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The published identity breaks a validation rule.
    case invalidIdentity(IdentityValidationError)
    /// The identity's endpoint fingerprint is not the one computed for the client's socket path.
    case endpointMismatch
    /// The identity's protocol revision is not the expected one.
    case protocolRevisionMismatch
    /// The identity names another key than the one the client loaded.
    case keyIDMismatch
    /// A challenge (built or received) breaks its shape rules.
    case invalidChallenge(IdentityValidationError)
    /// The attestation's schema is not 1.
    case unsupportedSchema(found: UInt16)
    /// The proof answers another challenge than the one sent.
    case challengeMismatch
    /// The proof carries another identity than the pinned one.
    case connectionMismatch
    /// A challenge does not expect the fingerprint of the connection it is paired with.
    case connectionFingerprintMismatch
    /// The stated vector count differs from what the operation requires or from the rows received.
    case vectorCountMismatch(stated: Int, expected: Int)
    /// The stated vector dimension differs from what the operation requires.
    case vectorDimensionMismatch(stated: Int, expected: Int)
    /// The payload digest is not 64 lowercase hex digits.
    case malformedPayloadDigest
    /// The payload digest is not the digest of the vectors received.
    case payloadDigestMismatch
    /// The received rows have a shape the operation does not allow.
    case responseShape(ResponseShapeError)
    /// The signature is not 64 lowercase hex digits.
    case malformedSignature
    /// The signature is not the HMAC of the proof under the client's key.
    case signatureMismatch

    public var description: String {
        let detail: String
        switch self {
        case .invalidIdentity(let error): detail = error.description
        case .endpointMismatch: detail = "the endpoint fingerprint is not this client's socket path"
        case .protocolRevisionMismatch: detail = "unexpected protocol revision"
        case .keyIDMismatch: detail = "the identity names another attestation key"
        case .invalidChallenge(let error): detail = error.description
        case .unsupportedSchema(let found): detail = "attestation schema \(found); expected 1"
        case .challengeMismatch: detail = "the proof answers another challenge"
        case .connectionMismatch: detail = "the proof carries another connection identity than the pinned one"
        case .connectionFingerprintMismatch: detail = "the challenge expects another connection fingerprint"
        case .vectorCountMismatch(let stated, let expected): detail = "vector count \(stated), expected \(expected)"
        case .vectorDimensionMismatch(let stated, let expected): detail = "vector dimension \(stated), expected \(expected)"
        case .malformedPayloadDigest: detail = "the payload digest is not 64 lowercase hex digits"
        case .payloadDigestMismatch: detail = "the payload digest does not match the vectors received"
        case .responseShape(let error): detail = error.description
        case .malformedSignature: detail = "the signature is not 64 lowercase hex digits"
        case .signatureMismatch: detail = "the signature does not authenticate the proof"
        }
        return "daemon embedding space is unverifiable: \(detail)"
    }
}
