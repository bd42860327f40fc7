// A daemon with its HTTP listener, in this process, serving the tiny golden models on a temporary
// Unix socket and a free loopback port: the shared in-process harness (RunningDaemon: one ServiceGroup,
// listener stopped first, readiness waited for on the daemon's log) with the listener as its companion.
// Requests go over real sockets with a blocking HTTP client, always off the concurrency pool so the
// in-process daemon keeps being served.
import Foundation
import Logging
import SemanticCore
import SemanticDaemon
import SemanticRuntime
import SemanticTestSupport
import ServiceLifecycle
@testable import SemanticHTTP

final class RunningHTTPDaemon: Sendable {
    let running: RunningDaemon
    let listener: HTTPListener
    let exposition: MetricsExposition

    var daemon: Daemon { running.daemon }
    var scratch: TemporaryDirectory { running.scratch }
    var socket: String { running.socket }

    /// Starts the daemon and its listener; returns once the listener is bound and, with
    /// `waitUntilReady`, the default model is loaded (/health answers 200).
    init(registry: ModelRegistry = RunningDaemon.tinyRegistry,
         address: HTTPConfiguration.Address = .tcp(host: "127.0.0.1", port: 0),
         configure: (inout HTTPConfiguration) -> Void = { _ in },
         waitUntilReady: Bool = true) async throws {
        let scratch = try TemporaryDirectory.forDaemon()
        let log = CapturedLog(label: "semd-http-test")
        let exposition = MetricsExposition()
        let daemon = RunningDaemon.makeDaemon(configuration: RunningDaemon.configuration(in: scratch), registry: registry,
                                              metrics: exposition.daemonMetrics, logger: log.logger)
        var http = HTTPConfiguration(address: address)
        configure(&http)
        let listener = HTTPListener(configuration: http, daemon: daemon, exposition: exposition, logger: log.logger)
        self.listener = listener
        self.exposition = exposition
        // The listener logs once it is bound: the harness checks again at that line.
        running = try await RunningDaemon(serving: daemon, in: scratch, log: log, companions: [listener],
                                          readiness: waitUntilReady ? .ready : .listening,
                                          alsoReadyWhen: { listener.url != nil })
    }

    var endpoint: HTTPConnection.Endpoint {
        switch listener.configuration.address {
        case .tcp(let host, _): .tcp(host: host, port: listener.port ?? 0)
        case .unixSocket(let path): .unixSocket(path: path)
        }
    }

    /// A fresh keep-alive connection to the listener.
    func connect() async throws -> HTTPConnection {
        let endpoint = self.endpoint
        return try await offPool { try HTTPConnection.connect(to: endpoint) }
    }

    /// One request on a fresh connection.
    func request(_ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]) async throws
        -> HTTPAnswer {
        let endpoint = self.endpoint
        return try await offPool {
            let connection = try HTTPConnection.connect(to: endpoint)
            if let json { return try connection.postJSON(path, json, headers: headers) }
            return try connection.request(method, path, headers: headers)
        }
    }

    func post(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> HTTPAnswer {
        try await request("POST", path, json: json, headers: headers)
    }

    /// The Prometheus exposition as served over HTTP.
    func metricsText(headers: [String: String] = [:]) async throws -> String {
        try await request("GET", "/metrics", headers: headers).text
    }

    func stop() async { await running.stop() }

    /// Runs `body` against a fresh daemon and stops it afterwards, whatever happened.
    static func with(registry: ModelRegistry = RunningDaemon.tinyRegistry,
                     address: HTTPConfiguration.Address = .tcp(host: "127.0.0.1", port: 0),
                     configure: (inout HTTPConfiguration) -> Void = { _ in },
                     waitUntilReady: Bool = true,
                     _ body: (RunningHTTPDaemon) async throws -> Void) async throws {
        let http = try await RunningHTTPDaemon(registry: registry, address: address, configure: configure,
                                               waitUntilReady: waitUntilReady)
        try await http.running.run { _ in try await body(http) }
    }
}

/// JSON text for a request body.
func jsonText(_ object: Any) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// The `embedding` arrays of an OpenAI embeddings answer, floats or base64 (little-endian f32).
func embeddings(in answer: HTTPAnswer) -> [[Float]]? {
    guard let data = answer.json?["data"] as? [[String: Any]] else { return nil }
    return data.map { item -> [Float] in
        if let floats = item["embedding"] as? [Double] { return floats.map { Float($0) } }
        guard let text = item["embedding"] as? String, let bytes = Data(base64Encoded: text) else { return [] }
        return stride(from: 0, to: bytes.count, by: 4).map { offset in
            Float(bitPattern: bytes[offset..<offset + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
    }
}

/// The OpenAI error body's fields.
func apiError(in answer: HTTPAnswer) -> (type: String, code: String, param: String?, message: String)? {
    guard let error = answer.json?["error"] as? [String: Any], let type = error["type"] as? String,
          let code = error["code"] as? String, let message = error["message"] as? String else { return nil }
    return (type, code, error["param"] as? String, message)
}
