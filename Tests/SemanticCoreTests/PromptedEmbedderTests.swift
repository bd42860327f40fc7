// The two tiny prompted models (CLS and mean pooling, prompts, a default prompt, short limits) against
// every entry of prompted_embeddings.json through the engine: the prompt string each rule selects, the
// ids fed (prompt and text tokenized as one string, cut at max_seq_length) and the vector, alone and
// in one batch; what the folder says (pooling, Normalize, limit, prompts); lower-casing.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct PromptedEmbedderTests {
    /// The prompt string a golden rule selects with the model's prompts (nil: none).
    static func prompt(for rule: PromptedGoldenRule, _ prompts: ModelPrompts) -> String? {
        switch rule {
        case .plain: return prompts.defaultPrompt
        case .named(let name): return prompts.prompt(named: name)
        case .literal(let text): return text
        }
    }

    @Test func everyGoldenEntryMatchesThroughTheEngine() throws {
        var checked = 0
        for model in try PromptedGoldenModel.load() {
            let embedder = try Embedder.load(directory: model.directory)
            #expect(embedder.prompts.prompts == model.prompts && embedder.prompts.defaultPromptName == model.defaultPromptName)
            #expect(embedder.maxSequenceLength == model.maxSequenceLength && embedder.dimension == model.dimension)
            #expect(embedder.pooling.modes.map(\.name) == [model.pooling] && embedder.pooling.normalizes)
            var worst: Float = 0
            for entry in model.entries {
                let prompt = Self.prompt(for: entry.rule, embedder.prompts)
                #expect((prompt ?? "") == entry.prompt, "\(model.name) \(entry.key) '\(entry.text)'")
                let encoding = embedder.encode([entry.text], prompt: prompt)[0]
                #expect(encoding.ids == entry.inputIDs, "\(model.name) \(entry.key) '\(entry.text)'")
                #expect(encoding.wasTruncated == (encoding.untruncatedCount > model.maxSequenceLength))
                let vector = try embedder.embed([entry.text], prompt: prompt)[0]
                let difference = compare(vector, entry.embedding)
                worst = max(worst, difference.maxAbs)
                #expect(difference.withinEmbeddingTolerance, "\(model.name) \(entry.key) '\(entry.text)': \(difference)")
                checked += 1
            }
            print("\(model.name): \(model.entries.count) prompted embeddings, max abs \(worst)")
        }
        #expect(checked == 8 * 4 + 8 * 5)
    }

    /// Texts of different prompts in one packed batch give the vectors each gives alone.
    @Test func promptedTextsBatchWithOthers() throws {
        for model in try PromptedGoldenModel.load() {
            let embedder = try Embedder.load(directory: model.directory)
            let ids = model.entries.map { embedder.encode([$0.text], prompt: Self.prompt(for: $0.rule, embedder.prompts))[0].ids }
            let vectors = try embedder.embed(tokenIDs: ids)
            for (vector, entry) in zip(vectors, model.entries) {
                #expect(compare(vector, entry.embedding).withinEmbeddingTolerance, "\(model.name) \(entry.key)")
            }
        }
    }

    /// The prompt pushes the long text past the limit: cut at max_seq_length with the prompt's tokens
    /// counted, and said to be truncated.
    @Test func thePromptCountsAgainstTheLimit() throws {
        let model = try #require(try PromptedGoldenModel.load().first { $0.name == "tiny_mean_prompted" })
        let embedder = try Embedder.load(directory: model.directory)
        let long = try #require(model.entries.first { $0.text.hasPrefix("word word") && $0.rule == .plain })
        let plain = embedder.encode([long.text], prompt: nil)[0]
        let prompted = embedder.encode([long.text], prompt: "passage: ")[0]
        #expect(prompted.ids.count == 24 && prompted.wasTruncated && prompted.untruncatedCount == plain.untruncatedCount + 2)
        #expect(prompted.ids == long.inputIDs)
        let short = embedder.encode(["hello world"], prompt: "passage: ")[0]
        #expect(!short.wasTruncated && short.ids.count == 6)
    }

    /// sentence_bert_config.json `do_lower_case: true` lower-cases prompt and text before a cased
    /// tokenizer sees them.
    @Test func doLowerCaseLowerCasesPromptAndText() throws {
        let folder = try TemporaryDirectory(prefix: "semd-lowercase")
        defer { folder.remove() }
        let copy = try PromptedFolders.copy("tiny_mean_prompted", into: folder)
        try #"{"max_seq_length": 24, "do_lower_case": true}"#.write(
            to: copy.appendingPathComponent("sentence_bert_config.json"), atomically: true, encoding: .utf8)
        let embedder = try Embedder.load(directory: copy)
        #expect(embedder.lowercasesText && embedder.input(for: "Hello WORLD", prompt: "Query: ") == "query: hello world")
        #expect(try Embedder.load(directory: PromptedFolders.url("tiny_mean_prompted")).input(for: "Hi", prompt: "Q: ") == "Q: Hi")
    }

    @Test func promptRulesFollowSentenceTransformers() {
        let bge = ModelPrompts(folderPrompts: ["query": "Represent: "], defaultPromptName: nil)
        #expect(bge.prompts == ["query": "Represent: ", "document": ""] && bge.defaultPrompt == nil)
        #expect(bge.prompt(named: "document") == "" && bge.prompt(named: "passage") == nil)
        let e5 = ModelPrompts(folderPrompts: ["query": "query: ", "passage": "passage: "], defaultPromptName: "passage")
        // an empty document prompt is added, and it wins over passage and the default
        #expect(e5.prompt(named: "document") == "" && e5.defaultPrompt == "passage: " && e5.names == ["document", "passage", "query"])
    }

    @Test func anUnknownDefaultPromptNameIsRefused() throws {
        let folder = try TemporaryDirectory(prefix: "semd-default-prompt")
        defer { folder.remove() }
        let copy = try PromptedFolders.copy("tiny_mean_prompted", into: folder)
        try #"{"prompts": {"query": "q: "}, "default_prompt_name": "passage"}"#.write(
            to: copy.appendingPathComponent("config_sentence_transformers.json"), atomically: true, encoding: .utf8)
        #expect(throws: ModelConfigurationError.self) { try Embedder.load(directory: copy) }
        #expect(throws: ModelConfigurationError.self) { try ModelFolder.describe(copy) }
    }
}

/// Writable copies of the golden model folders.
enum PromptedFolders {
    static func url(_ name: String) -> URL { Fixtures.url("goldens/\(name)") }

    /// Copies the golden folder `name` into `directory` and returns the copy (files writable).
    static func copy(_ name: String, into directory: TemporaryDirectory, as copyName: String? = nil) throws -> URL {
        let destination = directory.path(copyName ?? name)
        try FileManager.default.copyItem(at: url(name), to: destination)
        let enumerator = FileManager.default.enumerator(atPath: destination.path)
        while let file = enumerator?.nextObject() as? String {
            let path = destination.appendingPathComponent(file).path
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            try FileManager.default.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o755 : 0o644], ofItemAtPath: path)
        }
        return destination
    }
}
