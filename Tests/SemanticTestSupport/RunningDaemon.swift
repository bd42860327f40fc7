// The in-process daemon of every test that runs one: built in one place (`makeDaemon`), serving the
// tiny golden models on `d.sock` in a private temporary directory, run the way semd runs it (one
// ServiceGroup, the daemon first, companions such as the HTTP listener stopped first), waited for on
// an event (its log: the daemon logs once its sockets are bound and once its models are warm, and the
// harness checks readiness again at every line), and stopped, awaited and removed afterwards, also
// when the test fails, with the daemon's log printed then. It must never sleep to wait, and never
// leave a daemon running past its test. (`DaemonProcess` is the harness for a `semd` subprocess.)
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticDaemon
import SemanticRuntime
import SemanticService
import SemanticWire
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class RunningDaemon: Sendable {
    /// What the harness waits for before it hands the daemon to a test.
    public enum Readiness: Sendable {
        /// Its sockets are bound (a daemon serving another user answers none of our requests).
        case listening
        /// Its default embedder is loaded: Health says ready, and requests are served at once.
        case ready
    }

    public let daemon: Daemon
    public let scratch: TemporaryDirectory
    public let log: CapturedLog
    /// Runs the service group; ends when the daemon stops (after `stop()`, or a Shutdown request).
    public let task: Task<Void, Error>
    private let group: ServiceGroup
    private let ending = Ending()

    public var configuration: DaemonConfiguration { daemon.configuration }
    public var socket: String { configuration.paths.socket }
    /// The xf socket, for a daemon configured with one.
    public var xfSocket: String { configuration.xfPaths!.socket }
    public var service: InferenceService { daemon.service }

    /// The tiny golden models: the embedder and the reranker every test daemon serves unless told otherwise.
    public static let tinyRegistry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker])
    public static var goldenModels: URL { Fixtures.url("goldens") }

    // MARK: Construction

    /// The one place a test daemon is constructed: when Daemon's initialiser changes, change this.
    public static func makeDaemon(configuration: DaemonConfiguration, registry: ModelRegistry = tinyRegistry,
                                  metrics: DaemonMetrics = DaemonMetrics(), logger: Logger) -> Daemon {
        Daemon(configuration: configuration, registry: registry, metrics: metrics, logger: logger)
    }

    /// A daemon's configuration for `d.sock` in `scratch`, serving the models under `modelsRoot` at the
    /// test's own priority.
    public static func configuration(in scratch: TemporaryDirectory, modelsRoot: URL = goldenModels) -> DaemonConfiguration {
        var configuration = DaemonConfiguration(paths: DaemonPaths(socket: scratch.path("d.sock").path),
                                                modelsRoot: ModelsRoot(url: modelsRoot, source: .flag))
        configuration.niceness = 0
        return configuration
    }

    // MARK: Starting

    /// Starts a daemon serving `registry` from `modelsRoot` in a fresh private directory, configured
    /// by `configure`, and returns once it is `readiness`.
    public convenience init(registry: ModelRegistry = tinyRegistry, modelsRoot: URL = goldenModels,
                            sharedParent: Bool = false, log: CapturedLog = CapturedLog(), readiness: Readiness = .ready,
                            configure: (inout DaemonConfiguration) -> Void = { _ in }) async throws {
        let scratch = try TemporaryDirectory.forDaemon(sharedParent: sharedParent)
        var configuration = Self.configuration(in: scratch, modelsRoot: modelsRoot)
        configure(&configuration)
        let daemon = Self.makeDaemon(configuration: configuration, registry: registry, logger: log.logger)
        try await self.init(serving: daemon, in: scratch, log: log, readiness: readiness)
    }

    /// Runs `daemon` (from `makeDaemon`, its files in `scratch`, logging to `log`) with `companions`,
    /// and returns once it is `readiness` and `alsoReadyWhen` holds (checked at every line `log`
    /// gets). If it stops or fails first, or is not ready within fifteen minutes (in a full run on two
    /// cores, CPU-bound tests can hold the concurrency pool, and so the daemon, for minutes), the
    /// daemon is stopped, `scratch` removed, and the error carries the log.
    public init(serving daemon: Daemon, in scratch: TemporaryDirectory, log: CapturedLog,
                companions: [any Service] = [], readiness: Readiness = .ready,
                alsoReadyWhen: @escaping @Sendable () -> Bool = { true }) async throws {
        self.daemon = daemon
        self.scratch = scratch
        self.log = log
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: ([DaemonService(daemon: daemon)] + companions).map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            logger: log.logger))
        let group = self.group
        task = Task { try await group.run() }
        // The end of the group is an event too: it fails the wait below at once.
        let (task, ending) = (self.task, self.ending)
        Task {
            switch await task.result {
            case .success: ending.record("the daemon stopped before it was ready")
            case .failure(let error): ending.record("the daemon stopped before it was ready: \(error)")
            }
            log.recheck()
        }
        let configuration = daemon.configuration
        do {
            try await log.waitUntil("the daemon became \(readiness)", within: .seconds(900)) {
                if let ended = ending.reason { throw HarnessError.stopped(ended, log: log.text) }
                guard Self.socketsAreBound(configuration), alsoReadyWhen() else { return false }
                return readiness == .listening || Self.defaultModelIsLoaded(daemon)
            }
        } catch {
            await stop()
            throw error
        }
    }

    /// Starts a daemon as `init` does, runs `body` with it, and stops it afterwards whatever happened;
    /// when `body` throws, the daemon's log is printed before the error goes on.
    public static func with<T>(registry: ModelRegistry = tinyRegistry, modelsRoot: URL = goldenModels,
                               sharedParent: Bool = false, log: CapturedLog = CapturedLog(), readiness: Readiness = .ready,
                               configure: (inout DaemonConfiguration) -> Void = { _ in },
                               _ body: (RunningDaemon) async throws -> T) async throws -> T {
        let running = try await RunningDaemon(registry: registry, modelsRoot: modelsRoot, sharedParent: sharedParent,
                                              log: log, readiness: readiness, configure: configure)
        return try await running.run(body)
    }

    /// Runs `body` with this daemon, then stops it whatever happened (printing its log if `body` threw).
    public func run<T>(_ body: (RunningDaemon) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await stop()
            return result
        } catch {
            FileHandle.standardError.write(Data("the test failed with \(error); \(log.label)'s log:\n\(log.text)\n".utf8))
            await stop()
            throw error
        }
    }

    // MARK: Readiness

    /// Whether the daemon's sockets are there: cass's, and xf's when the daemon must serve it.
    static func socketsAreBound(_ configuration: DaemonConfiguration) -> Bool {
        guard FileManager.default.fileExists(atPath: configuration.paths.socket) else { return false }
        guard let xf = configuration.xfPaths, configuration.xfSocketRequired else { return true }
        return FileManager.default.fileExists(atPath: xf.socket)
    }

    /// Health's `ready`, read in-process.
    static func defaultModelIsLoaded(_ daemon: Daemon) -> Bool { daemon.service.models.isReady }

    /// Waits until `condition` holds, checked again at every line the daemon logs (for a state the
    /// daemon announces in its log, such as a model load ending).
    public func waitUntil(_ what: String, within timeout: Duration = .seconds(900), fileID: String = #fileID,
                          line: Int = #line, _ condition: () throws -> Bool) async throws {
        try await log.waitUntil(what, within: timeout, fileID: fileID, line: line, condition)
    }

    // MARK: Using and stopping

    /// A fresh connection whose calls run off the concurrency pool.
    public func connect() async throws -> AsyncConnection { try await AsyncConnection(socketPath: socket) }

    /// A client configuration for this daemon: the tiny models, no spawning, short retry delays.
    public func clientConfiguration(policy: ServingPolicy = .daemonThenInProcess) -> ClientConfiguration {
        Self.clientConfiguration(socket: socket, policy: policy)
    }

    /// A client configuration for `socket` with the tiny models, no spawning and no retry delays to speak of.
    public static func clientConfiguration(socket: String, policy: ServingPolicy = .daemonThenInProcess,
                                           registry: ModelRegistry = tinyRegistry) -> ClientConfiguration {
        var configuration = ClientConfiguration(paths: DaemonPaths(socket: socket),
                                                modelsRoot: ModelsRoot(url: goldenModels, source: .flag))
        configuration.registry = registry
        configuration.policy = policy
        configuration.spawnDaemon = false
        configuration.inProcessThreads = 1
        configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20), jitter: 0)
        configuration.requestTimeout = .seconds(60)
        return configuration
    }

    /// Stops the daemon gracefully (companions first), waits until it has ended and removes its
    /// directory. Safe to call again, and after the daemon stopped by itself.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        scratch.remove()
    }
}

/// How the daemon's service group ended, once it has.
private final class Ending: Sendable {
    private let value = Mutex<String?>(nil)
    func record(_ reason: String) { value.withLock { $0 = reason } }
    var reason: String? { value.withLock { $0 } }
}

public enum HarnessError: Error, CustomStringConvertible {
    case stopped(String, log: String)

    public var description: String {
        switch self {
        case .stopped(let what, let log): return "\(what)\nits log:\n\(log)"
        }
    }
}

/// A DaemonConnection whose blocking calls run on a thread of their own, so the test never ties up the
/// concurrency pool the in-process daemon needs to answer it.
public final class AsyncConnection: Sendable {
    package let connection: DaemonConnection

    public init(socketPath: String) async throws {
        connection = try await offPool { try DaemonConnection(socketPath: socketPath) }
    }

    public func send(_ request: Request, timeout: Duration? = nil) async throws -> ResponseEnvelope {
        let connection = self.connection
        return try await offPool { try connection.send(request, timeout: timeout) }
    }

    public func sendRaw(_ bytes: [UInt8]) async throws -> ResponseEnvelope {
        let connection = self.connection
        // Patient (DaemonConnection.sendRaw's own default is 5 s): a sanitizer build on a loaded
        // machine can take longer than that to answer.
        return try await offPool { try connection.sendRaw(bytes, timeout: .seconds(600)) }
    }

    public func close() { connection.close() }
}
