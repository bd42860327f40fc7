// Prompts and truncation over HTTP, on a live daemon serving the two tiny prompted models of the
// goldens as user models: OpenAI's /v1/embeddings with Cohere's and Voyage's `input_type` (and a
// `prompt_name`) and TEI's /embed with `prompt_name` reproduce every entry of sentence-transformers'
// prompted_embeddings.json that a prompt field can select (ids exact through /tokenize, 1 − cos ≤ 1e-6),
// the text the prompt pushes past max_seq_length included; the per-item token counts and truncation
// flags match the ids fed; `truncate: false` refuses an over-long text with 413 naming its token count
// and the limit.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing
@testable import SemanticHTTP

/// The tiny models, plus the prompted goldens as user models named after their folders.
func promptedRegistry() throws -> ModelRegistry {
    let entries = try PromptedGoldenModel.load().map {
        UserModelEntry(name: $0.name, directory: $0.directory, kind: .embedder)
    }
    return try RunningDaemon.tinyRegistry.addingUserModels(entries, source: "the prompted goldens")
}

/// How each golden rule is asked for over HTTP: the OpenAI route's fields and the TEI route's.
private func fields(for rule: PromptedGoldenRule) -> (openAI: [[String: Any]], tei: [String: Any])? {
    switch rule {
    case .plain: return ([[:]], [:])
    case .named("query"): return ([["input_type": "query"], ["input_type": "search_query"], ["prompt_name": "query"]],
                                  ["prompt_name": "query"])
    case .named("document"): return ([["input_type": "document"], ["input_type": "search_document"]],
                                     ["prompt_name": "document"])
    case .named(let name): return ([["prompt_name": name]], ["prompt_name": name])
    case .literal: return nil  // no HTTP field carries a literal prompt (SemanticClient's tests cover it)
    }
}

private func cosineDistance(_ a: [Float], _ b: [Float]) -> Float {
    let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    let norms = a.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() * b.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
    return 1 - dot / norms
}

@Suite(.serialized) struct PromptedHTTPTests {
    @Test func inputTypeAndPromptNameReproduceTheGoldens() async throws {
        let models = try PromptedGoldenModel.load()
        try await RunningHTTPDaemon.with(registry: try promptedRegistry()) { running in
            var checked = 0
            for model in models {
                let byRule = Dictionary(grouping: model.entries, by: \.key)
                for (key, entries) in byRule.sorted(by: { $0.key < $1.key }) {
                    guard let rule = entries.first?.rule, let asked = fields(for: rule) else { continue }
                    let texts = entries.map(\.text)
                    for extra in asked.openAI {
                        var body: [String: Any] = ["input": texts, "model": model.name]
                        body.merge(extra) { $1 }
                        let answer = try await running.post("/v1/embeddings", jsonText(body))
                        #expect(answer.status == 200, "\(model.name) \(key) \(extra): \(answer.text)")
                        let data = try #require(answer.json?["data"] as? [[String: Any]])
                        let vectors = try #require(embeddings(in: answer))
                        for (index, entry) in entries.enumerated() {
                            let distance = cosineDistance(vectors[index], entry.embedding)
                            let largest = zip(vectors[index], entry.embedding).map { abs($0 - $1) }.max() ?? 0
                            #expect(distance <= 1e-6 && largest <= 1e-5,
                                    "\(model.name) \(key) \(extra) text \(index): 1 − cos \(distance), max abs \(largest)")
                            #expect(data[index]["tokens"] as? Int == entry.inputIDs.count, "\(model.name) \(key) \(index)")
                            #expect(data[index]["truncated"] as? Bool == (entry.inputIDs.count == model.maxSequenceLength),
                                    "\(model.name) \(key) \(index)")
                        }
                        let usage = try #require(answer.json?["usage"] as? [String: Int])
                        #expect(usage["prompt_tokens"] == entries.reduce(0) { $0 + $1.inputIDs.count })
                        checked += 1
                    }

                    var teiBody: [String: Any] = ["inputs": texts, "model": model.name]
                    teiBody.merge(asked.tei) { $1 }
                    let tei = try await running.post("/embed", jsonText(teiBody))
                    #expect(tei.status == 200, "\(model.name) \(key): \(tei.text)")
                    let teiVectors = try #require(jsonList(in: tei) as? [[Double]])
                    for (index, entry) in entries.enumerated() {
                        let distance = cosineDistance(teiVectors[index].map(Float.init), entry.embedding)
                        #expect(distance <= 1e-6, "/embed \(model.name) \(key) text \(index): 1 − cos \(distance)")
                    }
                    #expect(tei.headers["x-compute-tokens"] == String(entries.reduce(0) { $0 + $1.inputIDs.count }))
                    #expect(tei.headers["x-truncated-inputs"]
                        == String(entries.count { $0.inputIDs.count == model.maxSequenceLength }))

                    var tokenizeBody: [String: Any] = ["inputs": texts, "model": model.name]
                    tokenizeBody.merge(asked.tei) { $1 }
                    let tokenized = try await running.post("/tokenize", jsonText(tokenizeBody))
                    let lists = try #require(jsonList(in: tokenized) as? [[[String: Any]]], "\(tokenized.text)")
                    #expect(lists.map { $0.compactMap { $0["id"] as? Int } } == entries.map(\.inputIDs),
                            "/tokenize \(model.name) \(key): the ids sentence-transformers fed")
                }
            }
            #expect(checked >= 8, "every rule a prompt field can select, through every field that selects it")
        }
    }

    @Test func truncateFalseRefusesAnOverlongTextWith413() async throws {
        let long = Array(repeating: "word", count: 40).joined(separator: " ")
        try await RunningHTTPDaemon.with(registry: try promptedRegistry()) { running in
            let openAI = try await running.post("/v1/embeddings", jsonText([
                "input": ["short", long], "model": "tiny_mean_prompted", "input_type": "query", "truncate": false]))
            let error = try #require(apiError(in: openAI), "\(openAI.text)")
            #expect(openAI.status == 413 && error.code == "text_too_long" && error.param == "input", "\(openAI.text)")
            #expect(error.message.contains("text 1 is 44 tokens long") && error.message.contains("24-token limit"),
                    "names the text, its token count and the limit: \(error.message)")
            // The same text fits when it may be cut, and the answer says it was.
            let cut = try await running.post("/v1/embeddings", jsonText([
                "input": ["short", long], "model": "tiny_mean_prompted", "input_type": "query", "truncate": true]))
            #expect((cut.json?["data"] as? [[String: Any]])?.map { $0["truncated"] as? Bool } == [false, true])

            let tei = try await running.post("/embed", jsonText(["inputs": [long], "model": "tiny_mean_prompted",
                                                                 "truncate": false]))
            #expect(tei.status == 413 && teiError(in: tei)?.type == "Validation", "\(tei.text)")
            #expect(teiError(in: tei)?.message.contains("24-token limit") == true)
            let tokenize = try await running.post("/tokenize", jsonText(["inputs": long, "model": "tiny_mean_prompted",
                                                                         "truncate": false]))
            #expect(tokenize.status == 413 && teiError(in: tokenize)?.message.contains("tokens long") == true, "\(tokenize.text)")

            let unknown = try await running.post("/embed", jsonText(["inputs": "x", "model": "tiny_cls_prompted",
                                                                     "prompt_name": "passage"]))
            #expect(unknown.status == 400 && teiError(in: unknown)?.message.contains("query") == true, "\(unknown.text)")
            let badType = try await running.post("/v1/embeddings", jsonText(["input": "x", "model": "tiny_cls_prompted",
                                                                             "input_type": "classification"]))
            #expect(badType.status == 400 && apiError(in: badType)?.param == "input_type", "\(badType.text)")
            let clash = try await running.post("/v1/embeddings", jsonText(["input": "x", "model": "tiny_cls_prompted",
                                                                          "input_type": "query", "prompt_name": "document"]))
            #expect(clash.status == 400 && apiError(in: clash)?.param == "prompt_name", "\(clash.text)")

            let info = try await running.request("GET", "/info?model=tiny_mean_prompted")
            #expect(info.json?["model_type"] as? [String: [String: String]] == ["embedding": ["pooling": "mean"]])
            #expect(info.json?["max_input_length"] as? Int == 24 && info.json?["default_prompt_name"] as? String == "passage")
            #expect(info.json?["prompts"] as? [String: String] == ["query": "query: ", "passage": "passage: ", "document": ""])
            let cls = try await running.request("GET", "/info?model=tiny_cls_prompted")
            #expect(cls.json?["model_type"] as? [String: [String: String]] == ["embedding": ["pooling": "cls"]])
        }
    }
}
