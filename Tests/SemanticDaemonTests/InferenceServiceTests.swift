// The protocol-free service on the tiny golden models: loading, resolution errors, merged batches
// giving the same vectors as the engine alone, background slices, reranking against the golden logits.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing
@testable import SemanticService

extension ModelDescriptor {
    static let absentReranker = ModelDescriptor(
        id: "absent-ce", kind: .reranker, displayName: "absent", directoryName: "nowhere", aliases: ["default"],
        dimension: nil, requiredFiles: ["config.json", "model.safetensors", "tokenizer.json"], checksums: [:],
        source: "nowhere", installHint: "run `semctl models install absent --from DIR`")
}

func makeTinyService(reranker: ModelDescriptor = .tinyReranker) -> InferenceService {
    InferenceService(registry: ModelRegistry(models: [.tinyEmbedder, reranker]),
                     modelsRoot: ModelsRoot(url: Fixtures.url("goldens"), source: .flag),
                     engineConfiguration: EngineConfiguration(threads: 2))
}

/// The calls the tests make, as a door would make them.
extension InferenceService {
    func embed(_ texts: [String], model: String, dims: Int?, priority: SchedulerPriority = .interactive)
        async throws(ServiceError) -> EmbedResult {
        try await embed(EmbedRequest(texts: texts, model: model, dims: dims),
                        context: RequestContext(door: Door("test"), priority: priority))
    }

    func rerank(query: String, documents: [String], model: String) async throws(ServiceError) -> RerankResult {
        try await rerank(RerankRequest(query: query, documents: documents, model: model), context: RequestContext(door: Door("test")))
    }
}

@Suite struct InferenceServiceTests {
    @Test func warmUpLoadsTheEmbedderAndTheInstalledReranker() {
        let service = makeTinyService()
        defer { service.stop() }
        #expect(!service.models.isReady)
        service.warmUp(preloadReranker: true)
        #expect(service.models.isReady)
        let states = service.models.states()
        #expect(states.map(\.loaded) == [true, true])
        #expect(states[0].dimension == 16)
    }

    @Test func embedMatchesTheEngineAndTheGoldens() async throws {
        let service = makeTinyService()
        defer { service.stop() }
        let cases = try Golden.cases("goldens/tiny_embedder_embeddings.json")
        let texts = cases.prefix(12).map { $0["text"] as! String }
        let result = try await service.embed(texts, model: "default", dims: nil)
        #expect(result.modelID == "tiny-16")
        #expect(result.vectors.count == texts.count)
        for (index, golden) in cases.prefix(12).enumerated() {
            let difference = compare(result.vectors[index], try Golden.floats(golden["embedding"]))
            #expect(difference.withinEmbeddingTolerance, "text \(index): \(difference)")
        }
    }

    @Test func slicesStayWithinTheBudgetAndCoverEveryText() {
        #expect(EmbeddingPath.slices([], budget: 10) == [])
        #expect(EmbeddingPath.slices([4, 4, 4], budget: 10) == [0..<2, 2..<3])
        #expect(EmbeddingPath.slices([30, 2, 2], budget: 10) == [0..<1, 1..<3], "a long text runs alone")
        #expect(EmbeddingPath.slices([5, 5, 5, 5], budget: 10) == [0..<2, 2..<4])
    }

    /// A background request runs as token-bounded batches (interactive work can run between them) and
    /// still returns the vectors an interactive request gets.
    @Test func backgroundWorkRunsInTokenBoundedSlices() async throws {
        var scheduling = InferenceSchedulerConfiguration()
        scheduling.maxBackgroundBatchTokens = 24
        let service = InferenceService(registry: ModelRegistry(models: [.tinyEmbedder]),
                                    modelsRoot: ModelsRoot(url: Fixtures.url("goldens"), source: .flag),
                                    engineConfiguration: EngineConfiguration(threads: 2), schedulerConfiguration: scheduling)
        defer { service.stop() }
        let texts = (0..<12).map { "background text number \($0) with a few words" }
        let interactive = try await service.embed(texts, model: "default", dims: nil)
        let before = service.ledger.batchStatistics
        let background = try await service.embed(texts, model: "default", dims: nil, priority: .background)
        let after = service.ledger.batchStatistics
        #expect(after.batches - before.batches >= 4, "\(after)")
        #expect(background.tokens == interactive.tokens)
        for (a, b) in zip(background.vectors, interactive.vectors) { #expect(compare(a, b).maxAbs <= 1e-6) }
    }

    @Test func concurrentRequestsAreMergedAndGiveTheSameVectorsAsAlone() async throws {
        let service = makeTinyService()
        defer { service.stop() }
        let texts = (0..<40).map { "request number \($0) with some words in it" }
        var alone: [[Float]] = []
        for text in texts { alone.append(try await service.embed([text], model: "tiny-16", dims: nil).vectors[0]) }
        let before = service.ledger.batchStatistics
        let together = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await service.embed([text], model: "tiny-16", dims: nil).vectors[0]) }
            }
            var collected = [[Float]](repeating: [], count: texts.count)
            for try await (index, vector) in group { collected[index] = vector }
            return collected
        }
        for index in texts.indices {
            #expect(compare(together[index], alone[index]).maxAbs <= 1e-6)
        }
        let after = service.ledger.batchStatistics
        #expect(after.requests - before.requests == texts.count)
        #expect(after.batches - before.batches < texts.count, "40 concurrent requests should share batches")
    }

    @Test func dimsTruncateAndRenormalise() async throws {
        let service = makeTinyService()
        defer { service.stop() }
        let vector = try await service.embed(["hello world"], model: "default", dims: 8).vectors[0]
        #expect(vector.count == 8)
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        await #expect(throws: ServiceError.self) { try await service.embed(["x"], model: "default", dims: 17) }
        await #expect(throws: ServiceError.self) { try await service.embed(["x"], model: "default", dims: 0) }
    }

    @Test func emptyInputsAndEmptyStrings() async throws {
        let service = makeTinyService()
        defer { service.stop() }
        #expect(try await service.embed([], model: "default", dims: nil).vectors.isEmpty)
        let empty = try await service.embed([""], model: "default", dims: nil).vectors
        #expect(empty.count == 1 && empty[0].count == 16)
        #expect(try await service.rerank(query: "q", documents: [], model: "default").scores.isEmpty)
    }

    @Test func unknownModelsListWhatIsAvailable() async {
        let service = makeTinyService()
        defer { service.stop() }
        await #expect(throws: ServiceError.modelNotFound(name: "bge-small", kind: .embedder, available: ["tiny-16"])) {
            try await service.embed(["x"], model: "bge-small", dims: nil)
        }
        await #expect(throws: ServiceError.modelNotFound(name: "nope", kind: .reranker, available: ["tiny-ce"])) {
            try await service.rerank(query: "q", documents: ["d"], model: "nope")
        }
    }

    @Test func aMissingRerankerSaysHowToInstallIt() async {
        let service = makeTinyService(reranker: .absentReranker)
        defer { service.stop() }
        do {
            _ = try await service.rerank(query: "q", documents: ["d"], model: "default")
            Issue.record("expected an error")
        } catch {
            guard case ServiceError.modelNotInstalled(let model, let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(model == "absent-ce")
            #expect(message.contains("semctl models install"))
        }
    }

    @Test func rerankMatchesTheGoldenLogits() async throws {
        let service = makeTinyService()
        defer { service.stop() }
        let cases = try Golden.cases("goldens/tiny_cross_encoder_logits.json")
        // Group the golden pairs by query and rerank each group in one request.
        var byQuery: [String: [(String, Float)]] = [:]
        for golden in cases {
            let query = golden["query"] as! String
            byQuery[query, default: []].append((golden["document"] as! String, Float((golden["logit"] as! NSNumber).doubleValue)))
        }
        var checked = 0
        for (query, pairs) in byQuery {
            let result = try await service.rerank(query: query, documents: pairs.map(\.0), model: "tiny-ce")
            #expect(result.modelID == "tiny-ce")
            for (index, pair) in pairs.enumerated() {
                #expect(abs(result.logits[index] - pair.1) <= Tolerance.logitBound(pair.1))
                let sigmoid = 1 / (1 + exp(-pair.1))
                #expect(abs(result.scores[index] - sigmoid) <= 1e-4)
                checked += 1
            }
        }
        #expect(checked == cases.count)
    }
}
