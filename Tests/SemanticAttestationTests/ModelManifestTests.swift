// Model-manifest rules (spec §4.3) and reading a model folder's files: sizes and SHA-256s of real
// files on disk, the layout in manifest order, and every manifest rule broken once.
import Foundation
import SemanticAttestation
import SemanticTestSupport
import Testing

@Suite("Model manifest")
struct ModelManifestTests {
    @Test("a file's size and SHA-256 are read from disk, streamed past the 1 MiB read size")
    func fileDigest() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-manifest")
        defer { scratch.remove() }
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: scratch.path("weights.bin"))
        try Data("abc".utf8).write(to: scratch.path("small.txt"))
        let digest = try ModelArtifactFiles.digest(of: scratch.path("weights.bin"))
        #expect(digest.size == UInt64(bytes.count))
        #expect(digest.sha256 == Hexadecimal.sha256(bytes))
        let artifacts = try ModelArtifactFiles.manifestArtifacts(
            in: scratch.url, layout: [(role: .weights, relativePath: "weights.bin"), (role: .tokenizer, relativePath: "small.txt")]) {
            "https://example.org/files/\($0)"
        }
        #expect(artifacts == [
            ModelArtifactFileV1(role: .weights, relativePath: "weights.bin", upstreamURL: "https://example.org/files/weights.bin",
                                size: UInt64(bytes.count), sha256: digest.sha256),
            ModelArtifactFileV1(role: .tokenizer, relativePath: "small.txt", upstreamURL: "https://example.org/files/small.txt",
                                size: 3, sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ])
        #expect(throws: ModelArtifactFileError.missing(path: scratch.path("absent").path)) {
            try ModelArtifactFiles.digest(of: scratch.path("absent"))
        }
        #expect(ModelArtifactFileError.missing(path: "/m/x").description.contains("make models"))
    }

    /// cass's manifest with one change, expected to break exactly `field`/`rule`.
    func expectBroken(_ field: String, _ rule: IdentityValidationError.Rule,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ change: (inout ModelArtifactManifestV1) -> Void) {
        var manifest = CassMiniLMManifest.make(tokenizersVersion: "0.23.2")
        change(&manifest)
        #expect(throws: IdentityValidationError(field: field, rule: rule), sourceLocation: sourceLocation) { try manifest.validate() }
        #expect(throws: IdentityValidationError(field: field, rule: rule), sourceLocation: sourceLocation) { try manifest.identityBundle() }
    }

    @Test("manifest rules")
    func rules() throws {
        try CassMiniLMManifest.make(tokenizersVersion: "0.23.2").validate()
        expectBroken("manifest.schema_version", .unsupportedSchema(found: 2)) { $0.schemaVersion = 2 }
        expectBroken("manifest.provider", .blank) { $0.provider = "" }
        expectBroken("manifest.upstream_revision", .notImmutableRevision) { $0.upstreamRevision = "main" }
        expectBroken("manifest.upstream_revision", .notImmutableRevision) { $0.upstreamRevision = $0.upstreamRevision.uppercased() }
        expectBroken("manifest.dimension", .zero) { $0.dimension = 0 }
        expectBroken("manifest.execution.golden_vectors.dimension", .doesNotBind(what: "the manifest dimension")) { $0.dimension = 768 }
        expectBroken("manifest.artifacts[].relative_path", .notRelativePath) { $0.artifacts[0].relativePath = "../model.safetensors" }
        expectBroken("manifest.artifacts[].relative_path", .notRelativePath) { $0.artifacts[0].relativePath = "/etc/passwd" }
        expectBroken("manifest.artifacts[].upstream_url", .notCredentialFreeHTTPS) { $0.artifacts[1].upstreamURL = "http://huggingface.co/x" }
        expectBroken("manifest.artifacts[].upstream_url", .notCredentialFreeHTTPS) { $0.artifacts[1].upstreamURL = "https://user@huggingface.co/x" }
        expectBroken("manifest.artifacts[].upstream_url", .notCredentialFreeHTTPS) { $0.artifacts[1].upstreamURL = "https://huggingface.co/x?token=1" }
        expectBroken("manifest.artifacts[].sha256", .notCanonicalSHA256) { $0.artifacts[2].sha256 = "0" }
        expectBroken("manifest.artifacts[].size", .zero) { $0.artifacts[2].size = 0 }
        expectBroken("manifest.artifacts[].role", .duplicate("tokenizer")) { $0.artifacts[2].role = .tokenizer }
        expectBroken("manifest.artifacts[].relative_path", .duplicate("config.json")) { $0.artifacts[3].relativePath = "config.json" }
        expectBroken("manifest.artifacts", .missingRole("weights")) { $0.artifacts.removeFirst() }
        expectBroken("input.canonicalization", .blank) { $0.execution.inputContract.canonicalization = " " }
    }

    @Test("a folder without a vocabulary or config artifact falls back as §5.8 says")
    func fingerprintFallbacks() throws {
        var manifest = CassMiniLMManifest.make(tokenizersVersion: "0.23.2")
        manifest.artifacts.removeAll { $0.role == .modelConfig }
        let bundle = try manifest.identityBundle()
        #expect(bundle.space.vocabularyFingerprint == bundle.space.tokenizerFingerprint)
        #expect(bundle.space.modelConfigFingerprint == manifest.spaceContractFingerprint)
        #expect(try manifest.identityBundle(storageFormat: "fsvi-v2").storage.endianness == "little-endian")
    }
}
