// SHA-256 verification of model folders, on the real model and on tampered copies.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticClient
@testable import SemanticCore

@Suite struct ModelVerifierTests {
    @Test func knownDigest() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = scratch.path("abc")
        try Data("abc".utf8).write(to: file)
        #expect(try ModelVerifier.sha256(of: file)
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func realModelVerifies() throws {
        let directory = try Fixtures.requireRealEmbedder()
        let verification = ModelVerifier.verify(.miniLM, in: directory)
        #expect(verification.isValid)
        #expect(verification.files.count == ModelDescriptor.miniLM.checksums.count)
        #expect(verification.files.allSatisfy { $0.status == .verified })
    }

    @Test func tamperedAndMissingFilesAreReported() throws {
        let real = try Fixtures.requireRealEmbedder()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let copy = scratch.path("all-MiniLM-L6-v2")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for file in ["config.json", "tokenizer.json", "vocab.txt"] {
            try FileManager.default.copyItem(at: real.appendingPathComponent(file), to: copy.appendingPathComponent(file))
        }
        var config = try Data(contentsOf: copy.appendingPathComponent("config.json"))
        config[10] ^= 1
        try config.write(to: copy.appendingPathComponent("config.json"))

        let verification = ModelVerifier.verify(.miniLM, in: copy)
        #expect(!verification.isValid)
        #expect(!verification.isAbsent)
        let byName = Dictionary(uniqueKeysWithValues: verification.files.map { ($0.file, $0) })
        #expect(byName["config.json"]?.status == .mismatch)
        #expect(byName["tokenizer.json"]?.status == .verified)
        #expect(byName["model.safetensors"]?.status == .missing)
        #expect(byName["model.safetensors"]?.required == true)
        #expect(byName["modules.json"]?.required == true)
        #expect(byName["special_tokens_map.json"]?.required == false)
    }

    @Test func vocabularyAndTokenizerConfigStandInForTokenizerJSON() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        for file in ModelDescriptor.msMarcoMiniLM.requiredFiles where file != "tokenizer.json" {
            try Data("x".utf8).write(to: scratch.path(file))
        }
        let neither = ModelVerifier.verify(.msMarcoMiniLM, in: scratch.url)
        #expect(!neither.isValid)
        #expect(neither.files.first { $0.file == "tokenizer.json" }?.required == true)
        for file in ["vocab.txt", "tokenizer_config.json"] { try Data("x".utf8).write(to: scratch.path(file)) }
        let replaced = ModelVerifier.verify(.msMarcoMiniLM, in: scratch.url)
        #expect(replaced.isValid)
        let tokenizer = replaced.files.first { $0.file == "tokenizer.json" }
        #expect(tokenizer?.status == .missing && tokenizer?.required == false)
    }

    @Test func modelWithoutPublishedSumsChecksPresenceOnly() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let empty = ModelVerifier.verify(.msMarcoMiniLM, in: scratch.path("none"))
        #expect(empty.isAbsent && !empty.isValid)
        for file in ModelDescriptor.msMarcoMiniLM.requiredFiles {
            try Data("x".utf8).write(to: scratch.path(file))
        }
        let present = ModelVerifier.verify(.msMarcoMiniLM, in: scratch.url)
        #expect(present.isValid)
        #expect(present.files.allSatisfy { $0.status == .present })
    }
}

@Suite struct ModelInstallerTests {
    @Test func installsTheTinyCrossEncoderAsTheReranker() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let root = ModelsRoot(url: scratch.path("models"), source: .flag)
        let installed = try ModelInstaller.install(.msMarcoMiniLM, from: Fixtures.tinyCrossEncoderDirectory, into: root)
        #expect(installed.path == root.directory(for: .msMarcoMiniLM).path)
        #expect(try root.installedDirectory(for: .msMarcoMiniLM).path == installed.path)
        #expect(FileManager.default.fileExists(atPath: installed.appendingPathComponent("vocab.txt").path))
        // Installing again replaces the folder and leaves no staging folders behind.
        try ModelInstaller.install(.msMarcoMiniLM, from: Fixtures.tinyCrossEncoderDirectory, into: root)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.url.path)
        #expect(leftovers == ["ms-marco-MiniLM-L-6-v2"])
    }

    @Test func refusesOtherWeightsUnderAPinnedName() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let root = ModelsRoot(url: scratch.path("models"), source: .flag)
        // The tiny embedder has the real tokenizer files but different weights and config.
        #expect(throws: ModelInstallError.checksumMismatch(files: ["1_Pooling/config.json", "config.json",
                                                                   "model.safetensors", "sentence_bert_config.json"])) {
            try ModelInstaller.install(.miniLM, from: Fixtures.tinyEmbedderDirectory, into: root)
        }
        #expect(!FileManager.default.fileExists(atPath: root.directory(for: .miniLM).path))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: root.url.path)) ?? [] == [])
    }

    @Test func refusesASourceWithoutTheRequiredFiles() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let root = ModelsRoot(url: scratch.path("models"), source: .flag)
        #expect(throws: ModelInstallError.sourceMissingFiles(source: scratch.url.path,
                                                             missing: ["config.json", "model.safetensors",
                                                                       "tokenizer.json (or vocab.txt and tokenizer_config.json)"])) {
            try ModelInstaller.install(.msMarcoMiniLM, from: scratch.url, into: root)
        }
        #expect(throws: ModelInstallError.sourceNotADirectory(scratch.path("nope").path)) {
            try ModelInstaller.install(.msMarcoMiniLM, from: scratch.path("nope"), into: root)
        }
    }
}
