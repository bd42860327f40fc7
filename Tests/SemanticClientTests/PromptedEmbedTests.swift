// SemanticClient's prompt and truncation arguments: each prompt choice as it travels over the cass socket
// (a named prompt in the `NAME:PROMPT` model name, no prompt as `NAME:`, a literal prompt prepended to
// every text), the same choices computed in-process and by a live daemon reproducing
// sentence-transformers' prompted goldens, token counts from the model folder's tokenizer, and
// `.refuse` stopping an over-long text before anything is sent.
import Foundation
import SemanticClient
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Synchronization
import Testing
@testable import SemanticClient

extension ClientConfiguration {
    func with(registry: ModelRegistry) -> ClientConfiguration {
        var configuration = self
        configuration.registry = registry
        return configuration
    }
}

@Suite(.serialized) struct PromptedEmbedTests {
    static let vector: [Float] = Array(repeating: 0.25, count: 16)

    @Test func eachPromptChoiceTravelsInTheModelNameOrTheTexts() async throws {
        let seen = Mutex<[(model: String, texts: [String])]>([])
        let fake = try FakeDaemon { request, _ in
            guard case .embed(let texts, let model, _) = request else { return .hangUp }
            seen.withLock { $0.append((model, texts)) }
            return .answer(.embed(EmbedResponse(embeddings: texts.map { _ in Self.vector }, model: "tiny-16",
                                                elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let choices: [(EmbeddingPrompt, String, [String])] = [
            (.modelDefault, "default", ["a", "b"]),
            (.query, "default:query", ["a", "b"]),
            (.document, "default:document", ["a", "b"]),
            (.named("passage"), "default:passage", ["a", "b"]),
            (.none, "default:", ["a", "b"]),
            (.text("custom: "), "default:", ["custom: a", "custom: b"]),
        ]
        for (prompt, _, _) in choices {
            let result = try await offPool { try client.embed(["a", "b"], prompt: prompt) }
            #expect(result.servedBy == .daemon && result.embeddings.count == 2)
        }
        // A `NAME:PROMPT` model name is kept as it is; a call's own prompt wins over its suffix.
        _ = try await offPool { try client.embed(["a"], model: "tiny-16:query") }
        _ = try await offPool { try client.embed(["a"], model: "tiny-16:query", prompt: .text("p ")) }
        let sent = seen.withLock { $0 }
        #expect(sent.count == choices.count + 2)
        for (index, (prompt, model, texts)) in choices.enumerated() where index < sent.count {
            #expect(sent[index].model == model && sent[index].texts == texts, "\(prompt) → \(sent[index])")
        }
        #expect(sent.dropFirst(choices.count).map(\.model) == ["tiny-16:query", "tiny-16:"])
        #expect(sent.last?.texts == ["p a"])
    }

    @Test func theNameFormSplitsAsTheDaemonSplitsIt() {
        let cases: [(name: String, prompt: EmbeddingPrompt, model: String, split: EmbeddingPrompt)] = [
            ("bge", .modelDefault, "bge", .modelDefault),
            ("bge:query", .modelDefault, "bge", .named("query")),
            ("bge:", .modelDefault, "bge", .none),
            ("bge:query", .document, "bge", .document),
        ]
        for item in cases {
            let split = EmbeddingPrompt.split(modelName: item.name, prompt: item.prompt)
            #expect(split.model == item.model && split.prompt == item.split, "\(item.name) \(item.prompt)")
        }
        let wire = PromptedModel(name: "bge", prompt: .text("x: ")).wireRequest(for: ["t"])
        #expect(wire.model == "bge:" && wire.texts == ["x: t"])
    }

    /// Every golden entry through `embed(_:model:prompt:)`, served as `servedBy` says, with the
    /// token counts `tokenize` gives for the same arguments.
    private func expectGoldens(_ client: SemanticClient, servedBy: ServedBy) async throws {
        for model in try PromptedGoldenModel.load() {
            for (key, entries) in Dictionary(grouping: model.entries, by: \.key).sorted(by: { $0.key < $1.key }) {
                guard let rule = entries.first?.rule else { continue }
                let prompt: EmbeddingPrompt = switch rule {
                case .plain: .modelDefault
                case .named(let name): .named(name)
                case .literal(let text): .text(text)
                }
                let texts = entries.map(\.text)
                let result = try await offPool { try client.embed(texts, model: model.name, prompt: prompt) }
                #expect(result.servedBy == servedBy && result.model == model.name, "\(model.name) \(key): \(result.servedBy)")
                for (vector, entry) in zip(result.embeddings, entries) {
                    let dot = zip(vector, entry.embedding).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    #expect(1 - dot <= 1e-6, "\(model.name) \(key) \(entry.text.prefix(20)): 1 − cos \(1 - dot)")
                }
                let tokenized = try client.tokenize(texts, model: model.name, prompt: prompt)
                #expect(tokenized.map(\.encoding.ids) == entries.map(\.inputIDs), "\(model.name) \(key): ids")
                #expect(try client.promptString(model: model.name, prompt: prompt) == (entries[0].prompt.isEmpty ? nil : entries[0].prompt))
            }
        }
    }

    @Test func everyPromptRuleReproducesTheGoldensInProcessAndThroughTheDaemon() async throws {
        let entries = try PromptedGoldenModel.load().map { UserModelEntry(name: $0.name, directory: $0.directory, kind: .embedder) }
        let registry = try RunningDaemon.tinyRegistry.addingUserModels(entries, source: "the prompted goldens")
        let inProcess = SemanticClient(configuration: RunningDaemon.clientConfiguration(
            socket: "/nonexistent/semd.sock", policy: .inProcessOnly, registry: registry))
        try await expectGoldens(inProcess, servedBy: .inProcess(.daemonDisabled))
        try await RunningDaemon.with(registry: registry, configure: { $0.threads = 1 }) { running in
            let client = SemanticClient(configuration: running.clientConfiguration(policy: .daemonOnly).with(registry: registry))
            try await expectGoldens(client, servedBy: .daemon)
        }
    }

    @Test func refusingAnOverlongTextSendsNothing() async throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let long = Array(repeating: "word", count: 100).joined(separator: " ")
        let result = try await outcome { try client.embed(["short", long], truncation: .refuse) }
        guard case .failure(.textTooLong(let index, let text, let tokens, let limit, let model)) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(index == 1 && text == long && tokens == 102 && limit == 64 && model == "tiny-16")
        #expect(fake.requestIDs.isEmpty, "refused before sending")
        if case .failure(let error) = result {
            #expect(error.description.contains("102 tokens") && error.description.contains("limit of 64"))
        }
        let counted = try client.tokenize(["short", long])
        #expect(counted.map(\.tokenCount) == [3, 64] && counted.map(\.truncated) == [false, true])
        #expect(counted[1].untruncatedCount == 102)
    }
}
