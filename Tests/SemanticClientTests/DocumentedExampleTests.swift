// The example of Docs/CLIENT.md, compiled with nothing but `import SemanticClient` (and run on the real
// model in-process), so the documentation cannot drift from the public API.
import Foundation
import SemanticClient
import SemanticTestSupport
import Testing

// --- from Docs/CLIENT.md, section 2, verbatim ---

/// Dot product; the vectors are L2-normalised, so this is their cosine similarity.
func similarity(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

/// The documents most similar to `query`, best first, with the path that served the embeddings.
func nearest(to query: String, in documents: [String], using client: SemanticClient, count: Int)
    throws -> (ranked: [(document: String, similarity: Float)], servedBy: ServedBy) {
    let result = try client.embed([query] + documents)      // one call; large inputs travel in batches
    let queryVector = result.embeddings[0]
    let scored = zip(documents, result.embeddings.dropFirst()).map { ($0, similarity(queryVector, $1)) }
    return (Array(scored.sorted { $0.1 > $1.1 }.prefix(count)), result.servedBy)
}

// --- end of the example ---

struct RankedDocument: Sendable {
    let document: String
    let similarity: Float
}

@Suite struct DocumentedExampleTests {
    @Test func theExampleRanksByMeaning() async throws {
        let models = try Fixtures.requireRealEmbedder().deletingLastPathComponent().path
        var configuration = try ClientConfiguration.resolve(modelsDirectory: models, noDaemon: true)
        configuration.inProcessThreads = 2
        let client = SemanticClient(configuration: configuration)
        let documents = ["The cat sat on the mat.", "Stock markets fell sharply.", "A kitten naps in the sun."]
        let (ranked, servedBy) = try await offPool {
            let (ranked, servedBy) = try nearest(to: "a sleeping cat", in: documents, using: client, count: 2)
            return (ranked.map { RankedDocument(document: $0.document, similarity: $0.similarity) }, servedBy)
        }
        #expect(servedBy == .inProcess(.daemonDisabled))
        #expect(ranked.map(\.document) == ["A kitten naps in the sun.", "The cat sat on the mat."])
        #expect(ranked[0].similarity > ranked[1].similarity && ranked[1].similarity > 0.2)
    }
}
