// The daemon layer's canonical bytes (spec §4.1) for the worked example of §9: Appendix A's 615
// connection bytes and the connection fingerprint, every proof's challenge bytes, and every proof's
// HMAC input and signature rebuilt from the contract values alone.
import SemanticAttestation
import SemanticWire
import Testing

@Suite("Daemon encodings")
struct DaemonEncodingTests {
    let vectors = V2Fixture.shared
    static let operations = ["embed", "handshake", "health", "embed_batch", "rerank"]

    @Test("Appendix A: the connection's 615 canonical bytes and its fingerprint")
    func connection() {
        let connection = ContractJSON.workedConnection
        #expect(connection.embeddingIdentity.canonicalBytes == hexBytes(vectors.string("bundle_canonical_hex")))
        #expect(connection.embeddingIdentity.fingerprint == vectors.string("bundle_fingerprint"))
        #expect(connection.canonicalBytes == hexBytes(vectors.string("connection_canonical_hex")))
        #expect(connection.canonicalBytes.count == 615)
        #expect(connection.canonicalBytes.last == 3)
        #expect(connection.fingerprint == vectors.string("connection_fingerprint"))
        #expect(connection.fingerprint == "d9ac0520c7c031312f9c01c072e0716e1fac2f6319a5c9755d30f56eb750ea1e")
    }

    func challenge(for proof: V2Fixture.Proof) -> DaemonChallengeV1 {
        let operation = DaemonOperationV1(rawValue: proof.operation)!
        return DaemonChallengeV1(requestNonce: proof.nonce, operation: operation,
                                 orderedRequestSHA256: operation.orderedRequestSHA256(inputs: proof.inputs),
                                 inputCount: UInt32(proof.inputs.count),
                                 expectedConnectionFingerprint: ContractJSON.workedConnection.fingerprint)
    }

    @Test("§9 challenge canonical bytes of every proof (256 bytes for embed)", arguments: operations)
    func challenges(operation: String) {
        let proof = vectors.proofs.first { $0.operation == operation }!
        let challenge = challenge(for: proof)
        #expect(challenge.orderedRequestSHA256 == proof.string("ordered_request_sha256"))
        #expect(challenge.canonicalBytes == proof.hex("challenge_canonical_hex"))
        if operation == "embed" {
            #expect(challenge.canonicalBytes.count == 256)
            #expect(Hexadecimal.sha256(challenge.canonicalBytes) == "d564974d92f4e770a25f9fc4a101973b83bd47cb4923bac142f0474da8e69829")
        }
    }

    @Test("§9 attestation unsigned bytes and the signature over them", arguments: operations)
    func attestations(operation: String) throws {
        let proof = vectors.proofs.first { $0.operation == operation }!
        let attestation = DaemonEmbeddingAttestationV1(
            challenge: challenge(for: proof), connection: ContractJSON.workedConnection,
            vectorCount: UInt32(proof.integer("vector_count")), vectorDimension: UInt32(proof.integer("vector_dimension")),
            responsePayloadSHA256: DaemonDigests.vectorPayloadSHA256(proof.vectors),
            signatureHMACSHA256: proof.string("signature_hmac_sha256"))
        #expect(attestation.unsignedBytes == proof.hex("hmac_input_hex"))
        let key = try AttestationHMAC(keyBytes: vectors.key)
        #expect(key.signature(for: attestation.unsignedBytes) == proof.string("signature_hmac_sha256"))
    }

    @Test("canonical tags of operations, categories, kinds and quantizations")
    func tags() {
        #expect(DaemonOperationV1.allCases.map(\.canonicalTag) == [1, 2, 3, 4, 5])
        #expect(ModelCategory.allCases.map(\.canonicalTag) == [1, 2, 3, 4])
        #expect(EmbeddingSpaceKind.allCases.map(\.canonicalTag) == [1, 2])
        #expect(VectorQuantization.allCases.map(\.canonicalTag) == [1, 2, 3, 4])
    }
}
