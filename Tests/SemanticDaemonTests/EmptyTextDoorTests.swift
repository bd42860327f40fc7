// An empty string is served on every socket door as sentence-transformers serves it (Docs/PROTOCOL.md
// §7): cass v1, plain cass v2 and xf answer the engine's own vector for "" ([CLS] [SEP]) and the
// cross-encoder's score for a pair with an empty side, alone or inside a batch; the hash embedder
// (fnv1a-384), whose rule is cass's, refuses it with InvalidInput and the connection keeps serving.
// A live in-process daemon with the tiny models, over its real sockets.
import Foundation
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Testing

@Suite(.serialized) struct EmptyTextDoorTests {
    static let texts = ["a text", "", "another text"]

    /// The engine's vectors for `texts` and its logits for an empty query and an empty document.
    static func engineAnswers() throws -> (vectors: [[Float]], emptyQuery: [Float], emptyDocument: [Float]) {
        let embedder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory)
        let reranker = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory)
        return (try embedder.embed(texts), try reranker.scores(query: "", documents: ["a document"]),
                try reranker.scores(query: "a query", documents: ["a document", ""]))
    }

    static func expectClose(_ served: [[Float]], _ expected: [[Float]], _ label: String) {
        #expect(served.count == expected.count, "\(label)")
        for (vector, reference) in zip(served, expected) {
            #expect(compare(vector, reference).withinEmbeddingTolerance, "\(label)")
        }
    }

    @Test func everySocketDoorEmbedsAnEmptyText() async throws {
        let expected = try Self.engineAnswers()
        try await RunningDaemon.withXF { running in
            let connection = try await running.connect()
            let embed = try await connection.send(.embed(texts: Self.texts, model: "default", dims: nil))
            guard case .embed(let vectors) = embed.response else { throw FixtureError.malformed("\(embed)") }
            Self.expectClose(vectors.embeddings, expected.vectors, "cass v1 embed")
            let query = try await connection.send(.rerank(query: "", documents: ["a document"], model: "default"))
            guard case .rerank(let scored) = query.response else { throw FixtureError.malformed("\(query)") }
            #expect(scored.scores.count == 1 && scored.scores.allSatisfy { $0.isFinite })
            let document = try await connection.send(.rerank(query: "a query", documents: ["a document", ""], model: "default"))
            guard case .rerank(let documents) = document.response else { throw FixtureError.malformed("\(document)") }
            #expect(documents.scores.count == 2 && documents.scores.allSatisfy { $0.isFinite })
            // The hash embedder keeps cass's rule, and the connection keeps serving after it.
            let hash = try await connection.send(.embed(texts: ["", "a text"], model: "fnv1a-384", dims: nil))
            guard case .error(let refusal) = hash.response else { throw FixtureError.malformed("\(hash)") }
            #expect(refusal.code == .invalidInput && !refusal.retryable && refusal.message.contains("empty text"), "\(refusal)")
            let again = try await connection.send(.embed(texts: [""], model: "default", dims: nil))
            guard case .embed(let single) = again.response else { throw FixtureError.malformed("\(again)") }
            Self.expectClose(single.embeddings, [expected.vectors[1]], "cass v1 after a refusal")

            let socket = running.socket, xfSocket = running.xfSocket
            try await offPool {
                let client = try CassV2TestClient(socket: socket)
                guard case .embed(let v2) = try client.send(.embed(texts: Self.texts, model: "default", dims: nil)) else {
                    throw FixtureError.malformed("plain cass v2 did not embed an empty text")
                }
                Self.expectClose(v2.embeddings, expected.vectors, "cass v2 embed")

                let xf = try XFTestClient(socketPath: xfSocket)
                defer { xf.close() }
                guard case .embeddings(let xfVectors) = try xf.send(.embed(texts: Self.texts, model: "default", dims: nil)).response else {
                    throw FixtureError.malformed("xf did not embed an empty text")
                }
                Self.expectClose(xfVectors, expected.vectors, "xf embed")
                let xfHash = try xf.send(.embed(texts: [""], model: "hash", dims: nil))
                guard case .error(let code, let message) = xfHash.response else { throw FixtureError.malformed("\(xfHash)") }
                #expect(code == .invalidRequest && message.contains("empty text"), "\(message)")
            }
        }
    }
}
