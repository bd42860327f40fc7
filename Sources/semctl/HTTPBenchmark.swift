// `semctl bench --workload HT`: the W1 query through one semd over its Unix socket and over its HTTP
// listener (OpenAI /v1/embeddings, keep-alive), latency of one client and throughput of 8 concurrent
// clients on each. Both clients decode the answer into floats, as a real client would; the HTTP
// latency is also taken with base64 answers and with the answer read but not parsed, to show where
// the time goes. Starts its own semd with --http on a free loopback port.
import Foundation
import SemanticClient
import SemanticRuntime
import SemanticWire
#if canImport(Glibc)
import Glibc
#endif

extension DaemonBenchmark {
    func httpAgainstSocket(clients: Int = 8, queriesPerClient: Int = 100) throws -> [(String, JSONValue)] {
        let port = LoopbackPort.free()
        return try withDaemon(extraArguments: ["--http", "127.0.0.1:\(port)"]) { socket in
            let endpoint = HTTPConnection.Endpoint.tcp(host: "127.0.0.1", port: port)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["input": [inputs.w1Query], "model": "default"]),
                              as: UTF8.self)
            let query = SemanticWire.Request.embed(texts: [inputs.w1Query], model: "default", dims: nil)

            /// One W1 query over HTTP, answer decoded into floats.
            @Sendable func viaHTTP(_ connection: HTTPConnection) throws {
                let answer = try connection.postJSON("/v1/embeddings", body)
                guard answer.status == 200, let data = answer.json?["data"] as? [[String: Any]],
                      let vector = data.first?["embedding"] as? [Double], vector.count == 384 else {
                    throw CommandFailure("the HTTP listener did not answer the embedding: \(answer.status) \(answer.text.prefix(200))")
                }
            }
            /// The same with `encoding_format: base64` (what the OpenAI client asks for by default), decoded.
            let base64Body = String(decoding: try JSONSerialization.data(withJSONObject: [
                "input": [inputs.w1Query], "model": "default", "encoding_format": "base64"]), as: UTF8.self)
            @Sendable func viaHTTPBase64(_ connection: HTTPConnection) throws {
                let answer = try connection.postJSON("/v1/embeddings", base64Body)
                guard answer.status == 200, let data = answer.json?["data"] as? [[String: Any]],
                      let text = data.first?["embedding"] as? String, let bytes = Data(base64Encoded: text), bytes.count == 384 * 4 else {
                    throw CommandFailure("the HTTP listener did not answer the embedding: \(answer.status) \(answer.text.prefix(200))")
                }
                let vector = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                if vector.count != 384 { throw CommandFailure("a base64 embedding of \(vector.count) values") }
            }
            /// The round trip alone: the answer read, not parsed.
            @Sendable func viaHTTPUnparsed(_ connection: HTTPConnection) throws {
                guard try connection.postJSON("/v1/embeddings", body).status == 200 else {
                    throw CommandFailure("the HTTP listener did not answer the embedding")
                }
            }
            @Sendable func viaSocket(_ connection: DaemonConnection) throws {
                guard case .embed(let answer) = try connection.send(query).response, answer.embeddings.first?.count == 384 else {
                    throw CommandFailure("the daemon did not answer the Embed")
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

            func throughput(_ count: Int, _ run: @escaping @Sendable () throws -> Void) throws -> Double {
                let failures = ResultList()
                let group = DispatchGroup()
                let start = ContinuousClock.now
                for _ in 0..<count {
                    group.enter()
                    Thread.detachNewThread {
                        defer { group.leave() }
                        do { try run() } catch { failures.append("\(error)") }
                    }
                }
                group.wait()
                if let failure = failures.first { throw CommandFailure("a client failed: \(failure)") }
                return Double(count * queriesPerClient) / (ContinuousClock.now - start).seconds
            }
            let httpClient: @Sendable () throws -> Void = {
                let connection = try HTTPConnection.connect(to: endpoint)
                for _ in 0..<queriesPerClient { try viaHTTP(connection) }
            }
            let socketClient: @Sendable () throws -> Void = {
                let connection = try DaemonConnection(socketPath: socket)
                for _ in 0..<queriesPerClient { try viaSocket(connection) }
            }
            _ = try throughput(clients, httpClient)
            let httpOne = try throughput(1, httpClient)
            let httpMany = try throughput(clients, httpClient)
            let socketMany = try throughput(clients, socketClient)
            let httpMedian = Statistics.median(httpTimes), socketMedian = Statistics.median(socketTimes)
            return [("workload", .string("HT")),
                    ("socket_p50_ms", .double(socketMedian)), ("socket_p99_ms", .double(Statistics.percentile(socketTimes, 0.99))),
                    ("http_p50_ms", .double(httpMedian)), ("http_p99_ms", .double(Statistics.percentile(httpTimes, 0.99))),
                    ("http_overhead_ms", .double(httpMedian - socketMedian)),
                    ("http_base64_p50_ms", .double(Statistics.median(base64Times))),
                    ("http_unparsed_p50_ms", .double(Statistics.median(unparsedTimes))),
                    ("clients", .int(clients)), ("http_one_client_qps", .double(httpOne)),
                    ("http_all_clients_qps", .double(httpMany)), ("socket_all_clients_qps", .double(socketMany))]
        }
    }
}
