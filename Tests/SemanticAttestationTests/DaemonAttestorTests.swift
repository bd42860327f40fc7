// The daemon's side of the proofs (spec §6.2, §6.3): the worked example's five proofs signed by
// DaemonAttestor byte for byte, challenge rebuilding and its field-for-field comparison, the input
// limits and operation choice with cass's fixed messages, and signing that refuses any answer whose
// shape the challenge does not allow.
import SemanticAttestation
import SemanticWire
import Testing

@Suite("Daemon attestor")
struct DaemonAttestorTests {
    let vectors = V2Fixture.shared
    let attestor: DaemonAttestor
    let verifier: AttestationVerifier

    init() throws {
        let key = try AttestationHMAC(keyBytes: V2Fixture.shared.key)
        attestor = try DaemonAttestor(connection: ContractJSON.workedConnection, key: key)
        verifier = try AttestationVerifier(connection: ContractJSON.workedConnection, key: key,
                                           expectedEndpointFingerprint: V2Fixture.shared.string("endpoint_fingerprint"))
    }

    func challenge(_ operation: DaemonOperationV1, _ inputs: [String], nonce: String = String(repeating: "7", count: 64)) throws -> DaemonChallengeV1 {
        try verifier.challenge(operation: operation, inputs: inputs, nonce: nonce)
    }

    @Test("§9 the attestor signs every proof of the worked example exactly as the Rust daemon did",
          arguments: ["embed", "handshake", "health", "embed_batch", "rerank"])
    func workedProofs(operation: String) throws {
        let proof = vectors.proofs.first { $0.operation == operation }!
        let op = DaemonOperationV1(rawValue: operation)!
        let challenge = try verifier.challenge(operation: op, inputs: proof.inputs, nonce: proof.nonce)
        #expect(challenge.canonicalBytes == proof.hex("challenge_canonical_hex"))
        let attestation: DaemonEmbeddingAttestationV1
        switch op {
        case .handshake:
            try attestor.verifyHandshake(challenge)
            attestation = try attestor.statusProof(for: challenge)
        case .health:
            try attestor.verifyHealth(challenge)
            attestation = try attestor.statusProof(for: challenge)
        case .embed, .embedBatch:
            #expect(try attestor.verifyEmbedRequest(texts: proof.inputs, challenge: challenge) == op)
            attestation = try attestor.signedEmbedding(proof.vectors, for: challenge).attestation
        case .rerank:
            try attestor.verifyRerankRequest(query: proof.inputs[0], documents: Array(proof.inputs.dropFirst()), challenge: challenge)
            attestation = try attestor.signedRerank(proof.vectors[0], for: challenge).attestation
        }
        #expect(attestation.vectorCount == UInt32(proof.integer("vector_count")))
        #expect(attestation.vectorDimension == UInt32(proof.integer("vector_dimension")))
        #expect(attestation.responsePayloadSHA256 == proof.string("response_payload_sha256"))
        #expect(attestation.unsignedBytes == proof.hex("hmac_input_hex"))
        #expect(attestation.signatureHMACSHA256 == proof.string("signature_hmac_sha256"))
        try verifier.verify(attestation, challenge: challenge, vectors: proof.vectors)
    }

    @Test("a challenge that differs from the rebuilt one in any field fails verification")
    func challengeFieldsMustMatch() throws {
        let texts = ["alpha", "beta"]
        let good = try challenge(.embedBatch, texts)
        #expect(try attestor.verifyEmbedRequest(texts: texts, challenge: good) == .embedBatch)
        var mutations: [(String, DaemonChallengeV1)] = []
        var schema = good; schema.schemaVersion = 2; mutations.append(("schema_version", schema))
        var digest = good; digest.orderedRequestSHA256 = try challenge(.embedBatch, ["beta", "alpha"]).orderedRequestSHA256
        mutations.append(("ordered_request_sha256", digest))
        var count = good; count.inputCount = 3; mutations.append(("input_count", count))
        var expected = good; expected.expectedConnectionFingerprint = String(repeating: "0", count: 64)
        mutations.append(("expected_connection_fingerprint", expected))
        for (field, challenge) in mutations {
            let error = #expect(throws: AttestedRequestError.self) { try attestor.verifyEmbedRequest(texts: texts, challenge: challenge) }
            #expect(error?.message == "daemon attestation request failed verification", "\(field)")
            #expect(error?.code == .invalidInput)
            #expect(error?.errorResponse == ErrorResponse(code: .invalidInput, message: "daemon attestation request failed verification", retryable: false))
        }
        // The texts themselves are bound: same count, other content.
        #expect(throws: AttestedRequestError.verificationFailed(.fieldDiffers("ordered_request_sha256"))) {
            try attestor.verifyEmbedRequest(texts: ["alpha", "gamma"], challenge: good)
        }
    }

    @Test("nonces must be 64 lowercase hex digits")
    func nonceFormat() throws {
        let good = try challenge(.handshake, [])
        for nonce in [String(repeating: "A", count: 64), String(repeating: "1", count: 63), String(repeating: "1", count: 65), String(repeating: "g", count: 64)] {
            var bad = good
            bad.requestNonce = nonce
            #expect(throws: AttestedRequestError.verificationFailed(.invalid(IdentityValidationError(field: "challenge.request_nonce", rule: .notCanonicalSHA256)))) {
                try attestor.verifyHandshake(bad)
            }
        }
    }

    @Test("handshake and health challenges are not interchangeable, and carry no inputs")
    func statusOperations() throws {
        let handshake = try challenge(.handshake, [])
        try attestor.verifyHandshake(handshake)
        #expect(throws: AttestedRequestError.verificationFailed(.fieldDiffers("operation"))) { try attestor.verifyHealth(handshake) }
        var withInput = handshake
        withInput.inputCount = 1
        #expect(throws: AttestedRequestError.self) { try attestor.verifyHandshake(withInput) }
    }

    @Test("§6.3 operation choice: embed needs one text, embed_batch at least one, a batch of one stays embed_batch")
    func operationChoice() throws {
        let single = try challenge(.embed, ["only"])
        #expect(try attestor.verifyEmbedRequest(texts: ["only"], challenge: single) == .embed)
        let batchOfOne = try challenge(.embedBatch, ["only"])
        #expect(try attestor.verifyEmbedRequest(texts: ["only"], challenge: batchOfOne) == .embedBatch)
        let mismatch = #expect(throws: AttestedRequestError.self) { try attestor.verifyEmbedRequest(texts: ["a", "b"], challenge: single) }
        #expect(mismatch?.message == "attested embedding operation does not match the request shape")
        #expect(mismatch?.code == .invalidInput)
        #expect(throws: AttestedRequestError.operationDoesNotMatchRequestShape(operation: .embedBatch, textCount: 0)) {
            try attestor.verifyEmbedRequest(texts: [], challenge: batchOfOne)
        }
        let rerank = try challenge(.rerank, ["q", "d"])
        #expect(throws: AttestedRequestError.operationDoesNotMatchRequestShape(operation: .rerank, textCount: 2)) {
            try attestor.verifyEmbedRequest(texts: ["q", "d"], challenge: rerank)
        }
    }

    @Test("§6.3 input limits, checked before the challenge, with cass's messages")
    func inputLimits() throws {
        let any = try challenge(.embedBatch, ["x"])
        let cases: [([String], String?, String)] = [
            (Array(repeating: "x", count: 1_025), nil, "inference request exceeds 1024 items"),
            (["ok", ""], nil, "inference input contains an empty text"),
            ([String(repeating: "a", count: 64 * 1_024 + 1)], nil, "inference text exceeds 64 KiB"),
            (Array(repeating: String(repeating: "a", count: 64 * 1_024), count: 65), nil, "inference request exceeds 4 MiB of input text"),
            (["doc"], "", "inference input contains an empty text"),
            (Array(repeating: String(repeating: "a", count: 64 * 1_024), count: 64), "q", "inference request exceeds 4 MiB of input text"),
        ]
        for (texts, query, message) in cases {
            let error = #expect(throws: AttestedRequestError.self) {
                if let query {
                    try attestor.verifyRerankRequest(query: query, documents: texts, challenge: any)
                } else {
                    _ = try attestor.verifyEmbedRequest(texts: texts, challenge: any)
                }
            }
            #expect(error?.message == message)
            #expect(error?.code == .invalidInput)
        }
        // Exactly at the limits is accepted.
        try AttestedInputLimits.check(texts: Array(repeating: String(repeating: "a", count: 64 * 1_024), count: 64))
        try AttestedInputLimits.check(texts: Array(repeating: "x", count: 1_024))
        #expect(throws: AttestedRequestError.textTooLong(index: nil, byteCount: 65_537)) {
            try AttestedInputLimits.check(texts: ["d"], query: String(repeating: "é", count: 32_768) + "a")
        }
    }

    @Test("§5.3 signing refuses wrong counts, wrong lengths, non-finite values and all-zero embedding rows")
    func signingRefusesBadShapes() throws {
        let embed = try challenge(.embed, ["t"])
        let good = [Float](repeating: 0.05, count: 384)
        _ = try attestor.signedEmbedding([good], for: embed)
        let bad: [([[Float]], ResponseShapeError)] = [
            ([], .wrongVectorCount(expected: 1, found: 0)),
            ([good, good], .wrongVectorCount(expected: 1, found: 2)),
            ([Array(good.dropLast())], .wrongRowLength(row: 0, expected: 384, found: 383)),
            ([[Float.nan] + good.dropFirst()], .nonFiniteValue(row: 0, column: 0)),
            ([Array(good.dropLast()) + [Float.infinity]], .nonFiniteValue(row: 0, column: 383)),
            ([[Float](repeating: 0, count: 384)], .allZeroRow(row: 0)),
            ([[Float](repeating: -0.0, count: 384)], .allZeroRow(row: 0)),
        ]
        for (rows, shape) in bad {
            let error = #expect(throws: AttestedRequestError.self) { try attestor.signedEmbedding(rows, for: embed) }
            #expect(error == .responseFailedValidation(operation: .embed, reason: .shape(shape)))
            #expect(error?.message == "embedding response failed attestation validation")
            #expect(error?.code == .internalError)
        }
        let batch = try challenge(.embedBatch, ["a", "b"])
        #expect(throws: AttestedRequestError.responseFailedValidation(operation: .embedBatch, reason: .shape(.allZeroRow(row: 1)))) {
            try attestor.signedEmbedding([good, [Float](repeating: 0, count: 384)], for: batch)
        }
        let rerank = try challenge(.rerank, ["q", "a", "b"])
        _ = try attestor.signedRerank([0, 0], for: rerank)  // zero scores are allowed
        let error = #expect(throws: AttestedRequestError.self) { try attestor.signedRerank([1], for: rerank) }
        #expect(error?.message == "rerank response failed attestation validation")
        #expect(throws: AttestedRequestError.responseFailedValidation(operation: .rerank, reason: .shape(.nonFiniteValue(row: 0, column: 1)))) {
            try attestor.signedRerank([1, .nan], for: rerank)
        }
        let handshake = try challenge(.handshake, [])
        #expect(throws: AttestationSigningError.shape(.wrongVectorCount(expected: 0, found: 1))) {
            try attestor.attestation(for: handshake, vectors: [good])
        }
    }

    @Test("signing refuses challenges for another connection or with a broken shape")
    func signingRefusesForeignChallenges() throws {
        var foreign = try challenge(.embed, ["t"])
        foreign.expectedConnectionFingerprint = String(repeating: "a", count: 64)
        #expect(throws: AttestationSigningError.challengeForAnotherConnection) {
            try attestor.attestation(for: foreign, vectors: [[Float](repeating: 1, count: 384)])
        }
        var broken = try challenge(.embed, ["t"])
        broken.inputCount = 2
        #expect(throws: AttestationSigningError.invalidChallenge(IdentityValidationError(field: "challenge.input_count", rule: .inputCountDoesNotFitOperation))) {
            try attestor.attestation(for: broken, vectors: [[Float](repeating: 1, count: 384)])
        }
    }

    @Test("an attestor needs a valid identity and the key it names")
    func setup() throws {
        let otherKey = try AttestationHMAC(keyBytes: [UInt8](repeating: 9, count: 32))
        #expect(throws: AttestorSetupError.keyIDMismatch(identity: "cass-daemon-key-630dcd2966c4336691125448", key: otherKey.keyID)) {
            try DaemonAttestor(connection: ContractJSON.workedConnection, key: otherKey)
        }
        var zeroGeneration = ContractJSON.workedConnection
        zeroGeneration.generation = 0
        #expect(throws: AttestorSetupError.invalidIdentity(IdentityValidationError(field: "connection.generation", rule: .zero))) {
            try DaemonAttestor(connection: zeroGeneration, key: try AttestationHMAC(keyBytes: V2Fixture.shared.key))
        }
    }

    @Test("the channel-unavailable refusal is cass's ModelLoadFailed error")
    func channelUnavailable() {
        #expect(AttestedRequestError.channelUnavailable.errorResponse
                == ErrorResponse(code: .modelLoadFailed, message: "producer-attested daemon channel is unavailable", retryable: false))
    }
}
