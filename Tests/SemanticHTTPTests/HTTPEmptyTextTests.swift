// An empty string over HTTP gets the rule every door follows (Docs/PROTOCOL.md §7): 400
// `invalid_input` with the service's sentence, for an embeddings input alone or inside a list, a
// rerank query and a rerank document (string or `{"text"}`); a text of spaces is embedded. A live
// in-process daemon with the tiny models, over a real socket.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing

@Suite(.serialized) struct HTTPEmptyTextTests {
    @Test func anEmptyStringGets400InvalidInputOnEveryRoute() async throws {
        try await RunningHTTPDaemon.with { running in
            let cases: [(path: String, body: String, refusal: String)] = [
                ("/v1/embeddings", jsonText(["input": ""]), EmptyTextRule.refusal(texts: [""])!),
                ("/v1/embeddings", jsonText(["input": ["a text", ""]]), EmptyTextRule.refusal(texts: ["a text", ""])!),
                ("/v1/rerank", jsonText(["query": "", "documents": ["a"]]), EmptyTextRule.refusal(query: "", documents: ["a"])!),
                ("/v1/rerank", jsonText(["query": "q", "documents": ["a", ""]]), EmptyTextRule.refusal(query: "q", documents: ["a", ""])!),
                ("/v1/rerank", jsonText(["query": "q", "documents": [["text": ""]]]), EmptyTextRule.refusal(query: "q", documents: [""])!),
            ]
            for item in cases {
                let answer = try await running.post(item.path, item.body)
                let error = apiError(in: answer)
                #expect(answer.status == 400 && error?.code == "invalid_input" && error?.message == item.refusal,
                        "\(item.path) \(item.body) → \(answer.status) \(answer.text)")
            }
            let spaces = try await running.post("/v1/embeddings", jsonText(["input": [" ", "a text"]]))
            #expect(spaces.status == 200 && embeddings(in: spaces)?.map(\.count) == [16, 16], "\(spaces.text)")
            try await expectHealthy(running)
        }
    }
}
