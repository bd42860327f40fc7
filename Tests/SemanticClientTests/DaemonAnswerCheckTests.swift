// The client's checks of a daemon's Embed and Rerank answers, against a fake daemon speaking cass
// frames over a real Unix socket (the only way to get a wrong answer out of a socket: the real daemon
// never sends one): another model, a wrong count, a wrong or inconsistent dimension, `dims` not
// honoured, a NaN or infinite value. Each is a typed `DaemonAnswerProblem`: thrown under
// `.daemonOnly`, answered in-process (and said so) under the default policy. Good answers, an alias
// for the model and a model the client does not know pass.
import Foundation
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticClient

@Suite struct DaemonAnswerCheckTests {
    /// A 16-d unit vector, as the tiny model (`tiny-16`) answers.
    static func vector(_ hot: Int = 0, count: Int = 16) -> [Float] {
        (0..<count).map { $0 == hot ? 1 : 0 }
    }

    static func embedAnswer(_ vectors: [[Float]], model: String = "tiny-16") -> FakeDaemon.Action {
        .answer(.embed(EmbedResponse(embeddings: vectors, model: model, elapsedMilliseconds: 1)))
    }

    /// `embed(texts, model:, dims:)` against a fake that always answers `action`, under `policy`.
    func embed(_ texts: [String], model: String = "default", dims: Int? = nil, policy: ServingPolicy,
               answering action: FakeDaemon.Action) async throws -> Result<EmbeddingResult, ClientError> {
        let fake = try FakeDaemon { _, _ in action }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: policy))
        return try await outcome { try client.embed(texts, model: model, dims: dims) }
    }

    /// The problem found in `action`'s answer: thrown under `.daemonOnly`, and the in-process engine's
    /// correct vectors under the default policy, with the problem as the reason.
    func expectRefused(_ texts: [String], model: String = "default", dims: Int? = nil, answering action: FakeDaemon.Action,
                       as problem: DaemonAnswerProblem, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let strict = try await embed(texts, model: model, dims: dims, policy: .daemonOnly, answering: action)
        guard case .failure(.invalidAnswer(let found)) = strict else {
            Issue.record("daemon-only: \(strict)", sourceLocation: sourceLocation)
            return
        }
        #expect(found == problem, sourceLocation: sourceLocation)
        let fallback = try await embed(texts, model: model, dims: dims, policy: .daemonThenInProcess, answering: action)
        let result = try fallback.get()
        #expect(result.servedBy == .inProcess(.invalidAnswer(problem)), sourceLocation: sourceLocation)
        let direct = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts, dims: dims)
        #expect(result.embeddings == direct, "the in-process engine's vectors, not the daemon's", sourceLocation: sourceLocation)
    }

    @Test func anotherModelIsRefused() async throws {
        try await expectRefused(["hello"], answering: Self.embedAnswer([Self.vector()], model: "minilm-384"),
                                as: .wrongModel(asked: "default", expected: "tiny-16", answered: "minilm-384"))
        try await expectRefused(["hello"], model: "tiny-16", answering: Self.embedAnswer([Self.vector()], model: ""),
                                as: .wrongModel(asked: "tiny-16", expected: "tiny-16", answered: ""))
    }

    @Test func aWrongCountIsRefused() async throws {
        try await expectRefused(["one", "two"], answering: Self.embedAnswer([Self.vector()]),
                                as: .wrongCount(expected: 2, answered: 1))
        try await expectRefused(["one"], answering: Self.embedAnswer([Self.vector(), Self.vector(1)]),
                                as: .wrongCount(expected: 1, answered: 2))
    }

    @Test func aWrongDimensionIsRefusedAndDimsAreHonoured() async throws {
        try await expectRefused(["one", "two"], answering: Self.embedAnswer([Self.vector(), Self.vector(count: 384)]),
                                as: .wrongDimension(text: 1, expected: 16, answered: 384))
        // dims: 8 asked, the model's full 16 answered.
        try await expectRefused(["one"], dims: 8, answering: Self.embedAnswer([Self.vector()]),
                                as: .wrongDimension(text: 0, expected: 8, answered: 16))
    }

    @Test func aValueThatIsNotFiniteIsRefused() async throws {
        var poisoned = Self.vector()
        poisoned[3] = .nan
        try await expectRefused(["one", "two"], answering: Self.embedAnswer([Self.vector(), poisoned]),
                                as: .nonFiniteValue(text: 1, component: 3))
        poisoned[3] = 0
        poisoned[15] = -.infinity
        try await expectRefused(["one"], answering: Self.embedAnswer([poisoned]), as: .nonFiniteValue(text: 0, component: 15))
    }

    @Test func goodAnswersAnAliasAndAnUnknownModelPass() async throws {
        for answered in ["tiny-16", "TINY-16", "default"] {
            let result = try await embed(["one", "two"], policy: .daemonOnly,
                                         answering: Self.embedAnswer([Self.vector(), Self.vector(1)], model: answered)).get()
            #expect(result.servedBy == .daemon && result.dimension == 16 && result.embeddings == [Self.vector(), Self.vector(1)])
        }
        // dims honoured.
        let short = try await embed(["one"], dims: 8, policy: .daemonOnly, answering: Self.embedAnswer([Self.vector(count: 8)])).get()
        #expect(short.servedBy == .daemon && short.dimension == 8)
        // A model this client's registry does not know (a daemon may serve more): taken by its id, and
        // its vectors need only agree with each other.
        let other = try await embed(["one", "two"], model: "hash", policy: .daemonOnly,
                                    answering: Self.embedAnswer([Self.vector(count: 384), Self.vector(2, count: 384)], model: "fnv1a-384")).get()
        #expect(other.servedBy == .daemon && other.model == "fnv1a-384" && other.dimension == 384)
        let ragged = try await embed(["one", "two"], model: "hash", policy: .daemonOnly,
                                     answering: Self.embedAnswer([Self.vector(count: 384), Self.vector(count: 383)], model: "fnv1a-384"))
        guard case .failure(.invalidAnswer(.wrongDimension(text: 1, expected: 384, answered: 383))) = ragged else {
            Issue.record("\(ragged)")
            return
        }
    }

    @Test func aRerankAnswerIsCheckedToo() async throws {
        let cases: [(RerankResponse, DaemonAnswerProblem)] = [
            (RerankResponse(scores: [0.5, 0.25], model: "minilm-384", elapsedMilliseconds: 1),
             .wrongModel(asked: "default", expected: "tiny-ce", answered: "minilm-384")),
            (RerankResponse(scores: [0.5], model: "tiny-ce", elapsedMilliseconds: 1), .wrongCount(expected: 2, answered: 1)),
            (RerankResponse(scores: [0.5, .nan], model: "tiny-ce", elapsedMilliseconds: 1), .nonFiniteScore(document: 1)),
        ]
        for (answer, problem) in cases {
            let fake = try FakeDaemon { _, _ in .answer(.rerank(answer)) }
            defer { fake.stop() }
            let strict = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .daemonOnly))
            let refused = try await outcome { try strict.rerank(query: "a cat", documents: ["a cat", "stocks"]) }
            strict.disconnect()  // the fake serves one connection at a time
            guard case .failure(.invalidAnswer(let found)) = refused, found == problem else {
                Issue.record("\(problem): \(refused)")
                continue
            }
            let lenient = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
            let served = try await offPool { try lenient.rerank(query: "a cat", documents: ["a cat", "stocks"]) }
            #expect(served.servedBy == .inProcess(.invalidAnswer(problem)) && served.logits?.count == 2)
        }
        let fake = try FakeDaemon { _, _ in .answer(.rerank(RerankResponse(scores: [0.5, 0.25], model: "tiny-ce", elapsedMilliseconds: 1))) }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .daemonOnly))
        let good = try await offPool { try client.rerank(query: "a cat", documents: ["a cat", "stocks"]) }
        #expect(good.servedBy == .daemon && good.scores == [0.5, 0.25])
    }
}
