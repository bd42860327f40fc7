// A daemon with its HTTP listener, in this process, serving the tiny golden models on a temporary
// Unix socket and a free loopback port, run the way semd runs them (one ServiceGroup, listener
// stopped first). Requests go over real sockets with a blocking HTTP client, always off the
// concurrency pool so the in-process daemon keeps being served.
import Foundation
import Logging
import SemanticCore
import SemanticDaemon
import SemanticRuntime
import SemanticTestSupport
import ServiceLifecycle
@testable import SemanticHTTP

final class RunningHTTPDaemon: Sendable {
    let daemon: Daemon
    let listener: HTTPListener
    let exposition: MetricsExposition
    let scratch: TemporaryDirectory
    let group: ServiceGroup
    let task: Task<Void, Error>

    var socket: String { daemon.configuration.paths.socket }

    init(registry: ModelRegistry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker]),
         address: HTTPConfiguration.Address = .tcp(host: "127.0.0.1", port: 0),
         configure: (inout HTTPConfiguration) -> Void = { _ in },
         waitUntilReady: Bool = true) async throws {
        scratch = try TemporaryDirectory(prefix: "semd-http")
        chmod(scratch.url.path, 0o700)
        var configuration = DaemonConfiguration(paths: DaemonPaths(socket: scratch.path("d.sock").path),
                                                modelsRoot: ModelsRoot(url: Fixtures.url("goldens"), source: .flag))
        configuration.niceness = 0
        var logger = Logger(label: "semd-http-test")
        logger.logLevel = .warning
        exposition = MetricsExposition()
        daemon = Daemon(configuration: configuration, registry: registry, metrics: exposition.daemonMetrics, logger: logger)
        var http = HTTPConfiguration(address: address)
        configure(&http)
        listener = HTTPListener(configuration: http, daemon: daemon, exposition: exposition, logger: logger)
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: DaemonService(daemon: daemon), successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup),
                       .init(service: listener, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger))
        let group = self.group
        task = Task { try await group.run() }
        // Generous: in the full suite, CPU-bound tests can hold both threads of the concurrency pool
        // for minutes on a 2-core machine, and nothing of this daemon runs meanwhile. Ends when ready.
        let deadline = ContinuousClock.now + .seconds(900)
        while ContinuousClock.now < deadline {
            if listener.url != nil {
                if !waitUntilReady { return }
                let endpoint = self.endpoint
                let ready = (try? await offPool { try HTTPConnection.connect(to: endpoint).request("GET", "/health").status })
                if ready == 200 { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        await stop()
        throw FixtureError.malformed("the HTTP listener did not become ready")
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

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        scratch.remove()
    }

    /// Runs `body` against a fresh daemon and stops it afterwards, whatever happened.
    static func with(registry: ModelRegistry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker]),
                     address: HTTPConfiguration.Address = .tcp(host: "127.0.0.1", port: 0),
                     configure: (inout HTTPConfiguration) -> Void = { _ in },
                     waitUntilReady: Bool = true,
                     _ body: (RunningHTTPDaemon) async throws -> Void) async throws {
        let running = try await RunningHTTPDaemon(registry: registry, address: address, configure: configure,
                                                  waitUntilReady: waitUntilReady)
        do {
            try await body(running)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
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
