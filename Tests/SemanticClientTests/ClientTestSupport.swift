// Test daemons for the client: the real daemon serving the tiny golden models in this process, and a
// scripted fake that answers (or hangs up on) each request as a test says, to provoke failures.
// Blocking client calls run off the concurrency pool (`offPool`), which in-process daemons need to
// answer, and return what they saw: expectations are checked back in the test's task.
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticDaemon
import SemanticRuntime
import SemanticService
import SemanticTestSupport
import SemanticWire
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let tinyRegistry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker])
let tinyModelsRoot = ModelsRoot(url: Fixtures.url("goldens"), source: .flag)

/// A client configuration for `socket` with the tiny models, no spawning and no retry delays to speak of.
func tinyConfiguration(socket: String, policy: ServingPolicy = .daemonThenInProcess) -> ClientConfiguration {
    var configuration = ClientConfiguration(paths: DaemonPaths(socket: socket), modelsRoot: tinyModelsRoot)
    configuration.registry = tinyRegistry
    configuration.policy = policy
    configuration.spawnDaemon = false
    configuration.inProcessThreads = 1
    configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20), jitter: 0)
    configuration.requestTimeout = .seconds(60)
    return configuration
}

/// The real daemon with the tiny models on a temporary socket, in this process.
final class TinyDaemon: Sendable {
    let daemon: Daemon
    let scratch: TemporaryDirectory
    let task: Task<Void, Error>
    var socket: String { daemon.configuration.paths.socket }
    var service: InferenceService { daemon.service }

    init(scratch existing: TemporaryDirectory? = nil) async throws {
        scratch = try existing ?? TemporaryDirectory(prefix: "semd-client")
        var configuration = DaemonConfiguration(paths: DaemonPaths(socket: scratch.path("d.sock").path),
                                                modelsRoot: tinyModelsRoot)
        configuration.niceness = 0
        configuration.threads = 1
        var logger = Logger(label: "semd-client-test")
        logger.logLevel = .warning
        let daemon = Daemon(configuration: configuration, registry: tinyRegistry, logger: logger)
        self.daemon = daemon
        task = Task { try await daemon.run() }
        let socket = configuration.paths.socket
        let ready = try await offPool { () -> Bool in
            // Long: in a full test run, heavy synchronous tests can hold the concurrency pool the daemon
            // needs for minutes on a 2-core machine.
            let deadline = ContinuousClock.now + .seconds(900)
            while ContinuousClock.now < deadline {
                if let connection = try? DaemonConnection(socketPath: socket),
                   case .health(let health)? = try? connection.send(.health).response, health.ready { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return false
        }
        if !ready {
            daemon.requestStop(reason: "never became ready")
            _ = try? await task.value
            scratch.remove()
            throw FixtureError.malformed("the tiny daemon did not become ready")
        }
    }

    func stop(keepScratch: Bool = false) async {
        daemon.requestStop(reason: "test finished")
        _ = try? await task.value
        if !keepScratch { scratch.remove() }
    }
}

/// A fake daemon: accepts connections on a real socket and lets `script` decide, per request, what to
/// do. Serves one connection at a time on a thread of its own.
final class FakeDaemon: @unchecked Sendable {
    enum Action: Sendable {
        case answer(Response)
        /// Close the connection without answering (a daemon dying mid-request).
        case hangUp
        /// Answer, then close the connection (a daemon closing an idle connection).
        case answerThenClose(Response)
    }

    let scratch: TemporaryDirectory
    let bound: BoundSocket
    private let script: @Sendable (Request, Int) -> Action
    private let state = Mutex<(requests: [String], connections: Int, open: Int32)>(([], 0, -1))
    private let done = DispatchSemaphore(value: 0)

    var socket: String { bound.publicPath }
    var requestIDs: [String] { state.withLock { $0.requests } }
    var connections: Int { state.withLock { $0.connections } }

    init(script: @escaping @Sendable (Request, Int) -> Action) throws {
        scratch = try TemporaryDirectory(prefix: "semd-fake")
        bound = try OwnerOnlySocket.bind(DaemonPaths(socket: scratch.path("f.sock").path))
        self.script = script
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        defer { done.signal() }
        while true {
            let client = accept(bound.descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            state.withLock {
                $0.connections += 1
                $0.open = client
            }
            handle(client)
            state.withLock {
                $0.open = -1
                close(client)
            }
        }
    }

    private func handle(_ client: Int32) {
        while true {
            guard let header = read(client, count: 4), let length = try? Frame.bodyLength(header: header),
                  let body = read(client, count: length),
                  let envelope = try? RequestEnvelope.decode(from: body) else { return }
            let number = state.withLock { state -> Int in
                state.requests.append(envelope.requestID)
                return state.requests.count
            }
            switch script(envelope.request, number) {
            case .hangUp:
                return
            case .answer(let response):
                guard write(client, ResponseEnvelope(requestID: envelope.requestID, response: response)) else { return }
            case .answerThenClose(let response):
                _ = write(client, ResponseEnvelope(requestID: envelope.requestID, response: response))
                return
            }
        }
    }

    private func read(_ descriptor: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + offset, count - offset, 0) }
            if received <= 0 { return nil }
            offset += received
        }
        return buffer
    }

    private func write(_ descriptor: Int32, _ envelope: ResponseEnvelope) -> Bool {
        guard let frame = try? envelope.encodedFrame() else { return false }
        return frame.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == frame.count
    }

    func stop() {
        // Wake the server thread wherever it waits: in accept, or reading a client that is still open.
        state.withLock { if $0.open >= 0 { shutdown($0.open, Int32(SHUT_RDWR)) } }
        shutdown(bound.descriptor, Int32(SHUT_RDWR))
        close(bound.descriptor)
        _ = done.wait(timeout: .now() + 5)
        OwnerOnlySocket.cleanUp(bound)
        scratch.remove()
    }
}
