// Every canonical byte string and fingerprint of spec §4.2/§4.3 for the MiniLM identity table of
// §5.8 (both tokenizers rows), rebuilt from the manifest's constants and from the table's own bundle
// value, byte for byte against v2-frames.json; and the reference server's bundle fingerprint.
import SemanticAttestation
import SemanticWire
import Testing

@Suite("Identity encodings")
struct IdentityEncodingTests {
    let vectors = V2Fixture.shared
    static let rows = ["tokenizers-0.23.1", "tokenizers-0.23.2"]

    func row(_ name: String) -> [String: Any] { vectors.identityTable[name]! }
    func hex(_ row: [String: Any], _ key: String) -> [UInt8] { hexBytes(row[key] as! String) }
    func string(_ row: [String: Any], _ key: String) -> String { row[key] as! String }

    @Test("§4.3 manifest: license metadata, provenance manifest and space contract bytes", arguments: rows)
    func manifestEncodings(name: String) {
        let row = row(name)
        let manifest = CassMiniLMManifest.make(tokenizersVersion: String(name.dropFirst("tokenizers-".count)))
        #expect(manifest.licenseMetadataSHA256 == string(row, "license_metadata_sha256"))
        #expect(manifest.canonicalBytes == hex(row, "provenance_manifest_canonical_hex"))
        #expect(manifest.fingerprint == string(row, "provenance_manifest_fingerprint"))
        #expect(manifest.spaceContractCanonicalBytes == hex(row, "space_contract_canonical_hex"))
        #expect(manifest.spaceContractFingerprint == string(row, "artifact_manifest_fingerprint"))
    }

    @Test("§4.2 space, producer, input, storage and bundle bytes of the table's bundle", arguments: rows)
    func componentEncodings(name: String) {
        let row = row(name)
        let bundle = ContractJSON.bundle(row["bundle"] as! [String: Any])
        #expect(bundle.space.canonicalBytes == hex(row, "space_canonical_hex"))
        #expect(bundle.space.fingerprint == string(row, "space_fingerprint"))
        #expect(bundle.producer.canonicalBytes == hex(row, "producer_canonical_hex"))
        #expect(bundle.producer.fingerprint == string(row, "producer_fingerprint"))
        #expect(bundle.input.canonicalBytes == hex(row, "input_canonical_hex"))
        #expect(bundle.input.fingerprint == string(row, "input_fingerprint"))
        #expect(bundle.storage.canonicalBytes == hex(row, "storage_canonical_hex"))
        #expect(bundle.storage.fingerprint == string(row, "storage_fingerprint"))
        #expect(bundle.canonicalBytes == hex(row, "bundle_canonical_hex"))
        #expect(bundle.canonicalBytes.count == 329)
        #expect(bundle.fingerprint == string(row, "bundle_fingerprint"))
    }

    @Test("§5.8 the manifest derives exactly the table's bundle, which validates", arguments: rows)
    func derivedBundle(name: String) throws {
        let row = row(name)
        let manifest = CassMiniLMManifest.make(tokenizersVersion: String(name.dropFirst("tokenizers-".count)))
        let derived = try manifest.identityBundle(quantization: .f32, storageFormat: "in-memory-f32-v1")
        #expect(derived == ContractJSON.bundle(row["bundle"] as! [String: Any]))
        #expect(derived.fingerprint == string(row, "bundle_fingerprint"))
        try derived.validate()
    }

    @Test("the spec's table: every fingerprint of both rows")
    func specTable() throws {
        let old = try CassMiniLMManifest.make(tokenizersVersion: "0.23.1").identityBundle()
        let new = try CassMiniLMManifest.make(tokenizersVersion: "0.23.2").identityBundle()
        #expect(old.producer.provenanceManifestFingerprint == "726d6dde1d25946d1c7287a26f92518c158ee6d009b8a76f52748275f063e72c")
        #expect(new.producer.provenanceManifestFingerprint == "e76579619e06919d4f404f73e422683c2183723b84095b8cc546f93f6270a7ea")
        for bundle in [old, new] {
            #expect(bundle.space.artifactManifestFingerprint == "7abdcb651b3c26fd7fb5a0e7aa3faef78a8a0e1ba8a69b6618019eafa0adfa0d")
            #expect(bundle.space.fingerprint == "0f8fdd931e7af9602c0da487e83750d70768c606565f940d603849944d3b548e")
            #expect(bundle.input.fingerprint == "37127ade3c1e088e1fadd3d35c51a7955606f1a995030b6e3def436595883539")
            #expect(bundle.storage.fingerprint == "6c9a1ae06f6343d879a9ea30576ddba614f17427e9e0a8ffe7c86331c6daf3a2")
        }
        #expect(old.producer.fingerprint == "bc92a11fa1a91bab1d33b5086dd276e27b5531c194d54cf02c779f5474ca2205")
        #expect(new.producer.fingerprint == "be56237c95eb58c7d289cc34736a72b9107bf5d2b0fd00541846a4feeb0a807b")
        #expect(old.fingerprint == "51f06c5dbbeefce1e7f0a6d27fde24df6c743298822d9d72c9bddf8059850f05")
        #expect(new.fingerprint == "82474a05f4a604446e781e0ec8ec2fca0733aceb42898ddc771a27dde3ae6ab8")
    }

    @Test("the reference server's bundle (a made-up producer) fingerprints and validates")
    func referenceServerBundle() throws {
        let reference = vectors.referenceServerIdentity
        let bundle = ContractJSON.bundle(reference["bundle"] as! [String: Any])
        #expect(bundle.fingerprint == reference["bundle_fingerprint"] as! String)
        #expect(bundle.producer.spaceFingerprint == bundle.space.fingerprint)
        try bundle.validate()
    }

    @Test("space artifacts are hashed sorted by role whatever their order; the Option fields change the bytes")
    func spaceOrderAndOptions() {
        let bundle = ContractJSON.bundle(row("tokenizers-0.23.2")["bundle"] as! [String: Any])
        var reversed = bundle.space
        reversed.artifacts.reverse()
        #expect(reversed.canonicalBytes == bundle.space.canonicalBytes)
        #expect(bundle.space.canonicalBytes.suffix(2) == [0, 0])
        var projected = bundle.space
        projected.projection = EmbeddingProjectionV1(parentSpaceFingerprint: bundle.space.fingerprint, sourceDimension: 384,
                                                     outputDimension: 128, projectionRule: "prefix", renormalizationRule: "l2")
        var expectedTail = CanonicalEncoder()
        expectedTail.appendByte(0)
        expectedTail.appendByte(1)
        expectedTail.appendText(bundle.space.fingerprint)
        expectedTail.appendUInt32(384)
        expectedTail.appendUInt32(128)
        expectedTail.appendText("prefix")
        expectedTail.appendText("l2")
        #expect(Array(projected.canonicalBytes.suffix(expectedTail.bytes.count)) == expectedTail.bytes)
        let profile = HashControlProfileV1(algorithm: "a", algorithmRevision: "r", seed: 7, featureRules: "f",
                                           tokenizationRules: "t", signingRules: "s", normalizationRules: "n")
        var standalone = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.hash-control-profile.v1")
        for text in ["a", "r"] { standalone.appendText(text) }
        standalone.appendUInt64(7)
        for text in ["f", "t", "s", "n"] { standalone.appendText(text) }
        #expect(profile.canonicalBytes == standalone.bytes)
    }
}
