// The trial load on real folders: the tiny prompted models and the tiny cross-encoder are described
// (kind, dimension, pooling, Normalize, limit, prompts); folders semd cannot serve are refused with
// the reason — another model_type, a tokenizer that is not WordPiece, a Dense module, a truncated
// model.safetensors, a missing tokenizer, missing weights, weights short of what config.json needs.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct ModelTrialTests {
    @Test func theTinyModelsAreDescribed() throws {
        let cls = try ModelTrial.run(PromptedFolders.url("tiny_cls_prompted"))
        #expect(cls.kind == .embedder && cls.dimension == 16 && cls.pooling == [.cls] && cls.normalizes)
        #expect(cls.maxSequenceLength == 48 && !cls.lowercasesText && cls.prompts.defaultPromptName == nil)
        #expect(cls.prompts.prompts["query"] == "Represent this sentence for searching relevant passages: ")
        let mean = try ModelTrial.run(PromptedFolders.url("tiny_mean_prompted"), expectedKind: .embedder)
        #expect(mean.pooling == [.mean] && mean.maxSequenceLength == 24 && mean.prompts.defaultPromptName == "passage")
        let reranker = try ModelTrial.run(Fixtures.tinyCrossEncoderDirectory)
        #expect(reranker.kind == .reranker && reranker.dimension == nil && reranker.maxSequenceLength == 512)
    }

    /// Edits a copy of tiny_cls_prompted with `change` and expects the trial to refuse it with a reason
    /// containing every one of `words`.
    func expectRefused(_ words: [String], expectedKind: ModelKind? = nil, _ change: (URL) throws -> Void,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scratch = try TemporaryDirectory(prefix: "semd-trial")
        defer { scratch.remove() }
        let folder = try PromptedFolders.copy("tiny_cls_prompted", into: scratch)
        try change(folder)
        do {
            let description = try ModelTrial.run(folder, expectedKind: expectedKind)
            Issue.record("accepted: \(description)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.directory == folder.path, sourceLocation: sourceLocation)
            for word in words {
                #expect(error.description.contains(word), "\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    static func edit(_ file: URL, _ body: (inout [String: Any]) -> Void) throws {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        body(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: file)
    }

    @Test func anotherModelTypeIsRefused() throws {
        try expectRefused(["model_type", "xlm-roberta"]) { folder in
            try Self.edit(folder.appendingPathComponent("config.json")) { $0["model_type"] = "xlm-roberta" }
        }
    }

    @Test func aTokenizerThatIsNotWordPieceIsRefused() throws {
        try expectRefused(["model.type", "Unigram", "WordPiece"]) { folder in
            try Self.edit(folder.appendingPathComponent("tokenizer.json")) { json in
                var model = json["model"] as! [String: Any]
                model["type"] = "Unigram"
                json["model"] = model
            }
        }
    }

    @Test func aDenseModuleIsRefused() throws {
        try expectRefused(["Dense", "not supported"]) { folder in
            let modules = """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
             {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """
            try modules.write(to: folder.appendingPathComponent("modules.json"), atomically: true, encoding: .utf8)
        }
    }

    @Test func aTruncatedSafetensorsFileIsRefused() throws {
        try expectRefused(["model.safetensors"]) { folder in
            let file = folder.appendingPathComponent("model.safetensors")
            let data = try Data(contentsOf: file)
            try data.prefix(data.count / 2).write(to: file)
        }
    }

    @Test func aMissingTokenizerIsRefused() throws {
        try expectRefused(["tokenizer is missing", "tokenizer.json"]) { folder in
            try FileManager.default.removeItem(at: folder.appendingPathComponent("tokenizer.json"))
            try FileManager.default.removeItem(at: folder.appendingPathComponent("vocab.txt"))
        }
    }

    @Test func missingWeightsAreRefused() throws {
        try expectRefused(["model.safetensors is missing"]) { folder in
            try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        }
        // config.json asks for a third layer the weights do not have
        try expectRefused(["encoder.layer.2"]) { folder in
            try Self.edit(folder.appendingPathComponent("config.json")) { $0["num_hidden_layers"] = 3 }
        }
    }

    @Test func otherUnsupportedFoldersAreRefused() throws {
        try expectRefused(["not a reranker"], expectedKind: .reranker) { _ in }
        try expectRefused(["include_prompt"]) { folder in
            try Self.edit(folder.appendingPathComponent("1_Pooling/config.json")) { $0["include_prompt"] = false }
        }
        try expectRefused(["position_embedding_type"]) { folder in
            try Self.edit(folder.appendingPathComponent("config.json")) { $0["position_embedding_type"] = "rotary" }
        }
        try expectRefused(["config.json is missing"]) { folder in
            try FileManager.default.removeItem(at: folder.appendingPathComponent("config.json"))
        }
        let scratch = try TemporaryDirectory(prefix: "semd-trial-none")
        defer { scratch.remove() }
        #expect(throws: ModelTrialError(directory: scratch.path("absent").path, reason: "it is not a folder")) {
            try ModelTrial.run(scratch.path("absent"))
        }
    }

    @Test func theKindComesFromConfig() throws {
        #expect(try ModelFolder.kind(of: PromptedFolders.url("tiny_cls_prompted")) == .embedder)
        #expect(try ModelFolder.kind(of: Fixtures.tinyCrossEncoderDirectory) == .reranker)
        let scratch = try TemporaryDirectory(prefix: "semd-kind")
        defer { scratch.remove() }
        let folder = try PromptedFolders.copy("tiny_cls_prompted", into: scratch)
        try Self.edit(folder.appendingPathComponent("config.json")) {
            $0["architectures"] = ["BertModel"]
            $0["sentence_transformers"] = ["activation_fn": "torch.nn.modules.linear.Identity", "version": "6.2.0"]
        }
        #expect(try ModelFolder.kind(of: folder) == .reranker)
    }
}
