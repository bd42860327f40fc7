// The routes of Hugging Face's text-embeddings-inference on a live in-process daemon over real sockets,
// checked field by field against TEI's shapes: POST /embed a bare list of vectors equal to what the
// Unix socket answers, POST /rerank `[{"index","text"?,"score"}]` best first with sigmoid or raw
// scores, POST /tokenize `[[{"id","text","special","start","stop"}]]` with the model's ids, GET /info
// TEI's fields for an embedder and a reranker, TEI's `{"error","error_type"}` bodies with TEI's
// statuses, and the metrics labelling each route.
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticHTTP

/// The body parsed as a JSON list (TEI's answers are lists, not objects).
func jsonList(in answer: HTTPAnswer) -> [Any]? {
    (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [Any]
}

/// TEI's error body: `{"error", "error_type"}` and nothing else.
func teiError(in answer: HTTPAnswer) -> (message: String, type: String)? {
    guard let object = answer.json, Set(object.keys) == ["error", "error_type"],
          let message = object["error"] as? String, let type = object["error_type"] as? String else { return nil }
    return (message, type)
}

@Suite(.serialized) struct TEIRoutesTests {
    @Test func embedAnswersABareListOfTheSocketsVectors() async throws {
        try await RunningHTTPDaemon.with { running in
            let tokenizer = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).tokenizer
            let single = try await running.post("/embed", jsonText(["inputs": "hello world"]))
            #expect(single.status == 200 && single.headers["content-type"] == "application/json", "\(single.text)")
            let vectors = try #require(jsonList(in: single) as? [[Double]])
            #expect(vectors.count == 1 && vectors[0].count == 16)
            #expect(vectors.map { $0.map(Float.init) } == (try await socketEmbeddings(running, ["hello world"])),
                    "the same f32 values as the cass socket")
            #expect(single.headers["x-compute-tokens"] == String(tokenizer.encode("hello world").ids.count))
            #expect(single.headers["x-compute-characters"] == "11" && single.headers["x-truncated-inputs"] == "0")
            #expect(Int(single.headers["x-compute-time"] ?? "") != nil)

            let texts = ["first", "a second text about cats", ""]
            let batch = try await running.post("/embed", jsonText(["inputs": texts, "normalize": true, "truncate": true,
                                                                   "truncation_direction": "Right", "model": "tiny-16"]))
            let batchVectors = try #require(jsonList(in: batch) as? [[Double]])
            #expect(batchVectors.map { $0.map(Float.init) } == (try await socketEmbeddings(running, texts)))
            #expect(batch.headers["x-compute-tokens"] == String(tokenizer.encode(texts).reduce(0) { $0 + $1.ids.count }))

            let short = try await running.post("/embed", jsonText(["inputs": ["cats"], "dimensions": 8]))
            let shortVectors = try #require(jsonList(in: short) as? [[Double]])
            #expect(shortVectors.map { $0.map(Float.init) } == (try await socketEmbeddings(running, ["cats"], dims: 8)))

            // The tiny embedder ends in a Normalize module: its vectors cannot be had un-normalised.
            let raw = try await running.post("/embed", jsonText(["inputs": "x", "normalize": false]))
            #expect(raw.status == 400 && teiError(in: raw)?.type == "Validation", "\(raw.text)")
            #expect(teiError(in: raw)?.message.contains("Normalize") == true)
        }
    }

    @Test func rerankAnswersTEIsRanksBestFirst() async throws {
        try await RunningHTTPDaemon.with { running in
            let query = "what is a cat"
            let texts = ["stocks fell sharply", "a cat is a small animal", "cats purr", "the weather"]
            let answer = try await running.post("/rerank", jsonText(["query": query, "texts": texts]))
            #expect(answer.status == 200, "\(answer.text)")
            let ranks = try #require(jsonList(in: answer) as? [[String: Any]])
            #expect(ranks.count == texts.count)
            #expect(ranks.allSatisfy { Set($0.keys) == ["index", "score"] }, "no text unless return_text: \(answer.text)")
            let scores = ranks.compactMap { ($0["score"] as? Double).map(Float.init) }
            #expect(scores == scores.sorted(by: >), "best first")
            #expect(Set(ranks.compactMap { $0["index"] as? Int }) == Set(texts.indices))

            let crossEncoder = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory)
            let logits = try crossEncoder.scores(query: query, documents: texts)
            let sigmoid = CrossEncoder.sigmoid(logits)
            for rank in ranks {
                let index = try #require(rank["index"] as? Int)
                #expect(Float(try #require(rank["score"] as? Double)) == sigmoid[index])
            }
            let pairTokens = texts.reduce(0) { $0 + crossEncoder.tokenizer.encodePair(query, $1).ids.count }
            #expect(answer.headers["x-compute-tokens"] == String(pairTokens))

            let raw = try await running.post("/rerank", jsonText(["query": query, "texts": texts, "raw_scores": true,
                                                                  "return_text": true, "truncate": true, "model": "tiny-ce"]))
            let rawRanks = try #require(jsonList(in: raw) as? [[String: Any]])
            #expect(rawRanks.allSatisfy { Set($0.keys) == ["index", "text", "score"] }, "\(raw.text)")
            for rank in rawRanks {
                let index = try #require(rank["index"] as? Int)
                #expect(rank["text"] as? String == texts[index])
                #expect(Float(try #require(rank["score"] as? Double)) == logits[index], "raw_scores: the logits")
            }
            #expect(rawRanks.map { $0["index"] as? Int } == ranks.map { $0["index"] as? Int }, "sigmoid keeps the order")

            let empty = try await running.post("/rerank", jsonText(["query": query, "texts": [String]()]))
            #expect(empty.status == 400 && teiError(in: empty)?.type == "Empty", "\(empty.text)")
            let embedder = try await running.post("/rerank", jsonText(["query": query, "texts": texts, "model": "tiny-16"]))
            #expect(embedder.status == 404 && teiError(in: embedder)?.type == "Validation", "\(embedder.text)")
        }
    }

    @Test func tokenizeListsTheModelsTokens() async throws {
        try await RunningHTTPDaemon.with { running in
            let tokenizer = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).tokenizer
            let texts = ["Hello world", "Café déjà vu"]
            let answer = try await running.post("/tokenize", jsonText(["inputs": texts]))
            #expect(answer.status == 200, "\(answer.text)")
            let lists = try #require(jsonList(in: answer) as? [[[String: Any]]])
            #expect(lists.count == 2)
            for (text, tokens) in zip(texts, lists) {
                let encoding = tokenizer.encode(text)
                #expect(tokens.allSatisfy { Set($0.keys) == ["id", "text", "special", "start", "stop"] })
                #expect(tokens.compactMap { $0["id"] as? Int } == encoding.ids)
                #expect(tokens.compactMap { $0["text"] as? String } == encoding.tokens)
                #expect(tokens.compactMap { $0["special"] as? Bool } == encoding.ids.indices.map { $0 == 0 || $0 == encoding.ids.count - 1 })
                #expect(tokens.allSatisfy { $0["start"] is NSNull && $0["stop"] is NSNull })
            }
            let bare = try await running.post("/tokenize", jsonText(["inputs": "Hello world", "add_special_tokens": false]))
            let bareTokens = try #require((jsonList(in: bare) as? [[[String: Any]]])?.first)
            #expect(bareTokens.compactMap { $0["id"] as? Int } == Array(tokenizer.encode("Hello world").ids.dropFirst().dropLast()))
            #expect(bareTokens.allSatisfy { $0["special"] as? Bool == false })

            let empty = try await running.post("/tokenize", jsonText(["inputs": [String]()]))
            #expect(empty.status == 400 && teiError(in: empty)?.type == "Empty", "\(empty.text)")
        }
    }

    @Test func infoDescribesTheServedModelsInTEIsFields() async throws {
        try await RunningHTTPDaemon.with(configure: { $0.maxInputsPerRequest = 32 }) { running in
            let answer = try await running.request("GET", "/info")
            #expect(answer.status == 200, "\(answer.text)")
            let info = try #require(answer.json)
            #expect(info["model_id"] as? String == "tiny-16")
            #expect(info["model_sha"] is NSNull && info["sha"] is NSNull && info["docker_label"] is NSNull)
            #expect(info["model_dtype"] as? String == "float32")
            #expect((info["model_type"] as? [String: [String: String]]) == ["embedding": ["pooling": "mean"]])
            #expect(info["max_input_length"] as? Int == 64, "the folder's max_seq_length")
            #expect(info["max_client_batch_size"] as? Int == 32)
            #expect(info["max_concurrent_requests"] as? Int == 64 && info["max_batch_tokens"] as? Int == 131_072)
            #expect(info["max_batch_requests"] is NSNull && info["auto_truncate"] as? Bool == true)
            #expect(info["tokenization_workers"] as? Int ?? 0 >= 1)
            #expect(info["version"] as? String == SemanticCoreInfo.version)
            #expect(info["models"] as? [String] == ["tiny-16", "tiny-ce"])

            let reranker = try await running.request("GET", "/info?model=tiny-ce")
            let rerankerType = try #require(reranker.json?["model_type"] as? [String: Any])
            #expect(Set(rerankerType.keys) == ["reranker"], "\(reranker.text)")
            #expect(reranker.json?["model_id"] as? String == "tiny-ce")

            let unknown = try await running.request("GET", "/info?model=nothing-here")
            #expect(unknown.status == 404 && teiError(in: unknown)?.message.contains("tiny-16") == true, "\(unknown.text)")
        }
    }

    @Test func teiRoutesAnswerErrorsInTEIsShape() async throws {
        try await RunningHTTPDaemon.with(configure: { $0.maxInputsPerRequest = 2 }) { running in
            let cases: [(path: String, body: String, status: Int, type: String)] = [
                ("/embed", "{not json", 400, "Validation"),
                ("/embed", jsonText(["model": "default"]), 400, "Validation"),
                ("/embed", jsonText(["inputs": [String]()]), 400, "Empty"),
                ("/embed", jsonText(["inputs": [101, 102]]), 400, "Validation"),
                ("/embed", jsonText(["inputs": ["a", "b", "c"]]), 413, "Validation"),
                ("/embed", jsonText(["inputs": "a", "truncation_direction": "Left"]), 400, "Validation"),
                ("/embed", jsonText(["inputs": "a", "prompt_name": "passage"]), 400, "Validation"),
                ("/embed", jsonText(["inputs": "a", "model": "bge-large"]), 404, "Validation"),
                ("/rerank", jsonText(["query": "q", "texts": ["a", "b", "c"]]), 413, "Validation"),
                ("/tokenize", jsonText(["inputs": ["a", "b", "c"]]), 413, "Validation"),
            ]
            for item in cases {
                let answer = try await running.post(item.path, item.body)
                let error = teiError(in: answer)
                #expect(answer.status == item.status && error?.type == item.type,
                        "\(item.path) \(item.body) → \(answer.status) \(answer.text)")
            }
            let method = try await running.request("GET", "/embed")
            #expect(method.status == 405 && teiError(in: method) != nil, "\(method.text)")
            // The OpenAI routes keep OpenAI's shape.
            let openAI = try await running.post("/v1/embeddings", jsonText(["input": ["a", "b", "c"]]))
            #expect(openAI.status == 413 && apiError(in: openAI)?.code == "too_many_inputs")
            try await expectHealthy(running)
        }
    }

    @Test func metricsLabelTheTEIRoutes() async throws {
        try await RunningHTTPDaemon.with { running in
            _ = try await running.post("/embed", jsonText(["inputs": "a"]))
            _ = try await running.post("/rerank", jsonText(["query": "q", "texts": ["a"]]))
            _ = try await running.post("/tokenize", jsonText(["inputs": "a"]))
            _ = try await running.request("GET", "/info")
            _ = try await running.post("/embed", jsonText(["inputs": [String]()]))
            let text = try await running.metricsText()
            for series in [#"semd_requests_total{endpoint="/embed",dialect="http",status="200"}"#,
                           #"semd_requests_total{endpoint="/rerank",dialect="http",status="200"}"#,
                           #"semd_requests_total{endpoint="/tokenize",dialect="http",status="200"}"#,
                           #"semd_requests_total{endpoint="/info",dialect="http",status="200"}"#,
                           #"semd_requests_total{endpoint="/embed",dialect="http",status="400"}"#] {
                #expect(text.split(separator: "\n").contains { $0.hasPrefix(series + " 1") }, "\(series) in \(text)")
            }
        }
    }
}
