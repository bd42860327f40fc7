// The xf dialect without a socket: xf's model names onto semd's models, unknown names as code 3, the
// hash embedder's spec vectors through both dialects' handlers, frame-level errors (undecodable
// envelope, bad payload, wrong version), Status and Shutdown, on the tiny models.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Synchronization
import Testing
@testable import SemanticDaemon
import SemanticService

/// The spec's bit-exact `fnv1a-384` examples (fsvi-canonicalizer-spec §3.4): text → the non-zero
/// buckets and their f32 bit patterns.
let hashEmbedderExamples: [(text: String, buckets: [Int: UInt32])] = [
    ("hello world", [267: 0x3f35_04f3, 371: 0xbf35_04f3]),
    ("Hello, World! This is a TEST-123.", [267: 0x3ed1_05eb, 371: 0xbed1_05eb, 321: 0xbed1_05eb, 85: 0xbed1_05eb,
                                           37: 0x3ed1_05eb, 91: 0xbed1_05eb]),
    ("café résumé naïve", [137: 0xbf13_cd3a, 220: 0xbf13_cd3a, 43: 0xbf13_cd3a]),
    ("word word word ", [317: 0xbf80_0000]),
    ("the quick brown fox", [14: 0x3f00_0000, 28: 0xbf00_0000, 252: 0xbf00_0000, 335: 0x3f00_0000]),
]
/// The uniform vector for text without tokens: every element 1/sqrt(384), bits 0x3d5105eb.
let hashUniformBits: UInt32 = 0x3d51_05eb

/// Where `vector` differs from the spec's example (empty when it matches bit for bit).
func hashMismatches(_ vector: [Float], _ buckets: [Int: UInt32]) -> [String] {
    guard vector.count == 384 else { return ["\(vector.count) dimensions"] }
    return vector.indices.compactMap { index in
        let expected = buckets[index] ?? 0
        return vector[index].bitPattern == expected ? nil
            : "[\(index)] = \(String(vector[index].bitPattern, radix: 16)), expected \(String(expected, radix: 16))"
    }
}

struct XFDialectTests {
    static let registry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker]).addingHashEmbedder()

    final class ShutdownFlag: Sendable {
        let called = Mutex<Bool>(false)
    }

    func makeHandler(flag: ShutdownFlag = ShutdownFlag()) -> XFDoor {
        let service = InferenceService(registry: Self.registry, modelsRoot: ModelsRoot(url: Fixtures.url("goldens"), source: .flag)) {
            flag.called.withLock { $0 = true }
        }
        return XFDoor(service: service)
    }

    @Test func xfNamesMapOntoSemdModels() {
        let registry = ModelRegistry.daemon
        for name in ["default", "all-minilm-l6-v2", "All-MiniLM-L6-v2", "sentence-transformers/all-minilm-l6-v2", ""] {
            #expect(XFModelNames.resolve(name, kind: .embedder, registry: registry)?.id == "minilm-384", "\(name)")
        }
        for name in ["hash", "fnv1a", "fnv1a-384", "hash-fnv1a-384", "HASH"] {
            #expect(XFModelNames.resolve(name, kind: .embedder, registry: registry)?.id == "fnv1a-384", "\(name)")
        }
        for name in ["default", "cross-encoder", "ms-marco"] {
            #expect(XFModelNames.resolve(name, kind: .reranker, registry: registry)?.id == "ms-marco-minilm-l6-v2", "\(name)")
        }
        for name in ["flashrank-nano", "flashrank", "mxbai-rerank-xsmall-v1", "hash"] {
            #expect(XFModelNames.resolve(name, kind: .reranker, registry: registry) == nil, "\(name)")
        }
        for name in ["bge-small-en-v1.5", "nomic-embed-text-v1.5", "potion-retrieval-32M", "cross-encoder"] {
            #expect(XFModelNames.resolve(name, kind: .embedder, registry: registry) == nil, "\(name)")
        }
    }

    @Test(arguments: [
        XFRequest.embed(texts: ["x"], model: "bge-small-en-v1.5", dims: nil),
        .embed(texts: ["x"], model: "embeddinggemma-300m", dims: nil),
        .rerank(query: "q", documents: ["d"], model: "flashrank-nano"),
        .rerank(query: "q", documents: ["d"], model: "mxbai-rerank-xsmall-v1"),
        .rerank(query: "q", documents: ["d"], model: "hash"),
    ])
    func unknownNamesGetCode3ListingWhatIsAvailable(request: XFRequest) async throws {
        let xf = makeHandler()
        defer { xf.service.stop() }
        let response = await xf.handle(request)
        guard case .error(let code, let message) = response else { Issue.record("\(response)"); return }
        #expect(code == .unknownModel)
        #expect(message.hasPrefix("unknown model: "), "\(message)")
        if case .embed = request {
            #expect(message.contains("tiny-16") && message.contains("fnv1a-384 (fnv1a, hash, hash-fnv1a-384)"), "\(message)")
        } else {
            #expect(message.contains("tiny-ce"), "\(message)")
        }
    }

    @Test func theHashEmbedderGivesTheSpecVectorsThroughBothDialects() async throws {
        let xf = makeHandler()
        defer { xf.service.stop() }  // no inference worker outlives the test
        let texts = hashEmbedderExamples.map(\.text) + ["!@#$%^&*()"]
        for name in ["hash", "fnv1a", "fnv1a-384", "hash-fnv1a-384"] {
            let response = await xf.handle(.embed(texts: texts, model: name, dims: nil))
            guard case .embeddings(let vectors) = response else { Issue.record("\(name): \(response)"); continue }
            for (example, vector) in zip(hashEmbedderExamples, vectors) {
                #expect(hashMismatches(vector, example.buckets).isEmpty, "xf \(name) \(example.text): \(hashMismatches(vector, example.buckets))")
            }
            #expect(vectors.last?.allSatisfy { $0.bitPattern == hashUniformBits } == true)
        }
        let cass = await CassDoor(service: xf.service).handle(.embed(texts: texts, model: "fnv1a-384", dims: nil), requestID: "c")
        guard case .embed(let answer) = cass else { Issue.record("\(cass)"); return }
        #expect(answer.model == "fnv1a-384")
        for (example, vector) in zip(hashEmbedderExamples, answer.embeddings) {
            #expect(hashMismatches(vector, example.buckets).isEmpty, "cass \(example.text)")
        }
        // An empty text has no hash vector: INVALID_REQUEST, not a crash.
        let empty = await xf.handle(.embed(texts: ["fine", ""], model: "hash", dims: nil))
        guard case .error(let code, _) = empty else { Issue.record("\(empty)"); return }
        #expect(code == .invalidRequest)
    }

    @Test func embedAndRerankUseTheSameModelsAsCass() async throws {
        let xf = makeHandler()
        defer { xf.service.stop() }  // no inference worker outlives the test
        let texts = ["hello world", "the daemon answers both dialects"]
        let xfAnswer = await xf.handle(.embed(texts: texts, model: "default", dims: nil))
        let cassAnswer = await CassDoor(service: xf.service).handle(.embed(texts: texts, model: "default", dims: nil), requestID: "c")
        guard case .embeddings(let xfVectors) = xfAnswer, case .embed(let cassVectors) = cassAnswer else {
            Issue.record("\(xfAnswer) \(cassAnswer)")
            return
        }
        #expect(xfVectors == cassVectors.embeddings)
        #expect(xfVectors.allSatisfy { $0.count == 16 })
        let truncated = await xf.handle(.embed(texts: texts, model: "default", dims: 8))
        guard case .embeddings(let short) = truncated else { Issue.record("\(truncated)"); return }
        #expect(short.allSatisfy { $0.count == 8 })
        let tooMany = await xf.handle(.embed(texts: texts, model: "default", dims: 99))
        guard case .error(let code, _) = tooMany else { Issue.record("\(tooMany)"); return }
        #expect(code == .invalidRequest)

        let xfScores = await xf.handle(.rerank(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"], model: "default"))
        let cassScores = await CassDoor(service: xf.service).handle(.rerank(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"],
                                                      model: "default"), requestID: "r")
        guard case .scores(let scores) = xfScores, case .rerank(let reference) = cassScores else {
            Issue.record("\(xfScores) \(cassScores)")
            return
        }
        #expect(scores == reference.scores && scores.count == 2)
    }

    @Test func healthAndStatusDescribeTheDaemon() async throws {
        let xf = makeHandler()
        defer { xf.service.stop() }  // no inference worker outlives the test
        _ = await xf.handle(.embed(texts: ["warm"], model: "default", dims: nil))
        _ = await xf.handle(.embed(texts: ["warm"], model: "hash", dims: nil))
        let health = await xf.handle(.health)
        // tiny-16 (just loaded) and the hash embedder (always there); the reranker is not loaded yet.
        guard case .health(let uptime, let loaded) = health else { Issue.record("\(health)"); return }
        #expect(loaded == 2 && uptime < 600, "\(health)")
        let response = await xf.handle(.status)
        guard case .status(let status) = response else { Issue.record("\(response)"); return }
        #expect(status.models.map(\.name).sorted() == ["fnv1a-384", "tiny-16"])
        #expect(status.models.allSatisfy { $0.modelType == "embedder" && $0.requestsServed == 1 && $0.loadedAt > 1_700_000_000
            && $0.lastUsed >= $0.loadedAt })
        #expect(status.residentMegabytes > 1 && status.queueLength == 0 && status.inFlight == 0)
    }

    @Test func framesThatDoNotDecodeGetInvalidRequestWithTheBestIDKnown() async throws {
        let xf = makeHandler()
        defer { xf.service.stop() }  // no inference worker outlives the test
        // Not an envelope at all: id 0.
        let garbage = await xf.respond(toFrameBody: [0x93, 0x01, 0x07, 0xc1])
        #expect(garbage.response.id == 0 && !garbage.closeAfterwards)
        guard case .error(let code, let message) = garbage.response.response else { Issue.record("\(garbage)"); return }
        #expect(code == .invalidRequest && message.hasPrefix("decode error"))
        // A good envelope around a bad payload: its own id.
        let badPayload = await xf.respond(toFrameBody: try XFEnvelope(id: 42, payload: [0xa4] + Array("Nope".utf8)).encodedBody())
        #expect(badPayload.response.id == 42)
        guard case .error(let payloadCode, let payloadMessage) = badPayload.response.response else { Issue.record("\(badPayload)"); return }
        #expect(payloadCode == .invalidRequest && payloadMessage.contains("Nope"))
        // Version 2: VERSION_MISMATCH, id echoed.
        let versionTwo = await xf.respond(toFrameBody: try XFEnvelope(version: 2, id: 9, request: .health).encodedBody())
        #expect(versionTwo.response.id == 9)
        guard case .error(let versionCode, _) = versionTwo.response.response else { Issue.record("\(versionTwo)"); return }
        #expect(versionCode == .versionMismatch)
        // The golden Health request: id 1, Health.
        let frame = try #require(xfFrames.first { $0.name == "xf-req-health" })
        let health = await xf.respond(toFrameBody: frame.body)
        #expect(health.response.id == 1)
        guard case .health = health.response.response else { Issue.record("\(health)"); return }
        #expect(xf.service.ledger.requests(of: .xf) == 3 && xf.service.ledger.requests(of: .cass) == 0)
    }

    @Test func shutdownSaysOkAndClosesTheConnection() async throws {
        let flag = ShutdownFlag()
        let xf = makeHandler(flag: flag)
        defer { xf.service.stop() }  // no inference worker outlives the test
        let frame = try #require(xfFrames.first { $0.name == "xf-req-shutdown" })
        let answer = await xf.respond(toFrameBody: frame.body)
        #expect(answer.response == XFEnvelopeReply(id: 6, response: .shutdown(ok: true)) && answer.closeAfterwards)
        #expect(flag.called.withLock { $0 })
    }

    @Test func anAnswerTooLargeForOneFrameBecomesAnError() throws {
        // Every byte of these floats is >= 0x80, so each takes two bytes in the payload's byte array.
        let vectors = [[Float]](repeating: [Float](repeating: Float(bitPattern: 0xc0c0_c0c0), count: 384), count: 3_000)
        let body = XFEnvelopeReply(id: 7, response: .embeddings(vectors)).encodedFrame().dropFirst(4)
        let envelope = try XFEnvelope.decode(from: Array(body))
        #expect(envelope.id == 7)
        guard case .error(let code, let message) = try envelope.response() else { Issue.record("not an error"); return }
        #expect(code == .invalidRequest && message.contains("fewer texts"))
    }
}

let xfFrames: [WireFrame] = (try? WireFrames.load("xf-frames.json")) ?? []
