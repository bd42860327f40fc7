// The service's prompt, truncation and model-description API on the tiny prompted models served as
// user models: every golden entry through each PromptChoice and through the `NAME:PROMPT` name form,
// per-text token counts and truncated flags, refused over-long texts, unknown prompts, tokenize,
// modelInfo and servedModels; a user model the service cannot serve is `modelUnsupported`, and every
// door maps the new errors (not retryable; invalid input).
import Foundation
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon
@testable import SemanticService

func makePromptedService(root: URL = Fixtures.url("goldens"), extra: [UserModelEntry] = []) throws -> InferenceService {
    let modelsRoot = ModelsRoot(url: root, source: .flag)
    let catalog = try ModelCatalog(registry: ModelRegistry(models: [.tinyEmbedder, .tinyReranker]).addingHashEmbedder(),
                                   commandLineModels: [
                                       UserModelEntry(name: "cls", directory: Fixtures.url("goldens/tiny_cls_prompted"), kind: .embedder),
                                       UserModelEntry(name: "mean", directory: Fixtures.url("goldens/tiny_mean_prompted"), kind: .embedder),
                                   ] + extra, modelsFile: UserModelsFile(root: modelsRoot))
    return InferenceService(registry: catalog.registry, modelsRoot: modelsRoot,
                            engineConfiguration: EngineConfiguration(threads: 2), catalog: catalog)
}

@Suite struct PromptedServiceTests {
    static let context = RequestContext(door: Door("test"))
    static let names = ["tiny_cls_prompted": "cls", "tiny_mean_prompted": "mean"]

    static func choice(_ rule: PromptedGoldenRule) -> PromptChoice {
        switch rule {
        case .plain: return .modelDefault
        case .named(let name): return .named(name)
        case .literal(let text): return .text(text)
        }
    }

    @Test func everyGoldenEntryThroughPromptChoicesAndTheNameForm() async throws {
        let service = try makePromptedService()
        defer { service.stop() }
        var checked = 0
        for model in try PromptedGoldenModel.load() {
            let name = try #require(Self.names[model.name])
            for entry in model.entries {
                let result = try await service.embed(EmbedRequest(texts: [entry.text], model: name, prompt: Self.choice(entry.rule)),
                                                     context: Self.context)
                #expect(result.modelID == name && (result.prompt ?? "") == entry.prompt)
                #expect(result.tokenCounts == [entry.inputIDs.count] && result.tokens == entry.inputIDs.count)
                // only the long text reaches the limit, and it does so by being cut
                #expect(result.truncated == [entry.inputIDs.count == model.maxSequenceLength], "\(model.name) \(entry.key)")
                #expect(compare(result.vectors[0], entry.embedding).withinEmbeddingTolerance, "\(model.name) \(entry.key)")
                if let formName = entry.rule.modelName(name) {
                    let viaName = try await service.embed(EmbedRequest(texts: [entry.text], model: formName), context: Self.context)
                    #expect(compare(viaName.vectors[0], entry.embedding).withinEmbeddingTolerance, "\(formName) '\(entry.text)'")
                }
                let tokenized = try await service.tokenize(TokenizeRequest(texts: [entry.text], model: name, prompt: Self.choice(entry.rule)))
                #expect(tokenized.map(\.ids) == [entry.inputIDs] && tokenized[0].tokens.first == "[CLS]")
                checked += 1
            }
            // every text of the model in one request, mixed prompts batching together
            let texts = model.entries.map(\.text)
            let batch = try await service.embed(EmbedRequest(texts: texts, model: name + ":query"), context: Self.context)
            for (vector, entry) in zip(batch.vectors, model.entries) where entry.rule == .named("query") {
                #expect(compare(vector, entry.embedding).withinEmbeddingTolerance)
            }
        }
        #expect(checked == 72)
    }

    @Test func truncationCanBeRefused() async throws {
        let service = try makePromptedService()
        defer { service.stop() }
        let long = Array(repeating: "word", count: 30).joined(separator: " ")
        let cut = try await service.embed(EmbedRequest(texts: ["short", long], model: "mean"), context: Self.context)
        #expect(cut.truncated == [false, true] && cut.tokenCounts == [5, 24] && cut.prompt == "passage: ")
        do {
            _ = try await service.embed(EmbedRequest(texts: ["short", long], model: "mean", truncation: .refuse), context: Self.context)
            Issue.record("an over-long text was accepted")
        } catch {
            #expect(error == .textTooLong(index: 1, tokens: 34, limit: 24, model: "mean"))
            #expect(error.description.contains("34 tokens") && error.description.contains("24-token limit"))
        }
        // the prompt alone pushes a text that fits without it past the limit
        let fits = Array(repeating: "word", count: 22).joined(separator: " ")
        _ = try await service.embed(EmbedRequest(texts: [fits], model: "mean", prompt: .none, truncation: .refuse), context: Self.context)
        await #expect(throws: ServiceError.textTooLong(index: 0, tokens: 26, limit: 24, model: "mean")) {
            try await service.embed(EmbedRequest(texts: [fits], model: "mean:query", truncation: .refuse), context: Self.context)
        }
        await #expect(throws: ServiceError.textTooLong(index: 0, tokens: 26, limit: 24, model: "mean")) {
            try await service.tokenize(TokenizeRequest(texts: [fits], model: "mean:query", truncation: .refuse))
        }
        let pairs = try await service.rerank(RerankRequest(query: "q", documents: ["d", long + " " + long], model: "default"),
                                            context: Self.context)
        #expect(pairs.tokenCounts.count == 2 && pairs.truncated == [false, false])
    }

    @Test func unknownPromptsAreInvalidInput() async throws {
        let service = try makePromptedService()
        defer { service.stop() }
        await #expect(throws: ServiceError.unknownPrompt(model: "cls", name: "passage", available: ["document", "query"])) {
            try await service.embed(EmbedRequest(texts: ["x"], model: "cls:passage"), context: Self.context)
        }
        await #expect(throws: ServiceError.unknownPrompt(model: "tiny-ce", name: "query", available: [])) {
            try await service.rerank(RerankRequest(query: "q", documents: ["d"], model: "default:query"), context: Self.context)
        }
        // .none overrides the default prompt; a name form never overrides an explicit choice
        let plain = try await service.embed(EmbedRequest(texts: ["a"], model: "mean", prompt: .none), context: Self.context)
        #expect(plain.prompt == nil && plain.tokenCounts == [3])
        let explicit = try await service.embed(EmbedRequest(texts: ["a"], model: "mean:query", prompt: .text("custom: ")),
                                               context: Self.context)
        #expect(explicit.prompt == "custom: ")
        // the hash embedder has empty query/document prompts and takes a literal one
        let hash = try await service.embed(EmbedRequest(texts: ["a b"], model: "hash:query"), context: Self.context)
        let hashPlain = try await service.embed(EmbedRequest(texts: ["a b"], model: "hash"), context: Self.context)
        #expect(hash.vectors == hashPlain.vectors && hash.tokenCounts == [0])
        let error = ServiceError.unknownPrompt(model: "cls", name: "passage", available: ["document", "query"])
        #expect(CassDoor.errorResponse(error).code == .invalidInput && !CassDoor.errorResponse(error).retryable)
    }

    @Test func modelsAreDescribedWithoutLoading() throws {
        let service = try makePromptedService()
        defer { service.stop() }
        let cls = try service.modelInfo("cls:query")
        #expect(cls.kind == .embedder && cls.dimension == 16 && cls.pooling == ["cls"] && cls.normalizes && cls.userDefined)
        #expect(cls.maxSequenceLength == 48 && cls.defaultPromptName == nil && cls.prompts["document"] == "")
        #expect(cls.directory == Fixtures.url("goldens/tiny_cls_prompted").standardizedFileURL.path)
        let mean = try service.modelInfo("MEAN")
        #expect(mean.pooling == ["mean"] && mean.defaultPromptName == "passage" && mean.prompts["passage"] == "passage: ")
        let reranker = try service.modelInfo("tiny-ce")
        #expect(reranker.kind == .reranker && reranker.dimension == nil && !reranker.userDefined && reranker.pooling.isEmpty)
        let served = service.servedModels().map(\.id)
        #expect(served == ["tiny-16", "tiny-ce", "fnv1a-384", "cls", "mean"])
        #expect(service.models.states().allSatisfy { !$0.loaded || $0.descriptor.id == "fnv1a-384" })
        #expect(throws: ServiceError.self) { try service.modelInfo("nothing") }
    }

    /// A user model whose folder broke after it was added: answered `modelUnsupported`, which no door
    /// calls retryable.
    @Test func aBrokenUserModelIsUnsupportedInEveryDoor() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-broken-user")
        defer { scratch.remove() }
        let folder = scratch.path("broken")
        try FileManager.default.copyItem(at: Fixtures.url("goldens/tiny_cls_prompted"), to: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let weights = folder.appendingPathComponent("model.safetensors")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: weights.path)
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(4096).write(to: weights)
        let service = try makePromptedService(extra: [UserModelEntry(name: "broken", directory: folder, kind: .embedder)])
        defer { service.stop() }
        for _ in 0..<2 {
            do {
                _ = try await service.embed(EmbedRequest(texts: ["x"], model: "broken:query"), context: Self.context)
                Issue.record("a truncated model served")
            } catch {
                guard case .modelUnsupported(let model, let reason) = error else { Issue.record("\(error)"); continue }
                #expect(model == "broken" && reason.contains("model.safetensors"), "\(reason)")
                let cass = CassDoor.errorResponse(error)
                #expect(cass.code == .modelLoadFailed && !cass.retryable && cass.retryAfterMilliseconds == nil)
                let xf = XFDoor(service: service).errorResponse(error, model: try service.models.resolve("broken", kind: .embedder),
                                                                failedCode: .embeddingFailed)
                #expect(xf == .error(code: .modelLoadFailed, message: error.description))
            }
        }
        #expect(service.models.state(of: "broken")?.failure?.contains("model.safetensors") == true)
        let tooLong = ServiceError.textTooLong(index: 0, tokens: 30, limit: 24, model: "mean")
        #expect(CassDoor.errorResponse(tooLong).code == .invalidInput && CassV2Door.errorResponse(tooLong).code == .invalidInput)
        #expect(XFDoor(service: service).errorResponse(tooLong, model: .tinyEmbedder, failedCode: .embeddingFailed)
                == .error(code: .invalidRequest, message: tooLong.description))
    }
}
