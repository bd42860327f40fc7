// The client's side of the proofs (spec §6.4): pinning an identity (validation, endpoint, protocol
// revision, key_id) and accepting a proof only when challenge, connection, counts, dimension,
// payload digest, row shape and HMAC all hold. Each check is shown to catch its own tampering.
import SemanticAttestation
import SemanticWire
import Testing

@Suite("Attestation verifier")
struct AttestationVerifierTests {
    let vectors = V2Fixture.shared
    let key: AttestationHMAC
    let attestor: DaemonAttestor
    let verifier: AttestationVerifier

    init() throws {
        key = try AttestationHMAC(keyBytes: V2Fixture.shared.key)
        attestor = try DaemonAttestor(connection: ContractJSON.workedConnection, key: key)
        verifier = try AttestationVerifier(connection: ContractJSON.workedConnection, key: key,
                                           expectedEndpointFingerprint: V2Fixture.shared.string("endpoint_fingerprint"))
    }

    @Test("§6.4 pinning: endpoint, protocol revision, key_id and validation")
    func pinning() throws {
        let connection = ContractJSON.workedConnection
        #expect(throws: AttestationVerificationError.endpointMismatch) {
            try AttestationVerifier(connection: connection, key: key, expectedEndpointFingerprint: String(repeating: "0", count: 64))
        }
        #expect(throws: AttestationVerificationError.protocolRevisionMismatch) {
            try AttestationVerifier(connection: connection, key: key, expectedEndpointFingerprint: nil, expectedProtocolRevision: "other-v1")
        }
        #expect(throws: AttestationVerificationError.keyIDMismatch) {
            try AttestationVerifier(connection: connection, key: try AttestationHMAC(keyBytes: [UInt8](repeating: 1, count: 32)),
                                    expectedEndpointFingerprint: nil)
        }
        var hashCategory = connection
        hashCategory.modelCategory = .hashEmbedder
        #expect(throws: AttestationVerificationError.invalidIdentity(IdentityValidationError(field: "connection.model_category", rule: .categoryDisagreesWithKind))) {
            try AttestationVerifier(connection: hashCategory, key: key, expectedEndpointFingerprint: nil)
        }
    }

    @Test("fresh challenges carry a new 64-hex nonce each time and bind the pinned fingerprint")
    func freshChallenges() throws {
        let first = try verifier.challenge(operation: .embed, inputs: ["hello world"])
        let second = try verifier.challenge(operation: .embed, inputs: ["hello world"])
        #expect(first.requestNonce != second.requestNonce)
        #expect(Hexadecimal.isCanonicalSHA256(first.requestNonce))
        #expect(first.expectedConnectionFingerprint == "d9ac0520c7c031312f9c01c072e0716e1fac2f6319a5c9755d30f56eb750ea1e")
        #expect(first.orderedRequestSHA256 == "cea010fffabf8577388050dc32dbd71db54ab04da6d9d2e2a57e2fc8f1b5728a")
        #expect(throws: AttestationVerificationError.invalidChallenge(IdentityValidationError(field: "challenge.input_count", rule: .inputCountDoesNotFitOperation))) {
            try verifier.challenge(operation: .rerank, inputs: ["query only"])
        }
    }

    /// A signed embed proof of the worked example and the values it answers.
    func embedProof() throws -> (DaemonChallengeV1, AttestedDaemonEmbeddingResponseV1) {
        let proof = vectors.proof(named: "embed (")
        let challenge = try verifier.challenge(operation: .embed, inputs: proof.inputs, nonce: proof.nonce)
        return (challenge, try attestor.signedEmbedding(proof.vectors, for: challenge))
    }

    @Test("an untouched proof verifies and returns its vectors")
    func accepts() throws {
        let (challenge, response) = try embedProof()
        #expect(try verifier.verify(response, challenge: challenge) == response.vectors)
    }

    @Test("each tampering is caught by its own check")
    func tampering() throws {
        let (challenge, response) = try embedProof()
        let attestation = response.attestation

        // A replay: the same proof presented for a fresh challenge over the same text.
        let replay = try verifier.challenge(operation: .embed, inputs: ["hello world"])
        #expect(throws: AttestationVerificationError.challengeMismatch) { try verifier.verify(response, challenge: replay) }

        // Received vectors altered in one bit.
        var flipped = response.vectors
        flipped[0][5] = Float(bitPattern: flipped[0][5].bitPattern ^ 1)
        #expect(throws: AttestationVerificationError.payloadDigestMismatch) {
            try verifier.verify(attestation, challenge: challenge, vectors: flipped)
        }

        // Another generation (a restarted daemon): the pinned connection no longer matches.
        var restarted = attestation
        restarted.connection.generation = 4
        restarted.challenge.expectedConnectionFingerprint = restarted.connection.fingerprint
        #expect(throws: AttestationVerificationError.challengeMismatch) {
            try verifier.verify(restarted, challenge: challenge, vectors: response.vectors)
        }
        var sameChallengeOtherConnection = attestation
        sameChallengeOtherConnection.connection.generation = 4
        #expect(throws: AttestationVerificationError.connectionFingerprintMismatch) {
            try verifier.verify(sameChallengeOtherConnection, challenge: challenge, vectors: response.vectors)
        }

        // Counts and dimension that do not fit the operation.
        var count = attestation
        count.vectorCount = 2
        #expect(throws: AttestationVerificationError.vectorCountMismatch(stated: 2, expected: 1)) {
            try verifier.verify(count, challenge: challenge, vectors: response.vectors)
        }
        var dimension = attestation
        dimension.vectorDimension = 383
        #expect(throws: AttestationVerificationError.vectorDimensionMismatch(stated: 383, expected: 384)) {
            try verifier.verify(dimension, challenge: challenge, vectors: response.vectors)
        }
        var schema = attestation
        schema.schemaVersion = 2
        #expect(throws: AttestationVerificationError.unsupportedSchema(found: 2)) {
            try verifier.verify(schema, challenge: challenge, vectors: response.vectors)
        }
        var digest = attestation
        digest.responsePayloadSHA256 = digest.responsePayloadSHA256.uppercased()
        #expect(throws: AttestationVerificationError.malformedPayloadDigest) {
            try verifier.verify(digest, challenge: challenge, vectors: response.vectors)
        }

        // Signatures: uppercase, truncated, or made with another key.
        var uppercase = attestation
        uppercase.signatureHMACSHA256 = uppercase.signatureHMACSHA256.uppercased()
        #expect(throws: AttestationVerificationError.malformedSignature) {
            try verifier.verify(uppercase, challenge: challenge, vectors: response.vectors)
        }
        var short = attestation
        short.signatureHMACSHA256.removeLast()
        #expect(throws: AttestationVerificationError.malformedSignature) {
            try verifier.verify(short, challenge: challenge, vectors: response.vectors)
        }
        var forged = attestation
        forged.signatureHMACSHA256 = try AttestationHMAC(keyBytes: [UInt8](repeating: 3, count: 32)).signature(for: attestation.unsignedBytes)
        #expect(throws: AttestationVerificationError.signatureMismatch) {
            try verifier.verify(forged, challenge: challenge, vectors: response.vectors)
        }
    }

    @Test("a proof that is internally consistent but signs an all-zero row is still refused by its shape")
    func zeroRowsAreRefused() throws {
        let challenge = try verifier.challenge(operation: .embed, inputs: ["t"])
        let zero = [[Float](repeating: 0, count: 384)]
        var attestation = DaemonEmbeddingAttestationV1(
            challenge: challenge, connection: ContractJSON.workedConnection, vectorCount: 1, vectorDimension: 384,
            responsePayloadSHA256: DaemonDigests.vectorPayloadSHA256(zero), signatureHMACSHA256: "")
        attestation.signatureHMACSHA256 = key.signature(for: attestation.unsignedBytes)
        #expect(throws: AttestationVerificationError.responseShape(.allZeroRow(row: 0))) {
            try verifier.verify(attestation, challenge: challenge, vectors: zero)
        }
    }

    @Test("rerank proofs: one row of scores, one per document; zeros allowed")
    func rerankProofs() throws {
        let challenge = try verifier.challenge(operation: .rerank, inputs: ["q", "a", "b", "c"])
        let response = try attestor.signedRerank([0, 0.5, -3], for: challenge)
        #expect(response.attestation.vectorDimension == 3)
        #expect(try verifier.verify(response, challenge: challenge) == [[0, 0.5, -3]])
        #expect(throws: AttestationVerificationError.vectorCountMismatch(stated: 1, expected: 2)) {
            try verifier.verify(response.attestation, challenge: challenge, vectors: [[0, 0.5, -3], [1, 1, 1]])
        }
    }

    @Test("handshake and health proofs carry no vectors and state the space dimension")
    func statusProofs() throws {
        for operation in [DaemonOperationV1.handshake, .health] {
            let challenge = try verifier.challenge(operation: operation, inputs: [])
            let proof = try attestor.statusProof(for: challenge)
            #expect(proof.vectorCount == 0)
            #expect(proof.vectorDimension == 384)
            #expect(proof.responsePayloadSHA256 == "92fffecdd046d3878708b48f97a2157a0f11c723c1582d776b4bd24cb8bff8e7")
            try verifier.verify(proof, challenge: challenge, vectors: [])
        }
    }

    @Test("errors read as cass's UnverifiableRemoteSpace")
    func descriptions() {
        #expect(AttestationVerificationError.signatureMismatch.description
                == "daemon embedding space is unverifiable: the signature does not authenticate the proof")
    }
}
