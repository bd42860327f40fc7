// The canonical encoder's primitives (spec §4), lowercase hex, and the §4.1/§4.2 digests over plain
// inputs, checked byte for byte against the worked example of v2-frames.json.
import SemanticAttestation
import Testing

@Suite("Canonical primitives")
struct CanonicalPrimitiveTests {
    let vectors = V2Fixture.shared

    @Test("integers are big-endian, lengths u64, text T(s), Option 0 or 1 + value")
    func primitiveLayouts() {
        var encoder = CanonicalEncoder()
        encoder.appendByte(0x7f)
        encoder.appendUInt16(0x0102)
        encoder.appendUInt32(0x0304_0506)
        encoder.appendUInt64(0x0708_090a_0b0c_0d0e)
        encoder.appendText("é")
        encoder.appendLengthPrefixed([0xff])
        encoder.appendOptional(nil as UInt16?) { value, encoder in encoder.appendUInt16(value) }
        encoder.appendOptional(UInt16(9)) { value, encoder in encoder.appendUInt16(value) }
        #expect(encoder.bytes == [
            0x7f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
            0, 0, 0, 0, 0, 0, 0, 2, 0xc3, 0xa9,
            0, 0, 0, 0, 0, 0, 0, 1, 0xff,
            0,
            1, 0x00, 0x09,
        ])
    }

    @Test("raw and length-prefixed domains differ by the u64 length")
    func domainStyles() {
        #expect(CanonicalEncoder(rawDomain: "ab").bytes == [0x61, 0x62])
        #expect(CanonicalEncoder(lengthPrefixedDomain: "ab").bytes == [0, 0, 0, 0, 0, 0, 0, 2, 0x61, 0x62])
    }

    @Test("hex is lowercase; the decoder refuses uppercase, odd lengths and other characters")
    func hexadecimal() {
        #expect(Hexadecimal.lowercase([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hexadecimal.decodeLowercase("00abff") == [0x00, 0xab, 0xff])
        #expect(Hexadecimal.decodeLowercase("00ABFF") == nil)
        #expect(Hexadecimal.decodeLowercase("abc") == nil)
        #expect(Hexadecimal.decodeLowercase("0g") == nil)
        #expect(Hexadecimal.decodeLowercase("") == [])
        let digest = String(repeating: "a1", count: 32)
        #expect(Hexadecimal.isCanonicalSHA256(digest))
        #expect(!Hexadecimal.isCanonicalSHA256(digest.uppercased()))
        #expect(!Hexadecimal.isCanonicalSHA256(String(digest.dropLast())))
        #expect(!Hexadecimal.isCanonicalSHA256(digest + "0"))
        #expect(!Hexadecimal.isCanonicalSHA256(String(digest.dropLast()) + "é"))
        #expect(Hexadecimal.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("§9 endpoint and executable fingerprints")
    func endpointAndExecutable() {
        #expect(vectors.string("endpoint_string") == "uds-unix-hex:" + Hexadecimal.lowercase(Array(vectors.string("realpath_socket").utf8)))
        #expect(DaemonDigests.endpointFingerprint(endpoint: vectors.string("endpoint_string")) == vectors.string("endpoint_fingerprint"))
        let identity = hexBytes(vectors.string("executable_identity_hex"))
        #expect(Hexadecimal.sha256(Array("example-daemon-binary".utf8)) == vectors.string("executable_identity_hex"))
        var preimage = CanonicalEncoder(rawDomain: "frankensearch.daemon-executable.v1")
        preimage.appendLengthPrefixed(identity)
        #expect(preimage.bytes == hexBytes(vectors.string("executable_fingerprint_preimage_hex")))
        #expect(DaemonDigests.executableFingerprint(identity: identity) == vectors.string("executable_fingerprint"))
    }

    @Test("§9 ordered-request digests of every proof (59-byte embed preimage included)",
          arguments: ["embed", "handshake", "health", "embed_batch", "rerank"])
    func orderedRequestDigests(operation: String) {
        let proof = vectors.proofs.first { $0.operation == operation }!
        let tag: UInt8 = ["handshake": 1, "health": 2, "embed": 3, "embed_batch": 4, "rerank": 5][operation]!
        var preimage = CanonicalEncoder(rawDomain: "frankensearch.daemon-request.v1")
        preimage.appendByte(tag)
        preimage.appendCount(proof.inputs.count)
        for input in proof.inputs { preimage.appendText(input) }
        #expect(preimage.bytes == proof.hex("ordered_request_preimage_hex"))
        if operation == "embed" { #expect(preimage.bytes.count == 59) }
        #expect(DaemonDigests.orderedRequestSHA256(operationTag: tag, inputs: proof.inputs) == proof.string("ordered_request_sha256"))
    }

    @Test("§9 vector payload digests from the f32 bits of every proof, and the empty list of §5.3",
          arguments: ["embed", "handshake", "health", "embed_batch", "rerank"])
    func payloadDigests(operation: String) {
        let proof = vectors.proofs.first { $0.operation == operation }!
        #expect(DaemonDigests.vectorPayloadSHA256(proof.vectors) == proof.string("response_payload_sha256"))
        #expect(Hexadecimal.sha256(proof.hex("payload_preimage_hex")) == proof.string("response_payload_sha256"))
    }

    @Test("the synthetic embed vector's first bits, and payload digests that bind order, shape and signed zero")
    func payloadBindsBits() {
        let vector = (0..<384).map { Float($0 + 1) / 384 }
        #expect(vector.prefix(3).map(\.bitPattern) == [0x3b2a_aaab, 0x3baa_aaab, 0x3c00_0000])
        #expect(DaemonDigests.vectorPayloadSHA256([vector]) == "f276a5b3c9bf352a3852e3f45f8d8b68c378ce4a4c67f6bd0ba5e966d7e10167")
        #expect(DaemonDigests.vectorPayloadSHA256([]) == "92fffecdd046d3878708b48f97a2157a0f11c723c1582d776b4bd24cb8bff8e7")
        let original = DaemonDigests.vectorPayloadSHA256([[1, -0.0], [2, 3]])
        #expect(original != DaemonDigests.vectorPayloadSHA256([[2, 3], [1, -0.0]]))
        #expect(original != DaemonDigests.vectorPayloadSHA256([[1, -0.0, 2, 3]]))
        #expect(original != DaemonDigests.vectorPayloadSHA256([[1, 0], [2, 3]]))
    }

    @Test("§4.2 golden corpus digest of the four conformance texts")
    func goldenCorpus() {
        let texts = ["hello world", "semantic search finds related ideas", "identifier fsvi_v2", "naive cafe Tokyo"]
        #expect(DaemonDigests.goldenCorpusSHA256(texts: texts) == "c78d82e7992839460c6e9aa58b65ac54c8f475aed56279c5287125ca88ec376a")
    }

    @Test("§4.2 golden vectors digest of the reference server's embedder, whose vectors the Rust side also signed")
    func goldenVectors() throws {
        let batch = vectors.proof(named: "embed_batch")
        #expect(batch.inputs.map(HashStreamEmbedder.embed) == batch.vectors)
        let texts = ["hello world", "semantic search finds related ideas", "identifier fsvi_v2", "naive cafe Tokyo"]
        let golden = (vectors.referenceServerIdentity["bundle"] as! [String: Any])["producer"] as! [String: Any]
        let certificate = golden["golden_vectors"] as! [String: Any]
        #expect(try DaemonDigests.goldenVectorsSHA256(texts.map(HashStreamEmbedder.embed)) == certificate["vectors_sha256"] as! String)
    }

    @Test("golden vectors without a dimension are refused")
    func goldenVectorsShape() {
        #expect(throws: GoldenVectorsShapeError.empty) { try DaemonDigests.goldenVectorsSHA256([]) }
        #expect(throws: GoldenVectorsShapeError.empty) { try DaemonDigests.goldenVectorsSHA256([[]]) }
        #expect(throws: GoldenVectorsShapeError.unequalLengths(row: 1, length: 1, expected: 2)) {
            try DaemonDigests.goldenVectorsSHA256([[1, 2], [3]])
        }
    }
}
