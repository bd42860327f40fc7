// HMAC-SHA256 under the attestation key: key_id vectors, every signature of the worked example's
// proofs from its HMAC input, and the verifier's refusal of non-canonical or altered signatures.
import SemanticAttestation
import Testing

@Suite("Attestation HMAC")
struct AttestationKeyTests {
    let vectors = V2Fixture.shared

    @Test("key_id vectors of v2-frames.json")
    func keyIDs() throws {
        for (secret, keyID) in vectors.keyIDVectors {
            #expect(AttestationHMAC.keyID(forSecret: secret) == keyID)
            #expect(try AttestationHMAC(keyBytes: secret).keyID == keyID)
        }
    }

    @Test("every proof's signature is the HMAC of its HMAC input", arguments: ["embed", "handshake", "health", "embed_batch", "rerank"])
    func signatures(operation: String) throws {
        let proof = vectors.proofs.first { $0.operation == operation }!
        let key = try AttestationHMAC(keyBytes: vectors.key)
        let message = proof.hex("hmac_input_hex")
        #expect(Hexadecimal.sha256(message) == proof.string("hmac_input_sha256"))
        if operation == "embed" { #expect(message.count == 1_004) }
        #expect(key.signature(for: message) == proof.string("signature_hmac_sha256"))
        #expect(key.isValidSignature(proof.string("signature_hmac_sha256"), for: message))
    }

    @Test("verification refuses uppercase, short, altered and foreign signatures")
    func refusals() throws {
        let key = try AttestationHMAC(keyBytes: vectors.key)
        let message = Array("message".utf8)
        let signature = key.signature(for: message)
        #expect(key.isValidSignature(signature, for: message))
        #expect(!key.isValidSignature(signature.uppercased(), for: message))
        #expect(!key.isValidSignature(String(signature.dropLast(2)), for: message))
        #expect(!key.isValidSignature(signature + "00", for: message))
        let flipped = String(signature.dropLast()) + (signature.last == "0" ? "1" : "0")
        #expect(!key.isValidSignature(flipped, for: message))
        #expect(!key.isValidSignature(signature, for: message + [0]))
        let other = try AttestationHMAC(keyBytes: [UInt8](repeating: 7, count: 32))
        #expect(!other.isValidSignature(signature, for: message))
    }

    @Test("keys shorter than 32 bytes are refused; longer ones are hashed as RFC 2104 says")
    func keyLengths() throws {
        #expect(throws: AttestationHMACKeyError.tooShort(byteCount: 31, minimum: 32)) {
            try AttestationHMAC(keyBytes: [UInt8](repeating: 1, count: 31))
        }
        // RFC 4231 test case 6: a 131-byte key.
        let long = try AttestationHMAC(keyBytes: [UInt8](repeating: 0xaa, count: 131))
        #expect(long.signature(for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("the description names the key_id and never the secret")
    func description() throws {
        let key = try AttestationHMAC(keyBytes: vectors.key)
        #expect(key.description == "AttestationHMAC(cass-daemon-key-630dcd2966c4336691125448)")
        #expect(!"\(key)".contains(vectors.string("key_hex")))
    }
}
