// semd's own identity bundle (spec §5.8 rules, describing semd): built from the real MiniLM folder,
// semd's version and the vectors semd's engine produces for the four conformance texts, validated as
// a cass client validates it, checked against the pinned reference within 1 − cos ≤ 1e-6, and signed
// and verified end to end through a connection identity. Needs the real model (`make models`).
import Foundation
import SemanticAttestation
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Testing

@Suite("semd identity", .serialized)
struct SemdIdentityTests {
    /// The engine's vectors for the conformance texts, computed once for the suite.
    static let engineOutput: Result<(vectors: [[Float]], maxSequenceLength: Int, directory: URL), Error> = Result {
        let directory = try Fixtures.requireRealEmbedder()
        let embedder = try Embedder.load(directory: directory)
        return (try embedder.embed(GoldenConformanceCorpus.texts), embedder.maxSequenceLength, directory)
    }

    @Test("the engine's golden vectors match the pinned reference within 1 - cos ≤ 1e-6")
    func goldenVectorsMatchReference() throws {
        let (vectors, _, _) = try Self.engineOutput.get()
        if ProcessInfo.processInfo.environment["SEMD_PRINT_GOLDEN_VECTORS"] == "1" {
            // Regenerating the pinned reference after an intended engine change: paste these lines
            // into Sources/SemanticAttestation/Identity/PinnedGoldenVectors.swift.
            for vector in vectors {
                print(vector.map { String($0.bitPattern, radix: 16).leftPadded(to: 8) }.joined())
            }
        }
        for (row, (vector, reference)) in zip(vectors, GoldenCertificateCheck.referenceVectors).enumerated() {
            let distance = GoldenCertificateCheck.oneMinusCosine(vector, reference)
            print("golden vector \(row) ('\(GoldenConformanceCorpus.texts[row])'): 1 - cos = \(distance), max abs \(compare(vector, reference).maxAbs)")
        }
        try GoldenCertificateCheck.verify(vectors: vectors)
    }

    @Test("the bundle describes semd and the installed files, and validates as a cass client validates it")
    func bundle() throws {
        let (vectors, maxSequenceLength, directory) = try Self.engineOutput.get()
        #expect(maxSequenceLength == 256)
        let bundle = try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: SemanticCoreInfo.version,
                                                      maxSequenceLength: maxSequenceLength, goldenVectors: vectors)
        try bundle.validate()

        // Space: the real files, in manifest order, with their sizes and SHA-256s as installed.
        #expect(bundle.space.logicalModelID == "all-minilm-l6-v2")
        #expect(bundle.space.immutableRevision == "c9745ed1d9f207416be6d2e6f8de32d1f16199bf")
        #expect(bundle.space.kind == .semantic)
        #expect(bundle.space.artifacts.map(\.role) == ["weights", "tokenizer", "model_config", "special_tokens", "tokenizer_config"])
        for (artifact, name) in zip(bundle.space.artifacts, ["model.safetensors", "tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"]) {
            let url = directory.appendingPathComponent(name)
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! NSNumber
            #expect(artifact.size == size.uint64Value, "\(name)")
            #expect(artifact.sha256 == Hexadecimal.sha256(Array(try Data(contentsOf: url))), "\(name)")
        }
        // The installed files are upstream's (Models/all-MiniLM-L6-v2.sha256), so they are cass's too.
        let cass = try CassMiniLMManifest.make(tokenizersVersion: "0.23.2").identityBundle()
        #expect(bundle.space.artifacts == cass.space.artifacts)
        #expect(bundle.space.tokenizerFingerprint == cass.space.tokenizerFingerprint)
        #expect(bundle.space.modelConfigFingerprint == cass.space.modelConfigFingerprint)
        #expect(bundle.input == cass.input)
        #expect(bundle.space.sequencePolicy == "max-length=256;longest-first;no-padding")
        #expect(bundle.space.pooling == "mean-all-returned-tokens-including-specials-no-padding-v1")
        #expect(bundle.space.outputNormalization == "l2-f64-sum-of-squares-f32-divide-by-max-norm-1e-12-v1")
        #expect(bundle.storage == VectorStorageIdentityV1(format: "in-memory-f32-v1", quantization: .f32, endianness: "native-f32-values",
                                                          vectorNormalization: bundle.space.outputNormalization, dimension: 384))

        // Producer: semd, never cass's frankentorch int8 producer.
        #expect(bundle.producer.backend == "semd-swift-bert")
        #expect(bundle.producer.implementationRevision == "semd-\(SemanticCoreInfo.version)+semantic-core-v1")
        #expect(bundle.producer.protocolRevision == "semd-wordpiece-v1+semd-bert-encoder-v1")
        #expect(bundle.producer.numericProfile == "f32-weights-f32-linear-f32-accumulate-v1")
        #expect(!bundle.producer.backend.contains("frankentorch") && !bundle.producer.numericProfile.contains("int8"))
        #expect(bundle.space.fingerprint != cass.space.fingerprint)
        #expect(bundle.fingerprint != cass.fingerprint)

        // Golden certificate: the SHA-256 of the vectors actually produced.
        #expect(bundle.producer.goldenVectors == GoldenVectorCertificateV1(
            corpusSHA256: "c78d82e7992839460c6e9aa58b65ac54c8f475aed56279c5287125ca88ec376a",
            vectorsSHA256: try DaemonDigests.goldenVectorsSHA256(vectors), vectorCount: 4, dimension: 384))
        #expect(bundle.producer.goldenVectors.vectorsSHA256 != "bed15455ed5910d6ebcf39b28a22e321d83a904f99c53e79724995b662e67c26")

        // The provenance fingerprint binds semd's manifest.
        let manifest = try SemdEmbeddingIdentity.manifest(modelDirectory: directory, semdVersion: SemanticCoreInfo.version,
                                                          maxSequenceLength: maxSequenceLength, goldenVectors: vectors)
        #expect(bundle.producer.provenanceManifestFingerprint == manifest.fingerprint)
        #expect(bundle.space.artifactManifestFingerprint == manifest.spaceContractFingerprint)
        #expect(manifest.execution.weightsFormat == "safetensors-f32-v1")
    }

    @Test("semd's identity carries real proofs a cass-style verifier accepts, over real embeddings")
    func endToEndProof() throws {
        let (vectors, maxSequenceLength, directory) = try Self.engineOutput.get()
        let bundle = try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: SemanticCoreInfo.version,
                                                      maxSequenceLength: maxSequenceLength, goldenVectors: vectors)
        let key = try AttestationHMAC(keyBytes: (0..<32).map { UInt8($0 * 7 % 256) })
        let endpoint = DaemonDigests.endpointFingerprint(endpoint: "uds-unix-hex:" + Hexadecimal.lowercase(Array("/tmp/semd-test.sock".utf8)))
        let connection = try SemdEmbeddingIdentity.connection(
            endpointFingerprint: endpoint, executableFingerprint: DaemonDigests.executableFingerprint(identity: [UInt8](repeating: 1, count: 32)),
            keyID: key.keyID, generation: 1, bundle: bundle)
        #expect(connection.modelCategory == .transformerEmbedder)
        #expect(connection.protocolRevision == "cass-semantic-msgpack-attested-v1")
        let attestor = try DaemonAttestor(connection: connection, key: key)
        let verifier = try AttestationVerifier(connection: connection, key: key, expectedEndpointFingerprint: endpoint)
        let challenge = try verifier.challenge(operation: .embedBatch, inputs: GoldenConformanceCorpus.texts)
        #expect(try attestor.verifyEmbedRequest(texts: GoldenConformanceCorpus.texts, challenge: challenge) == .embedBatch)
        let response = try attestor.signedEmbedding(vectors, for: challenge)
        #expect(try verifier.verify(response, challenge: challenge) == vectors)
    }

    @Test("a folder missing a file, or with an empty one, cannot be described")
    func faultyFolders() throws {
        let (vectors, _, directory) = try Self.engineOutput.get()
        let scratch = try TemporaryDirectory(prefix: "semd-identity")
        defer { scratch.remove() }
        for name in ["tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(name), to: scratch.path(name))
        }
        let weights = scratch.path("model.safetensors").path
        #expect(throws: SemdIdentityError.modelFile(.missing(path: weights))) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: scratch.url, semdVersion: "0.1.0", maxSequenceLength: 256, goldenVectors: vectors)
        }
        #expect(FileManager.default.createFile(atPath: weights, contents: Data()))
        #expect(throws: SemdIdentityError.modelFile(.empty(path: weights))) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: scratch.url, semdVersion: "0.1.0", maxSequenceLength: 256, goldenVectors: vectors)
        }
        try FileManager.default.removeItem(atPath: weights)
        try FileManager.default.createDirectory(atPath: weights, withIntermediateDirectories: false)
        #expect(throws: SemdIdentityError.modelFile(.notRegularFile(path: weights))) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: scratch.url, semdVersion: "0.1.0", maxSequenceLength: 256, goldenVectors: vectors)
        }
    }

    @Test("golden vectors of the wrong shape and blank versions are refused")
    func badInputs() throws {
        let (vectors, _, directory) = try Self.engineOutput.get()
        #expect(throws: SemdIdentityError.goldenVectors(.wrongCount(expected: 4, found: 3))) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: "0.1.0", maxSequenceLength: 256,
                                             goldenVectors: Array(vectors.prefix(3)))
        }
        var short = vectors
        short[2].removeLast()
        #expect(throws: SemdIdentityError.goldenVectors(.wrongDimension(row: 2, expected: 384, found: 383))) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: "0.1.0", maxSequenceLength: 256, goldenVectors: short)
        }
        #expect(throws: SemdIdentityError.invalidSequenceLength(2)) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: "0.1.0", maxSequenceLength: 2, goldenVectors: vectors)
        }
        #expect(throws: SemdIdentityError.invalidIdentity(IdentityValidationError(field: "manifest.execution.implementation_revision", rule: .controlCharacter))) {
            try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: "1\n2", maxSequenceLength: 256, goldenVectors: vectors)
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
