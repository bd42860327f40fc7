// `semd-bench bench --workload HT`: the W1 query through one semd over its Unix socket and over its
// HTTP listener (OpenAI /v1/embeddings, keep-alive), latency of one client and throughput of 8
// concurrent clients on each. Both clients decode the answer into floats, as a real client would; the
// HTTP latency is also taken with base64 answers and with the answer read but not parsed, to show where
// the time goes. Starts its own semd with --http on a free loopback port.
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire

extension DaemonWorkloads {
    func httpAgainstSocket(clients: Int = 8, queriesPerClient: Int = 100) throws -> HTTPComparisonResult {
        let port = LoopbackPort.free()
        let dimension = ModelDescriptor.miniLM.dimension ?? 0
        return try withDaemon(extraArguments: ["--http", "127.0.0.1:\(port)"]) { socket in
            let endpoint = HTTPConnection.Endpoint.tcp(host: "127.0.0.1", port: port)
            let body = try jsonText(["input": [inputs.w1Query], "model": "default"])
            let query = SemanticWire.Request.embed(texts: [inputs.w1Query], model: "default", dims: nil)

            // The answers are parsed with JSONSerialization, as this workload always has, so its
            // figures stay comparable from run to run.
            /// One W1 query over HTTP, answer decoded into floats.
            @Sendable func viaHTTP(_ connection: HTTPConnection) throws {
                let answer = try connection.postJSON("/v1/embeddings", body)
                guard answer.status == 200, let data = answer.json?["data"] as? [[String: Any]],
                      let vector = data.first?["embedding"] as? [Double], vector.count == dimension else {
                    throw BenchmarkFailure("the HTTP listener did not answer the embedding: \(answer.status) \(answer.text.prefix(200))")
                }
            }
            /// The same with `encoding_format: base64` (what the OpenAI client asks for by default), decoded.
            let base64Body = try jsonText(["input": [inputs.w1Query], "model": "default", "encoding_format": "base64"])
            @Sendable func viaHTTPBase64(_ connection: HTTPConnection) throws {
                let answer = try connection.postJSON("/v1/embeddings", base64Body)
                guard answer.status == 200, let data = answer.json?["data"] as? [[String: Any]],
                      let text = data.first?["embedding"] as? String, let bytes = Data(base64Encoded: text),
                      bytes.count == dimension * MemoryLayout<Float>.size else {
                    throw BenchmarkFailure("the HTTP listener did not answer the embedding: \(answer.status) \(answer.text.prefix(200))")
                }
                let vector = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                if vector.count != dimension { throw BenchmarkFailure("a base64 embedding of \(vector.count) values") }
            }
            /// The round trip alone: the answer read, not parsed.
            @Sendable func viaHTTPUnparsed(_ connection: HTTPConnection) throws {
                guard try connection.postJSON("/v1/embeddings", body).status == 200 else {
                    throw BenchmarkFailure("the HTTP listener did not answer the embedding")
                }
            }
            @Sendable func viaSocket(_ connection: DaemonConnection) throws {
                guard case .embed(let answer) = try connection.send(query).response, answer.embeddings.first?.count == dimension else {
                    throw BenchmarkFailure("the daemon did not answer the Embed")
                }
            }

            let http = try HTTPConnection.connect(to: endpoint)
            let socketConnection = try DaemonConnection(socketPath: socket)
            // Alternate the two paths in blocks so drift on a shared machine hits both alike.
            var httpTimes: [Double] = [], socketTimes: [Double] = [], base64Times: [Double] = [], unparsedTimes: [Double] = []
            for _ in 0..<4 {
                socketTimes += try Statistics.time(runs: 50, warmup: 10) { try viaSocket(socketConnection) }.map { $0 * 1000 }
                httpTimes += try Statistics.time(runs: 50, warmup: 10) { try viaHTTP(http) }.map { $0 * 1000 }
                base64Times += try Statistics.time(runs: 50, warmup: 10) { try viaHTTPBase64(http) }.map { $0 * 1000 }
                unparsedTimes += try Statistics.time(runs: 50, warmup: 10) { try viaHTTPUnparsed(http) }.map { $0 * 1000 }
            }

            let httpClient: @Sendable () throws -> Void = {
                let connection = try HTTPConnection.connect(to: endpoint)
                for _ in 0..<queriesPerClient { try viaHTTP(connection) }
            }
            let socketClient: @Sendable () throws -> Void = {
                let connection = try DaemonConnection(socketPath: socket)
                for _ in 0..<queriesPerClient { try viaSocket(connection) }
            }
            _ = try ConcurrentClients.queriesPerSecond(clients, queriesEach: queriesPerClient, httpClient)
            let httpOne = try ConcurrentClients.queriesPerSecond(1, queriesEach: queriesPerClient, httpClient)
            let httpMany = try ConcurrentClients.queriesPerSecond(clients, queriesEach: queriesPerClient, httpClient)
            let socketMany = try ConcurrentClients.queriesPerSecond(clients, queriesEach: queriesPerClient, socketClient)
            return HTTPComparisonResult(
                socketP50Milliseconds: Statistics.median(socketTimes), socketP99Milliseconds: Statistics.percentile(socketTimes, 0.99),
                httpP50Milliseconds: Statistics.median(httpTimes), httpP99Milliseconds: Statistics.percentile(httpTimes, 0.99),
                httpBase64P50Milliseconds: Statistics.median(base64Times),
                httpUnparsedP50Milliseconds: Statistics.median(unparsedTimes), clients: clients,
                httpOneClientQueriesPerSecond: httpOne, httpAllClientsQueriesPerSecond: httpMany,
                socketAllClientsQueriesPerSecond: socketMany)
        }
    }
}

/// A JSON object as request text.
func jsonText(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
