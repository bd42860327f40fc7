// A model whose files are there but cannot be loaded (a corrupt model.safetensors): the daemon answers
// ModelLoadFailed (retryable, after 1000 ms) naming the model, reports it "load-failed" in Status, and
// keeps serving the models that do load.
import Foundation
import SemanticClient
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

@Suite(.serialized) struct ModelLoadFailureTests {
    static let broken = ModelDescriptor(
        id: "broken-16", kind: .embedder, displayName: "broken", directoryName: "broken_embedder", aliases: ["broken"],
        dimension: 16, requiredFiles: ["config.json", "model.safetensors", "tokenizer.json"], checksums: [:],
        source: "this test", installHint: "it is made by the test")

    @Test func aCorruptModelGetsModelLoadFailedAndTheOthersKeepServing() async throws {
        let root = try TemporaryDirectory(prefix: "semd-broken-models")
        defer { root.remove() }
        let manager = FileManager.default
        try manager.createSymbolicLink(at: root.path("tiny_embedder"), withDestinationURL: Fixtures.tinyEmbedderDirectory)
        let folder = root.path("broken_embedder")
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["config.json", "tokenizer.json"] {
            try manager.copyItem(at: Fixtures.tinyEmbedderDirectory.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        // a header length far beyond the file
        try Data([0xff, 0xff, 0xff, 0x00, 0, 0, 0, 0] + Array("{}".utf8)).write(to: folder.appendingPathComponent("model.safetensors"))

        try await RunningDaemon.with(registry: ModelRegistry(models: [.tinyEmbedder, Self.broken]), modelsRoot: root.url) { running in
            let connection = try await running.connect()
            for _ in 0..<2 {  // the first attempt and a retry: the same defined answer
                let answer = try await connection.send(.embed(texts: ["hello"], model: "broken", dims: nil))
                guard case .error(let error) = answer.response else { Issue.record("\(answer)"); return }
                #expect(error.code == .modelLoadFailed && error.retryable && error.retryAfterMilliseconds == 1000, "\(error)")
                #expect(error.message.contains("broken-16") && error.message.contains("model.safetensors"), "\(error.message)")
            }
            let status = try await connection.send(.status)
            guard case .status(let report) = status.response else { Issue.record("\(status)"); return }
            #expect(report.embedders.contains { $0.id == "broken-16" && $0.name == "load-failed" && !$0.loaded })
            #expect(report.embedders.contains { $0.id == "tiny-16" && $0.loaded })

            let fine = try await connection.send(.embed(texts: ["hello"], model: "default", dims: nil))
            guard case .embed(let vectors) = fine.response else { Issue.record("\(fine)"); return }
            let direct = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["hello"])
            #expect(vectors.model == "tiny-16" && compare(vectors.embeddings[0], direct[0]).maxAbs <= 1e-6)
        }
    }
}
