// An empty string is refused on every socket door, one rule (Docs/PROTOCOL.md §7, `EmptyTextRule`): cass
// v1 and plain cass v2 answer InvalidInput (not retryable), xf answers INVALID_REQUEST, for an Embed
// (the neural model and the hash embedder), a Rerank's query and a Rerank's document, alone or inside a
// batch; the connection keeps serving, and a text of spaces is embedded. (cass v2's attested requests
// refuse it by cass's own rule, CassV2AttestedTests; HTTP, the client and semctl have tests of their
// own.) A live in-process daemon with the tiny models, over its real sockets.
import Foundation
import SemanticCore
import SemanticTestSupport
import SemanticWire
import Testing

@Suite(.serialized) struct EmptyTextDoorTests {
    /// Each request with an empty text, and the sentence its refusal must carry.
    static let refusedEmbeds: [(texts: [String], model: String, refusal: String)] = [
        ([""], "default", EmptyTextRule.refusal(texts: [""])!),
        (["a text", ""], "default", EmptyTextRule.refusal(texts: ["a text", ""])!),
        (["", "a text"], "fnv1a-384", EmptyTextRule.refusal(texts: ["", "a text"])!),
    ]
    static let refusedReranks: [(query: String, documents: [String], refusal: String)] = [
        ("", ["a document"], EmptyTextRule.refusal(query: "", documents: ["a document"])!),
        ("a query", ["a document", ""], EmptyTextRule.refusal(query: "a query", documents: ["a document", ""])!),
    ]

    @Test func cassVersionOneAndPlainVersionTwoAnswerInvalidInput() async throws {
        try await RunningDaemon.with(registry: XFDialectTests.registry) { running in
            let connection = try await running.connect()
            for (texts, model, refusal) in Self.refusedEmbeds {
                let answer = try await connection.send(.embed(texts: texts, model: model, dims: nil))
                #expect(answer.response == .error(ErrorResponse(code: .invalidInput, message: refusal, retryable: false)), "\(texts)")
            }
            for (query, documents, refusal) in Self.refusedReranks {
                let answer = try await connection.send(.rerank(query: query, documents: documents, model: "default"))
                #expect(answer.response == .error(ErrorResponse(code: .invalidInput, message: refusal, retryable: false)))
            }
            // The same connection still serves, and spaces are not empty.
            let spaces = try await connection.send(.embed(texts: [" ", "a text"], model: "default", dims: nil))
            guard case .embed(let served) = spaces.response else { throw FixtureError.malformed("\(spaces)") }
            #expect(served.embeddings.map(\.count) == [16, 16])

            try await offPool {
                let client = try CassV2TestClient(socket: running.socket)
                for (texts, model, refusal) in Self.refusedEmbeds {
                    #expect(try client.send(.embed(texts: texts, model: model, dims: nil))
                            == .error(ErrorResponse(code: .invalidInput, message: refusal, retryable: false)))
                }
                for (query, documents, refusal) in Self.refusedReranks {
                    #expect(try client.send(.rerank(query: query, documents: documents, model: "default"))
                            == .error(ErrorResponse(code: .invalidInput, message: refusal, retryable: false)))
                }
                guard case .embed(let vectors) = try client.send(.embed(texts: [" "], model: "default", dims: nil)) else {
                    throw FixtureError.malformed("v2 did not embed a text of spaces")
                }
                #expect(vectors.embeddings.map(\.count) == [16])
            }
        }
    }

    @Test func xfAnswersInvalidRequest() async throws {
        try await RunningDaemon.withXF { running in
            let xfSocket = running.xfSocket
            try await offPool {
                let client = try XFTestClient(socketPath: xfSocket)
                defer { client.close() }
                for (texts, model, refusal) in Self.refusedEmbeds {
                    let answer = try client.send(.embed(texts: texts, model: model == "fnv1a-384" ? "hash" : model, dims: nil))
                    #expect(answer.response == .error(code: .invalidRequest, message: refusal), "\(texts)")
                }
                for (query, documents, refusal) in Self.refusedReranks {
                    let answer = try client.send(.rerank(query: query, documents: documents, model: "default"))
                    #expect(answer.response == .error(code: .invalidRequest, message: refusal))
                }
                guard case .embeddings(let vectors) = try client.send(.embed(texts: [" "], model: "default", dims: nil)).response else {
                    throw FixtureError.malformed("xf did not embed a text of spaces")
                }
                #expect(vectors.map(\.count) == [16])
            }
        }
    }
}
