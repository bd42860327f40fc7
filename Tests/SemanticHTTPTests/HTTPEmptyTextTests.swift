// An empty string over HTTP is served as on every door (Docs/PROTOCOL.md §7): OpenAI's
// `/v1/embeddings` and TEI's `/embed` answer the engine's vector for "" alone or inside a list, and
// Cohere's `/v1/rerank` and TEI's `/rerank` score a pair with an empty query or document. A live
// in-process daemon with the tiny models, over a real socket.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing

@Suite(.serialized) struct HTTPEmptyTextTests {
    @Test func everyRouteServesAnEmptyText() async throws {
        let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["a text", ""])
        try await RunningHTTPDaemon.with { running in
            let openAI = try await running.post("/v1/embeddings", jsonText(["input": ["a text", ""]]))
            let openAIVectors = try #require(embeddings(in: openAI), "\(openAI.text)")
            let tei = try await running.post("/embed", jsonText(["inputs": ["a text", ""]]))
            let teiVectors = try #require((bareJSON(tei) as? [[Double]])?.map { $0.map(Float.init) }, "\(tei.text)")
            for (label, vectors) in [("/v1/embeddings", openAIVectors), ("/embed", teiVectors)] {
                #expect(vectors.count == 2, "\(label)")
                for (vector, reference) in zip(vectors, expected) {
                    #expect(compare(vector, reference).withinEmbeddingTolerance, "\(label)")
                }
            }
            let alone = try await running.post("/v1/embeddings", jsonText(["input": ""]))
            #expect(alone.status == 200 && embeddings(in: alone)?.count == 1, "\(alone.text)")

            let cohere = try await running.post("/v1/rerank", jsonText(["query": "", "documents": ["a", ""]]))
            #expect(cohere.status == 200, "\(cohere.text)")
            #expect(((cohere.json as? [String: Any])?["results"] as? [[String: Any]])?.count == 2, "\(cohere.text)")
            let teiRerank = try await running.post("/rerank", jsonText(["query": "q", "texts": ["", "a"]]))
            #expect(teiRerank.status == 200 && (bareJSON(teiRerank) as? [[String: Any]])?.count == 2, "\(teiRerank.text)")
            try await expectHealthy(running)
        }
    }
}

/// A body that is a JSON array (TEI's answers), which `HTTPAnswer.json` (an object) does not read.
private func bareJSON(_ answer: HTTPAnswer) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(answer.text.utf8))
}
