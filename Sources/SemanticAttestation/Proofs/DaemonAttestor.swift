// DaemonAttestor: the daemon's side of cass protocol v2's proofs (spec §6.2, §6.3). It holds the
// published connection identity and the key, checks an attested request (input limits, operation
// choice, then the challenge rebuilt from the request's own inputs and compared field for field) and
// signs answers, refusing any answer whose shape the challenge does not allow, so no partial or
// malformed result is ever signed. It never runs a model and never touches a file or a socket.
import SemanticWire

public struct DaemonAttestor: Sendable {
    /// The identity this daemon published; repeated in every proof.
    public let connection: DaemonConnectionIdentityV1
    /// `SHA256` of the connection's canonical bytes, which every challenge must expect.
    public let connectionFingerprint: String
    private let key: AttestationHMAC

    /// Validates the identity (the rules a client applies) and requires the key to be the one the
    /// identity names.
    public init(connection: DaemonConnectionIdentityV1, key: AttestationHMAC) throws(AttestorSetupError) {
        do {
            try connection.validate()
        } catch {
            throw AttestorSetupError.invalidIdentity(error)
        }
        guard key.keyID == connection.keyID else {
            throw AttestorSetupError.keyIDMismatch(identity: connection.keyID, key: key.keyID)
        }
        self.connection = connection
        self.connectionFingerprint = connection.fingerprint
        self.key = key
    }

    // MARK: Requests

    /// §6.2: the challenge must equal the one rebuilt from its own nonce, `operation`, the request's
    /// `inputs` in order, their count, and this daemon's connection fingerprint. The nonce must be
    /// 64 lowercase hex digits and the input count must fit the operation.
    public func verifyChallenge(_ challenge: DaemonChallengeV1, operation: DaemonOperationV1,
                                inputs: [String]) throws(AttestedRequestError) {
        guard let count = UInt32(exactly: inputs.count) else {
            throw AttestedRequestError.verificationFailed(.fieldDiffers("input_count"))
        }
        let rebuilt = DaemonChallengeV1(requestNonce: challenge.requestNonce, operation: operation,
                                        orderedRequestSHA256: operation.orderedRequestSHA256(inputs: inputs),
                                        inputCount: count, expectedConnectionFingerprint: connectionFingerprint)
        do {
            try rebuilt.validate()
        } catch {
            throw AttestedRequestError.verificationFailed(.invalid(error))
        }
        if let field = Self.firstDifference(challenge, rebuilt) {
            throw AttestedRequestError.verificationFailed(.fieldDiffers(field))
        }
    }

    /// A `HandshakeAttested` request: a handshake challenge over no inputs.
    public func verifyHandshake(_ challenge: DaemonChallengeV1) throws(AttestedRequestError) {
        try verifyChallenge(challenge, operation: .handshake, inputs: [])
    }

    /// A `HealthAttested` request: a health challenge over no inputs.
    public func verifyHealth(_ challenge: DaemonChallengeV1) throws(AttestedRequestError) {
        try verifyChallenge(challenge, operation: .health, inputs: [])
    }

    /// An `EmbedAttested` request, in the order of §6.3: input limits, operation choice (`embed` for
    /// exactly one text, `embed_batch` for one or more), then the challenge. Returns the operation.
    public func verifyEmbedRequest(texts: [String], challenge: DaemonChallengeV1) throws(AttestedRequestError) -> DaemonOperationV1 {
        try AttestedInputLimits.check(texts: texts)
        let operation = try AttestedInputLimits.embeddingOperation(of: challenge, textCount: texts.count)
        try verifyChallenge(challenge, operation: operation, inputs: texts)
        return operation
    }

    /// A `RerankAttested` request: input limits (the query counted), then a rerank challenge over
    /// the query followed by the documents.
    public func verifyRerankRequest(query: String, documents: [String], challenge: DaemonChallengeV1) throws(AttestedRequestError) {
        try AttestedInputLimits.check(texts: documents, query: query)
        try verifyChallenge(challenge, operation: .rerank, inputs: [query] + documents)
    }

    // MARK: Answers

    /// The signed proof for `vectors` under `challenge`. Refuses a challenge that breaks its own
    /// rules or expects another connection, and vectors whose count, row lengths or values the
    /// challenge does not allow (§5.3). Call it only with a challenge already verified for the
    /// request it answers.
    public func attestation(for challenge: DaemonChallengeV1, vectors: [[Float]]) throws(AttestationSigningError) -> DaemonEmbeddingAttestationV1 {
        do {
            try challenge.validate()
        } catch {
            throw AttestationSigningError.invalidChallenge(error)
        }
        guard challenge.expectedConnectionFingerprint == connectionFingerprint else {
            throw AttestationSigningError.challengeForAnotherConnection
        }
        let dimension = connection.embeddingIdentity.space.dimension
        do {
            try AttestedResponseShape.check(vectors, for: challenge, spaceDimension: dimension)
        } catch {
            throw AttestationSigningError.shape(error)
        }
        var attestation = DaemonEmbeddingAttestationV1(
            challenge: challenge, connection: connection,
            vectorCount: AttestedResponseShape.expectedVectorCount(for: challenge),
            vectorDimension: AttestedResponseShape.expectedDimension(for: challenge, spaceDimension: dimension) ?? 0,
            responsePayloadSHA256: DaemonDigests.vectorPayloadSHA256(vectors), signatureHMACSHA256: "")
        attestation.signatureHMACSHA256 = key.signature(for: attestation.unsignedBytes)
        return attestation
    }

    /// The `Attestation` answer to a verified handshake or health challenge (no vectors).
    public func statusProof(for challenge: DaemonChallengeV1) throws(AttestedRequestError) -> DaemonEmbeddingAttestationV1 {
        do {
            return try attestation(for: challenge, vectors: [])
        } catch {
            throw AttestedRequestError.responseFailedValidation(operation: challenge.operation, reason: error)
        }
    }

    /// The `AttestedEmbedding` answer to a verified embedding challenge; an unsignable answer (e.g.
    /// an all-zero row) becomes `Internal "embedding response failed attestation validation"`.
    public func signedEmbedding(_ vectors: [[Float]], for challenge: DaemonChallengeV1) throws(AttestedRequestError) -> AttestedDaemonEmbeddingResponseV1 {
        do {
            return AttestedDaemonEmbeddingResponseV1(vectors: vectors, attestation: try attestation(for: challenge, vectors: vectors))
        } catch {
            throw AttestedRequestError.responseFailedValidation(operation: challenge.operation, reason: error)
        }
    }

    /// The `AttestedEmbedding` answer to a verified rerank challenge: one row holding a score per
    /// document; an unsignable one becomes `Internal "rerank response failed attestation validation"`.
    public func signedRerank(_ scores: [Float], for challenge: DaemonChallengeV1) throws(AttestedRequestError) -> AttestedDaemonEmbeddingResponseV1 {
        do {
            return AttestedDaemonEmbeddingResponseV1(vectors: [scores], attestation: try attestation(for: challenge, vectors: [scores]))
        } catch {
            throw AttestedRequestError.responseFailedValidation(operation: challenge.operation, reason: error)
        }
    }

    private static func firstDifference(_ received: DaemonChallengeV1, _ rebuilt: DaemonChallengeV1) -> String? {
        if received.schemaVersion != rebuilt.schemaVersion { return "schema_version" }
        if received.requestNonce != rebuilt.requestNonce { return "request_nonce" }
        if received.operation != rebuilt.operation { return "operation" }
        if received.orderedRequestSHA256 != rebuilt.orderedRequestSHA256 { return "ordered_request_sha256" }
        if received.inputCount != rebuilt.inputCount { return "input_count" }
        if received.expectedConnectionFingerprint != rebuilt.expectedConnectionFingerprint { return "expected_connection_fingerprint" }
        return nil
    }
}

/// Why a daemon cannot attest with this identity and key.
public enum AttestorSetupError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidIdentity(IdentityValidationError)
    case keyIDMismatch(identity: String, key: String)

    public var description: String {
        switch self {
        case .invalidIdentity(let error): return "cannot publish the attestation identity: \(error)"
        case .keyIDMismatch(let identity, let key): return "the identity names key \(identity) but the key is \(key)"
        }
    }
}
