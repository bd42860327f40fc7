// The HTTP API of a live in-process daemon over real sockets: OpenAI embeddings (float and base64,
// single and batched, dimensions) equal to what the Unix socket answers for the same texts; rerank
// in the Cohere/TEI shape equal to the socket's scores; health, models and Prometheus metrics fed
// by both dialects.
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticHTTP

/// What the cass socket of the same daemon answers.
func socketEmbeddings(_ running: RunningHTTPDaemon, _ texts: [String], dims: Int? = nil) async throws -> [[Float]] {
    let socket = running.socket
    return try await offPool {
        guard case .embed(let answer) = try DaemonConnection(socketPath: socket)
            .send(.embed(texts: texts, model: "default", dims: dims)).response else { return [] }
        return answer.embeddings
    }
}

@Suite(.serialized) struct HTTPAPITests {
    @Test func embeddingsEqualTheSocketsSingleAndBatchedFloatAndBase64() async throws {
        try await RunningHTTPDaemon.with { running in
            let tokenizer = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).tokenizer

            let single = try await running.post("/v1/embeddings", jsonText(["input": "hello world", "model": "default"]))
            #expect(single.status == 200 && single.headers["content-type"] == "application/json", "\(single.text)")
            let body = try #require(single.json)
            #expect(body["object"] as? String == "list" && body["model"] as? String == "tiny-16")
            let item = try #require((body["data"] as? [[String: Any]])?.first)
            #expect(item["object"] as? String == "embedding" && item["index"] as? Int == 0)
            let usage = try #require(body["usage"] as? [String: Int])
            let tokens = tokenizer.encode("hello world").ids.count
            #expect(usage["prompt_tokens"] == tokens && usage["total_tokens"] == tokens)
            let viaSocket = try await socketEmbeddings(running, ["hello world"])
            #expect(embeddings(in: single) == viaSocket, "float answer equals the socket's vector bit for bit")

            let texts = ["the first text", "a second, longer text about cats and dogs", "", "third"]
            let batched = try await running.post("/v1/embeddings", jsonText(["input": texts, "model": "tiny-16"]))
            let batchedVectors = try #require(embeddings(in: batched))
            let indices = (batched.json?["data"] as? [[String: Any]])?.compactMap { $0["index"] as? Int }
            #expect(indices == Array(texts.indices))
            #expect(batchedVectors == (try await socketEmbeddings(running, texts)))
            #expect((batched.json?["usage"] as? [String: Int])?["prompt_tokens"]
                == tokenizer.encode(texts).reduce(0) { $0 + $1.ids.count })

            let base64 = try await running.post("/v1/embeddings", jsonText(["input": texts, "encoding_format": "base64"]))
            #expect(base64.status == 200)
            #expect((base64.json?["data"] as? [[String: Any]])?.allSatisfy { $0["embedding"] is String } == true)
            #expect(embeddings(in: base64) == batchedVectors, "base64 decodes to the same f32 values")

            let shortened = try await running.post("/v1/embeddings", jsonText(["input": ["cats"], "dimensions": 8]))
            let shortVectors = try #require(embeddings(in: shortened))
            #expect(shortVectors.map(\.count) == [8])
            #expect(shortVectors == (try await socketEmbeddings(running, ["cats"], dims: 8)))

            // The model name may be any alias; the answer names the model's id.
            let byAlias = try await running.post("/v1/embeddings", jsonText(["input": "x", "model": "DEFAULT"]))
            #expect(byAlias.status == 200 && byAlias.json?["model"] as? String == "tiny-16")
        }
    }

    @Test func keepAliveConnectionServesManyRequests() async throws {
        try await RunningHTTPDaemon.with { running in
            let connection = try await running.connect()
            let statuses = try await offPool {
                try (0..<20).map { index in
                    try connection.postJSON("/v1/embeddings", jsonText(["input": "text \(index)"])).status
                }
            }
            #expect(statuses == Array(repeating: 200, count: 20))
        }
    }

    @Test func rerankInTheCohereShapeEqualsTheSocketsScores() async throws {
        try await RunningHTTPDaemon.with { running in
            let query = "what is a cat"
            let documents = ["stocks fell sharply", "a cat is a small animal", "cats purr", "the weather"]
            let answer = try await running.post("/v1/rerank", jsonText(["query": query, "documents": documents,
                                                                        "model": "default"]))
            #expect(answer.status == 200, "\(answer.text)")
            let results = try #require(answer.json?["results"] as? [[String: Any]])
            #expect(answer.json?["model"] as? String == "tiny-ce")
            #expect(Set(results.compactMap { $0["index"] as? Int }) == Set(documents.indices))
            let scores = results.compactMap { ($0["relevance_score"] as? Double).map(Float.init) }
            #expect(scores == scores.sorted(by: >), "best first")
            #expect(results.allSatisfy { $0["document"] == nil }, "documents only when asked for")

            let socket = running.socket
            let socketScores = try await offPool { () -> [Float] in
                guard case .rerank(let answer) = try DaemonConnection(socketPath: socket)
                    .send(.rerank(query: query, documents: documents, model: "default")).response else { return [] }
                return answer.scores
            }
            for result in results {
                let index = try #require(result["index"] as? Int)
                #expect(Float(try #require(result["relevance_score"] as? Double)) == socketScores[index])
            }
            let pairTokens = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory).tokenizer
            let tokens = documents.reduce(0) { $0 + pairTokens.encodePair(query, $1).ids.count }
            #expect((answer.json?["usage"] as? [String: Int])?["total_tokens"] == tokens)

            let top = try await running.post("/v1/rerank", jsonText([
                "query": query, "documents": documents.map { ["text": $0] }, "top_n": 2, "return_documents": true]))
            let topResults = try #require(top.json?["results"] as? [[String: Any]])
            #expect(topResults.count == 2)
            #expect(topResults.map { $0["index"] as? Int } == results.prefix(2).map { $0["index"] as? Int })
            for result in topResults {
                let index = try #require(result["index"] as? Int)
                #expect((result["document"] as? [String: String])?["text"] == documents[index])
            }
        }
    }

    @Test func healthModelsAndMetricsFromBothDialects() async throws {
        try await RunningHTTPDaemon.with { running in
            let health = try await running.request("GET", "/health")
            #expect(health.status == 200 && health.json?["status"] as? String == "ok" && health.json?["ready"] as? Bool == true)
            #expect(health.json?["model"] as? String == "tiny-16")
            let connection = try await running.connect()
            let head = try await offPool { try connection.request("HEAD", "/health") }
            #expect(head.status == 200 && head.body.isEmpty && (Int(head.headers["content-length"] ?? "") ?? 0) > 0)
            #expect(try await offPool { try connection.request("GET", "/health").status } == 200, "the connection is still in step")

            let models = try await running.request("GET", "/v1/models")
            let list = try #require(models.json?["data"] as? [[String: Any]])
            #expect(models.json?["object"] as? String == "list")
            #expect(list.compactMap { $0["id"] as? String } == ["tiny-16", "tiny-ce"])
            #expect(list.allSatisfy { $0["object"] as? String == "model" && $0["loaded"] is Bool && $0["created"] is Int })
            #expect(list.first?["loaded"] as? Bool == true && (list.first?["aliases"] as? [String])?.contains("default") == true)
            #expect(list.first?["dimension"] as? Int == 16 && list.first?["kind"] as? String == "embedder")

            _ = try await running.post("/v1/embeddings", jsonText(["input": ["a", "b", "c"]]))
            _ = try await running.post("/v1/embeddings", jsonText(["input": "x", "model": "no-such-model"]))
            _ = try await socketEmbeddings(running, ["from the socket"])
            // An xf frame on the same socket: the dialect is detected per connection.
            let socket = running.socket
            let xfFrame = try XFEnvelope(id: 5, request: .health).encodedFrame()
            let xfReply = try await offPool { () -> XFEnvelope in
                let connection = try UnixSocketConnection.connect(to: socket)
                try connection.send(xfFrame, deadline: .now + .seconds(30))
                let header = try connection.receive(exactly: 4, deadline: .now + .seconds(30))
                return try XFEnvelope.decode(from: try connection.receive(exactly: try Frame.bodyLength(header: header),
                                                                          deadline: .now + .seconds(30)))
            }
            #expect(xfReply.id == 5)
            let text = try await running.metricsText()
            func value(_ series: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                    .flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect(value(#"semd_requests_total{endpoint="/v1/embeddings",dialect="http",status="200"}"#) == 1, "\(text)")
            #expect(value(#"semd_requests_total{endpoint="/v1/embeddings",dialect="http",status="404"}"#) == 1)
            #expect(value(#"semd_requests_total{endpoint="Embed",dialect="cass",status="ok"}"#) == 1)
            #expect(value(#"semd_requests_total{endpoint="Health",dialect="xf",status="ok"}"#) == 1)
            #expect(value(#"semd_requests_total{endpoint="/health",dialect="http",status="200"}"#) ?? 0 >= 1)
            #expect(value(#"semd_request_duration_seconds_count{endpoint="/v1/embeddings",dialect="http"}"#) == 2)
            #expect(value(#"semd_request_duration_seconds_count{endpoint="Embed",dialect="cass"}"#) == 1)
            // Batches: the warm-up, the 3-text request and the socket's one text (the unknown model never ran).
            #expect(value("semd_batch_texts_count") ?? 0 >= 2)
            #expect(value("semd_batch_texts_sum") ?? 0 >= 4)
            #expect(value("semd_batch_tokens_sum") ?? 0 >= 4)
            #expect(text.contains(#"semd_batch_texts_bucket{le="+Inf"}"#) && text.contains(#"semd_batch_tokens_bucket{le="#))
            #expect(value("semd_queue_depth") == 0)
            #expect(value("semd_ready") == 1)
            #expect(value("semd_resident_memory_bytes") ?? 0 > 1_000_000)
            #expect(value(#"semd_model_loaded{model="tiny-16",kind="embedder"}"#) == 1)
            #expect(value(#"semd_model_load_failed{model="tiny-ce",kind="reranker"}"#) == 0)
            #expect(value(#"semd_requests_in_flight{dialect="http"}"#) == 0)
        }
    }
}
