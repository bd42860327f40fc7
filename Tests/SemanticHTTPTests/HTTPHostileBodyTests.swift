// Hostile bodies on the HTTP listener at its default limits, over a real socket: JSON nested a
// million levels deep (arrays and objects) within the 10 MiB body limit gets 400 invalid_json without
// exhausting the stack; a body one byte over 10 MiB gets 413; invalid UTF-8 inside a JSON string gets
// 400 invalid_json saying "not valid UTF-8" with the bad byte's offset, on both routes; a 10 MB text within the
// limit is embedded (truncated like any long text). After each, the daemon answers /health and an
// embedding.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticHTTP

@Suite(.serialized) struct HTTPHostileBodyTests {
    /// POSTs raw bytes (which need not be UTF-8) on a fresh connection.
    func postBytes(_ running: RunningHTTPDaemon, _ path: String, _ body: [UInt8]) async throws -> HTTPAnswer {
        let endpoint = running.endpoint
        return try await offPool {
            try HTTPConnection.connect(to: endpoint).request("POST", path, headers: ["Content-Type": "application/json"], body: body,
                                                               timeout: .seconds(600))
        }
    }

    @Test func deeplyNestedJSONGets400AndTheDaemonStaysHealthy() async throws {
        try await RunningHTTPDaemon.with { running in
            let depth = 1_000_000
            let bodies: [(String, [UInt8])] = [
                ("arrays", Array("{\"input\": ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: depth)
                    + [UInt8](repeating: UInt8(ascii: "]"), count: depth) + Array("}".utf8)),
                ("objects", Array(String(repeating: "{\"a\":", count: depth / 5).utf8) + Array("1".utf8)
                    + [UInt8](repeating: UInt8(ascii: "}"), count: depth / 5)),
                ("unterminated", Array("{\"input\": ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: depth)),
            ]
            for (name, body) in bodies {
                #expect(body.count < 10 << 20)
                for path in ["/v1/embeddings", "/v1/rerank"] {
                    let answer = try await postBytes(running, path, body)
                    #expect(answer.status == 400 && apiError(in: answer)?.code == "invalid_json", "\(name) \(path): \(answer.status) \(answer.text.prefix(300))")
                }
            }
            try await expectHealthy(running)
        }
    }

    @Test func aBodyOverTenMebibytesGets413AndInvalidUTF8Gets400() async throws {
        try await RunningHTTPDaemon.with { running in
            let limit = running.listener.configuration.maxBodyBytes
            #expect(limit == 10 << 20, "the default limit")
            let prefix = Array("{\"input\": \"".utf8), suffix = Array("\"}".utf8)
            // A body declared one byte over the limit: refused from its head, before the body is read.
            let endpoint = running.endpoint
            let tooLarge = try await offPool { () -> HTTPAnswer in
                let connection = try HTTPConnection.connect(to: endpoint)
                let head = "POST /v1/embeddings HTTP/1.1\r\nHost: semd\r\nContent-Type: application/json\r\nContent-Length: \(limit + 1)\r\n\r\n"
                try connection.send(Array(head.utf8) + prefix + [UInt8](repeating: UInt8(ascii: "a"), count: 65_536), deadline: .now + .seconds(60))
                return try connection.readAnswer(deadline: .now + .seconds(120))
            }
            #expect(tooLarge.status == 413 && apiError(in: tooLarge)?.code == "body_too_large", "\(tooLarge.status) \(tooLarge.text.prefix(300))")

            for bad in [[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80]] as [[UInt8]] {
                // Whichever string field holds the bad bytes, the answer names the encoding and the offset.
                let answer = try await postBytes(running, "/v1/embeddings", prefix + bad + suffix)
                let error = apiError(in: answer)
                #expect(answer.status == 400 && error?.type == "invalid_request_error" && error?.code == "invalid_json"
                        && error?.message.contains("not valid UTF-8 (invalid byte at offset \(prefix.count))") == true,
                        "\(bad): \(answer.status) \(answer.text)")
                let rerankPrefix = Array("{\"query\": \"q\", \"documents\": [\"d\", \"".utf8)
                let rerank = try await postBytes(running, "/v1/rerank", rerankPrefix + bad + Array("\"]}".utf8))
                #expect(rerank.status == 400 && apiError(in: rerank)?.code == "invalid_json"
                        && apiError(in: rerank)?.message.contains("offset \(rerankPrefix.count)") == true,
                        "\(bad): \(rerank.status) \(rerank.text)")
            }
            try await expectHealthy(running)
        }
    }

    @Test func aTenMegabyteTextWithinTheLimitIsEmbeddedTruncated() async throws {
        let embedder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory)
        let expected = try embedder.embed([String(repeating: "word ", count: 1_000)])[0]
        // Tokenizing 10 MB takes a while in a debug build on a busy machine: a long read timeout here.
        try await RunningHTTPDaemon.with(configure: { $0.readTimeout = .seconds(900) }) { running in
            let text = String(repeating: "word ", count: 2_000_000)  // 10,000,000 bytes
            let answer = try await postBytes(running, "/v1/embeddings", Array(jsonText(["input": text]).utf8))
            #expect(answer.status == 200, "\(answer.status) \(answer.text.prefix(300))")
            let vector = try #require(embeddings(in: answer)?.first)
            #expect(vector.count == expected.count && zip(vector, expected).allSatisfy { abs($0 - $1) < 1e-5 })
            try await expectHealthy(running)
        }
    }
}
