// The documented failures of the HTTP API, each over a real socket, each in OpenAI's error body with
// its status: 400 bad input, 401 without the key, 404 unknown model or route, 405 wrong method,
// 408 body too slow, 413 body or batch too large, 429 overloaded (with Retry-After), 503 while the
// default model loads. After every one, the daemon is still healthy and still answers.
import Foundation
import Logging
import SemanticCore
import SemanticDaemon
import SemanticRuntime
import SemanticService
import SemanticTestSupport
import ServiceLifecycle
import Testing
@testable import SemanticHTTP

/// The daemon still answers health and a real request.
func expectHealthy(_ running: RunningHTTPDaemon, headers: [String: String] = [:]) async throws {
    #expect(try await running.request("GET", "/health").status == 200)
    let answer = try await running.post("/v1/embeddings", jsonText(["input": "still here"]), headers: headers)
    #expect(answer.status == 200 && embeddings(in: answer)?.first?.count == 16, "\(answer.text)")
}

@Suite(.serialized) struct HTTPErrorTests {
    @Test func badBodiesGet400WithTheFieldNamed() async throws {
        try await RunningHTTPDaemon.with { running in
            let cases: [(body: String, code: String, param: String?)] = [
                ("{not json", "invalid_json", nil),
                ("[1, 2]", "invalid_request", nil),
                (jsonText(["model": "default"]), "invalid_request", "input"),
                (jsonText(["input": 42]), "invalid_request", "input"),
                (jsonText(["input": []]), "invalid_request", "input"),
                (jsonText(["input": [101, 2023, 102]]), "invalid_request", "input"),
                (jsonText(["input": "x", "encoding_format": "hex"]), "invalid_request", "encoding_format"),
                (jsonText(["input": "x", "dimensions": 0]), "invalid_request", "dimensions"),
                (jsonText(["input": "x", "dimensions": "eight"]), "invalid_request", "dimensions"),
                (jsonText(["input": "x", "dimensions": 99]), "invalid_input", nil),
            ]
            for item in cases {
                let answer = try await running.post("/v1/embeddings", item.body)
                let error = apiError(in: answer)
                #expect(answer.status == 400, "\(item.body) → \(answer.status) \(answer.text)")
                #expect(error?.type == "invalid_request_error" && error?.code == item.code && error?.param == item.param,
                        "\(item.body) → \(answer.text)")
            }
            let rerankCases = [jsonText(["documents": ["a"]]), jsonText(["query": "q", "documents": []]),
                               jsonText(["query": "q", "documents": [1]]), jsonText(["query": "q", "documents": ["a"], "top_n": 0])]
            for body in rerankCases {
                let answer = try await running.post("/v1/rerank", body)
                #expect(answer.status == 400 && apiError(in: answer)?.type == "invalid_request_error", "\(body) → \(answer.text)")
            }
            try await expectHealthy(running)
        }
    }

    @Test func unknownModelsRoutesAndMethods() async throws {
        try await RunningHTTPDaemon.with { running in
            let unknown = try await running.post("/v1/embeddings", jsonText(["input": "x", "model": "text-embedding-3-small"]))
            let error = apiError(in: unknown)
            #expect(unknown.status == 404 && error?.code == "model_not_found" && error?.param == "model")
            #expect(error?.message.contains("tiny-16") == true, "the answer lists what is available")
            let unknownReranker = try await running.post("/v1/rerank", jsonText(["query": "q", "documents": ["a"],
                                                                                 "model": "bge-reranker"]))
            #expect(unknownReranker.status == 404 && apiError(in: unknownReranker)?.code == "model_not_found")

            let route = try await running.request("GET", "/v1/chat/completions")
            #expect(route.status == 404 && apiError(in: route)?.code == "unknown_url")
            let method = try await running.request("GET", "/v1/embeddings")
            #expect(method.status == 405 && apiError(in: method)?.code == "method_not_allowed")
            let postHealth = try await running.post("/health", "{}")
            #expect(postHealth.status == 405)
            try await expectHealthy(running)
        }
    }

    @Test func oversizeBodiesAndBatchesGet413AndTokenBudget400() async throws {
        try await RunningHTTPDaemon.with(configure: {
            $0.maxBodyBytes = 4096
            $0.maxInputsPerRequest = 4
            $0.maxTokensPerRequest = 20
        }) { running in
            let big = jsonText(["input": String(repeating: "word ", count: 2000)])
            let declared = try await running.post("/v1/embeddings", big)
            #expect(declared.status == 413 && apiError(in: declared)?.code == "body_too_large", "\(declared.text)")

            // The same body without a declared length (chunked): refused while it streams in.
            let endpoint = running.endpoint
            let chunked = try await offPool { () -> HTTPAnswer in
                let connection = try HTTPConnection.connect(to: endpoint)
                var bytes = Array("POST /v1/embeddings HTTP/1.1\r\nHost: semd\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                for chunk in stride(from: 0, to: big.utf8.count, by: 1000) {
                    let piece = Array(big.utf8)[chunk..<min(chunk + 1000, big.utf8.count)]
                    bytes += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
                }
                bytes += Array("0\r\n\r\n".utf8)
                try connection.send(bytes, deadline: .now + .seconds(10))
                return try connection.readAnswer(deadline: .now + .seconds(30))
            }
            #expect(chunked.status == 413 && apiError(in: chunked)?.code == "body_too_large", "\(chunked.text)")

            let many = try await running.post("/v1/embeddings", jsonText(["input": ["a", "b", "c", "d", "e"]]))
            #expect(many.status == 413 && apiError(in: many)?.code == "too_many_inputs" && apiError(in: many)?.param == "input")
            let manyDocuments = try await running.post("/v1/rerank", jsonText(["query": "q", "documents": ["a", "b", "c", "d", "e"]]))
            #expect(manyDocuments.status == 413 && apiError(in: manyDocuments)?.param == "documents")

            let long = try await running.post("/v1/embeddings", jsonText(["input": Array(repeating: "one two three four five six", count: 4)]))
            #expect(long.status == 400 && apiError(in: long)?.message.contains("too many tokens") == true, "\(long.text)")
            try await expectHealthy(running)
        }
    }

    @Test func overloadGets429WithRetryAfterAndRecovers() async throws {
        try await RunningHTTPDaemon.with(configure: { $0.maxConcurrentRequests = 2 }) { running in
            let admission = running.listener.api.admission
            try admission.enter()
            try admission.enter()
            let refused = try await running.post("/v1/embeddings", jsonText(["input": "x"]))
            #expect(refused.status == 429 && refused.headers["retry-after"] == "1", "\(refused.text)")
            #expect(apiError(in: refused)?.type == "rate_limit_error" && apiError(in: refused)?.code == "overloaded")
            let refusedRerank = try await running.post("/v1/rerank", jsonText(["query": "q", "documents": ["a"]]))
            #expect(refusedRerank.status == 429)
            // Health and metrics are never refused: a load balancer must see the daemon is alive.
            #expect(try await running.request("GET", "/health").status == 200)
            #expect(try await running.metricsText().contains(#"semd_requests_in_flight{dialect="http"} 2"#))
            admission.leave()
            admission.leave()
            try await expectHealthy(running)

            // A burst of 24 clients on 2 slots: every answer is 200 or 429, none is lost or broken.
            let endpoint = running.endpoint
            let texts = (0..<64).map { "burst text number \($0) with a few more words" }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        try await offPool { try HTTPConnection.connect(to: endpoint).postJSON("/v1/embeddings", jsonText(["input": texts])).status }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 24 && statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
            #expect(statuses.contains(200))
            try await expectHealthy(running)
        }
    }

    @Test func aStalledClientHoldsNoSlotAndIsDisconnected() async throws {
        try await RunningHTTPDaemon.with(configure: {
            $0.maxConcurrentRequests = 1
            $0.readTimeout = .seconds(1)
            $0.bodyTimeout = .seconds(3)
        }) { running in
            let endpoint = running.endpoint
            // Headers announce 100 bytes; 10 arrive, then nothing.
            let stalled = try await offPool { () -> HTTPConnection in
                let connection = try HTTPConnection.connect(to: endpoint)
                try connection.send(Array("POST /v1/embeddings HTTP/1.1\r\nHost: semd\r\nContent-Length: 100\r\n\r\n{\"input\":".utf8),
                                    deadline: .now + .seconds(5))
                return connection
            }
            // The only slot is free for everyone else meanwhile.
            try await expectHealthy(running)
            #expect(try await offPool { stalled.isClosedByPeer(within: .seconds(120)) }, "silent past the read timeout: closed")

            // A client that trickles a byte every 300 ms never trips the read timeout, but the body timeout ends it.
            let trickled = try await offPool { () -> HTTPAnswer? in
                let connection = try HTTPConnection.connect(to: endpoint)
                try connection.send(Array("POST /v1/embeddings HTTP/1.1\r\nHost: semd\r\nContent-Length: 1000\r\n\r\n".utf8),
                                    deadline: .now + .seconds(5))
                let start = ContinuousClock.now
                // Ends at the answer (after the 3 s body timeout; much later on a starved machine).
                while ContinuousClock.now - start < .seconds(120) {
                    do { try connection.send([UInt8(ascii: " ")], deadline: .now + .seconds(1)) } catch { break }
                    if let answer = try? connection.readAnswer(deadline: .now + .milliseconds(300)) { return answer }
                }
                return nil
            }
            #expect(trickled?.status == 408 && apiError(in: trickled!)?.code == "request_timeout", "\(trickled?.text ?? "no answer")")
            try await expectHealthy(running)
        }
    }

    @Test func theAPIKeyGuardsEverythingButHealth() async throws {
        let key = "k3y-" + UUID().uuidString
        try await RunningHTTPDaemon.with(configure: { $0.apiKey = APIKey(key) }) { running in
            let missing = try await running.post("/v1/embeddings", jsonText(["input": "x"]))
            #expect(missing.status == 401 && missing.headers["www-authenticate"] == "Bearer")
            #expect(apiError(in: missing)?.type == "authentication_error" && apiError(in: missing)?.code == "invalid_api_key")
            for wrong in ["Bearer " + key.dropLast(), "Bearer " + key + "x", "Basic " + key, key, "Bearer"] {
                let answer = try await running.post("/v1/embeddings", jsonText(["input": "x"]), headers: ["Authorization": wrong])
                #expect(answer.status == 401, "\(wrong)")
            }
            #expect(try await running.request("GET", "/v1/models").status == 401)
            #expect(try await running.request("GET", "/metrics").status == 401)
            #expect(try await running.request("GET", "/health").status == 200)
            let right = ["Authorization": "Bearer \(key)"]
            #expect(try await running.request("GET", "/v1/models", headers: right).status == 200)
            #expect(try await running.metricsText(headers: right).contains("semd_requests_total"))
            let lowerCaseScheme = try await running.post("/v1/embeddings", jsonText(["input": "x"]),
                                                         headers: ["Authorization": "bearer \(key)"])
            #expect(lowerCaseScheme.status == 200)
            try await expectHealthy(running, headers: right)
        }
    }

    @Test func healthAndDefaultModelAnswer503UntilTheModelIsLoaded() async throws {
        // A host that has not warmed up yet: the state a daemon is in for its first moments.
        let service = InferenceService(registry: ModelRegistry(models: [.tinyEmbedder, .tinyReranker]),
                                       modelsRoot: ModelsRoot(url: Fixtures.url("goldens"), source: .flag))
        defer { service.stop() }
        let log = CapturedLog(label: "semd-http-test")
        let logger = log.logger
        let listener = HTTPListener(configuration: HTTPConfiguration(address: .tcp(host: "127.0.0.1", port: 0)),
                                    service: service, exposition: nil, logger: logger)
        let group = ServiceGroup(services: [listener], logger: logger)
        let task = Task { try await group.run() }
        // The listener logs once it is bound.
        try await log.waitUntil("the listener is bound", within: .seconds(900)) { listener.port != nil }
        let endpoint = HTTPConnection.Endpoint.tcp(host: "127.0.0.1", port: listener.port!)
        func request(_ method: String, _ path: String, _ json: String? = nil) async throws -> HTTPAnswer {
            try await offPool {
                let connection = try HTTPConnection.connect(to: endpoint)
                return try json.map { try connection.postJSON(path, $0) } ?? connection.request(method, path)
            }
        }

        let loading = try await request("GET", "/health")
        #expect(loading.status == 503 && loading.headers["retry-after"] == "1")
        #expect(loading.json?["status"] as? String == "loading" && loading.json?["ready"] as? Bool == false)
        let early = try await request("POST", "/v1/embeddings", jsonText(["input": "x"]))
        #expect(early.status == 503 && early.headers["retry-after"] == "1" && apiError(in: early)?.code == "model_loading")
        #expect(try await request("GET", "/metrics").status == 404, "no exposition given: no metrics route")

        try await offPool { service.warmUp(preloadReranker: false) }
        #expect(try await request("GET", "/health").status == 200)
        #expect(try await request("POST", "/v1/embeddings", jsonText(["input": "x"])).status == 200)
        await group.triggerGracefulShutdown()
        try await task.value
    }

    @Test func aDefaultModelThatFailedToLoadIsReportedNotHidden() async throws {
        let missing = ModelDescriptor(
            id: "absent-16", kind: .embedder, displayName: "absent", directoryName: "no_such_model", aliases: ["default"],
            dimension: 16, requiredFiles: ["config.json"], checksums: [:], source: "nowhere", installHint: "install it")
        try await RunningHTTPDaemon.with(registry: ModelRegistry(models: [missing, .tinyReranker]), waitUntilReady: false) { running in
            // Until /health's state is no longer "loading", read in-process and checked again at every
            // line the daemon logs (it logs when its warm-up ends).
            let api = running.listener.api
            try await running.running.waitUntil("the default model is no longer loading", within: .seconds(60)) {
                if case .loading = api.readiness() { return false }
                return true
            }
            let health = try await running.request("GET", "/health")
            #expect(health.status == 503 && health.json?["status"] as? String == "failed", "\(health.text)")
            #expect((health.json?["error"] as? String)?.contains("install it") == true)
            let answer = try await running.post("/v1/embeddings", jsonText(["input": "x"]))
            #expect(answer.status == 404 && apiError(in: answer)?.code == "model_not_installed", "\(answer.text)")
            let rerank = try await running.post("/v1/rerank", jsonText(["query": "q", "documents": ["a"]]))
            #expect(rerank.status == 200, "other models still serve")
        }
    }
}
