// How a SemanticClient reaches a daemon and what it does when there is none: one documented Sendable
// value with defaults, built from explicit values and the environment in one place (`resolve`).
// Explicit values win over the environment, the environment over the defaults. Pure: reads no files.
import Foundation
import SemanticCore
import SemanticRuntime

/// Where requests may be served.
public enum ServingPolicy: String, Sendable, Equatable {
    /// The daemon first (spawned when allowed), the in-process engine when the daemon cannot answer.
    case daemonThenInProcess
    /// The daemon only: no daemon is an error (`ClientError.unavailable`), never a silent fallback.
    case daemonOnly
    /// The in-process engine only: no socket is touched.
    case inProcessOnly
}

public struct ClientConfiguration: Sendable {
    /// The public socket path and the lock and log files beside it (`SEMD_SOCKET`, else the default).
    public var paths: DaemonPaths
    /// The models root the in-process engine loads from (`--models-dir`, `SEMD_MODELS_DIR`, the
    /// repository's Models/, XDG data), the same resolution the daemon uses.
    public var modelsRoot: ModelsRoot
    /// The models the in-process engine knows by name.
    public var registry: ModelRegistry = .standard
    /// Daemon first, daemon only, or in-process only (`SEMD_NO_DAEMON=1` → in-process only).
    public var policy: ServingPolicy = .daemonThenInProcess
    /// Start a daemon when none answers (`SEMD_NO_SPAWN=1` turns it off).
    public var spawnDaemon = true
    /// The `semd` to start; nil finds it beside the running executable, then on `PATH`
    /// (`SEMD_DAEMON_BINARY` sets it).
    public var daemonExecutable: String?
    /// Longest wait for a connection to be accepted (`SEMD_CONNECT_TIMEOUT_MS`; default 2 s).
    public var connectTimeout: Duration = .seconds(2)
    /// Longest wait for one answer (`SEMD_REQUEST_TIMEOUT_MS`; default 30 s).
    public var requestTimeout: Duration = .seconds(30)
    /// Longest wait for a spawned daemon's socket to accept connections: `max(connectTimeout, 5 s)`
    /// by default (`SEMD_SPAWN_TIMEOUT_MS`).
    public var spawnTimeout: Duration = .seconds(5)
    /// Longest wait for another client that is spawning the daemon (the spawn guard).
    public var spawnGuardTimeout: Duration = .seconds(15)
    /// Retries of requests that reached a daemon and failed retryably.
    public var retry: RetryPolicy = .init()
    /// Texts (or documents) per request when a call carries many; keeps each frame far below 10 MiB.
    public var batchSize: Int = 256
    /// Engine threads for in-process inference (nil: every core, as the daemon uses).
    public var inProcessThreads: Int?

    public init(paths: DaemonPaths, modelsRoot: ModelsRoot) {
        self.paths = paths
        self.modelsRoot = modelsRoot
    }

    /// The `--models-dir` to hand a spawned daemon: only a directory chosen explicitly. An environment
    /// choice travels in the inherited environment and the repository choice is found by semd itself.
    public var modelsDirectoryForDaemon: String? {
        modelsRoot.source == .flag ? modelsRoot.url.path : nil
    }

    /// Builds a configuration from explicit values (nil = not given) and the environment:
    /// `SEMD_SOCKET`, `SEMD_MODELS_DIR`, `SEMD_NO_DAEMON=1`, `SEMD_NO_SPAWN=1`, `SEMD_DAEMON_BINARY`,
    /// `SEMD_CONNECT_TIMEOUT_MS`, `SEMD_REQUEST_TIMEOUT_MS`, `SEMD_SPAWN_TIMEOUT_MS` and the retry
    /// variables of `RetryPolicy.resolve`. A flag that forbids something wins over the environment;
    /// `noFallback` with `SEMD_NO_DAEMON=1` is a contradiction and reported.
    public static func resolve(
        socket: String? = nil,
        modelsDirectory: String? = nil,
        noDaemon: Bool = false,
        noSpawn: Bool = false,
        noFallback: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String? = CommandLine.arguments.first
    ) throws(ClientConfigurationError) -> ClientConfiguration {
        var configuration = ClientConfiguration(
            paths: DaemonPaths.resolve(explicitSocket: socket, environment: environment),
            modelsRoot: ModelsRoot.resolve(explicitDirectory: modelsDirectory, environment: environment,
                                           executablePath: executablePath))
        let daemonDisabled = try flag("SEMD_NO_DAEMON", environment) || noDaemon
        if noFallback && daemonDisabled {
            throw .contradiction(noDaemon
                ? "--no-daemon and --no-fallback contradict each other"
                : "--no-fallback needs the daemon, but SEMD_NO_DAEMON=1 forbids it; unset SEMD_NO_DAEMON")
        }
        configuration.policy = daemonDisabled ? .inProcessOnly : (noFallback ? .daemonOnly : .daemonThenInProcess)
        let spawnDisabled = try flag("SEMD_NO_SPAWN", environment)
        configuration.spawnDaemon = !(noSpawn || spawnDisabled)
        if let binary = environment["SEMD_DAEMON_BINARY"], !binary.isEmpty {
            configuration.daemonExecutable = binary
        }
        if let value = try milliseconds("SEMD_CONNECT_TIMEOUT_MS", environment) { configuration.connectTimeout = value }
        if let value = try milliseconds("SEMD_REQUEST_TIMEOUT_MS", environment) { configuration.requestTimeout = value }
        configuration.spawnTimeout = try milliseconds("SEMD_SPAWN_TIMEOUT_MS", environment)
            ?? max(configuration.connectTimeout, .seconds(5))
        configuration.retry = try RetryPolicy.resolve(environment: environment)
        return configuration
    }

    /// `1`, `true`, `yes`, `on` (any case) → true; `0`, `false`, `no`, `off`, empty or unset → false.
    static func flag(_ name: String, _ environment: [String: String]) throws(ClientConfigurationError) -> Bool {
        guard let raw = environment[name] else { return false }
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "", "0", "false", "no", "off": return false
        default: throw .invalid(name: name, value: raw, expected: "1 or 0")
        }
    }

    static func milliseconds(_ name: String, _ environment: [String: String]) throws(ClientConfigurationError) -> Duration? {
        guard let raw = environment[name], !raw.isEmpty else { return nil }
        guard let value = Int64(raw.trimmingCharacters(in: .whitespaces)), value >= 1 else {
            throw .invalid(name: name, value: raw, expected: "a whole number of milliseconds, at least 1")
        }
        return .milliseconds(value)
    }
}

public enum ClientConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(name: String, value: String, expected: String)
    case contradiction(String)

    public var description: String {
        switch self {
        case .invalid(let name, let value, let expected): return "invalid \(name) '\(value)': expected \(expected)"
        case .contradiction(let message): return message
        }
    }
}
