// How a daemon runs: one documented Sendable value with defaults, built from flags and environment
// variables in one place (`resolve`). Flags win over the environment, the environment over defaults.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticService

public struct DaemonConfiguration: Sendable {
    /// The public socket path and the lock files beside it.
    public var paths: DaemonPaths
    /// Where the models are (`--models-dir`, `SEMD_MODELS_DIR`, the repository's Models/, XDG data).
    public var modelsRoot: ModelsRoot
    /// Connections served at once; one more gets an `Overloaded` error frame and is closed.
    public var maxConnections: Int = 16
    /// How long a listener stops accepting after a refusal (unless a slot frees first): connections
    /// wait in the kernel's backlog meanwhile, so clients reconnecting without backoff cost at most a
    /// few refusals per pause. Not a flag.
    public var refusalPause: Duration = .milliseconds(100)
    /// One summary line per kind of repeated warning (refusals, bad frames, timeouts) per this
    /// interval; the first of a kind after a quiet interval is logged in full. Not a flag.
    public var repeatedWarningInterval: Duration = .seconds(10)
    /// Longest time one request may take from decoded to answered (`Timeout` error after it).
    public var requestTimeout: Duration = .seconds(60)
    /// Longest silence inside a frame (a client that sends half a frame and stalls) or between two
    /// requests on an open connection before the daemon closes it.
    public var readTimeout: Duration = .seconds(30)
    /// Exit after this long without any request (nil = never).
    public var idleTimeout: Duration?
    /// Exit gracefully when the resident set grows past this many bytes (nil = no limit).
    public var memoryLimit: UInt64?
    /// Added niceness on start (0 = leave it); I/O priority is set to best-effort at the same time.
    public var niceness: Int32 = 10
    /// Engine threads (default: every core).
    public var threads: Int?
    /// Tokens merged into one interactive inference batch.
    public var maxBatchTokens: Int = 16_384
    /// How long the scheduler may hold a batch open for more requests (announced ones, or the clients
    /// of the last merged batch coming back); 0 runs every batch at once.
    public var maxBatchWait: Duration = .milliseconds(2)
    /// Tokens in one batch of background (job) work, which runs on the scheduler's low-priority lane:
    /// bounds a job's scratch memory and how long it holds a core; larger gives bigger GEMMs.
    public var backgroundBatchTokens: Int = InferenceSchedulerConfiguration().maxBackgroundBatchTokens
    /// Load (and warm up) the reranker at start when it is installed; otherwise on first use.
    public var preloadReranker = true
    /// The xf dialect's socket (`--xf-socket`, `XF_DAEMON_SOCKET`, `/tmp/xf-daemon-<user>.sock`);
    /// nil serves cass's socket only (`--no-xf`, and the default of `init`).
    public var xfPaths: DaemonPaths?
    /// True when the xf socket was chosen explicitly: failing to serve it then stops the start;
    /// xf's default path is served when it can be and skipped with a warning otherwise.
    public var xfSocketRequired = false
    /// The cass data directory whose cass v2 attested channel semd serves (`--cass-data-dir`,
    /// `SEMD_CASS_DATA_DIR`, or `semd daemon --data-dir` as cass spawns it); nil serves none.
    public var cassDataDirectory: String?
    /// The cass v2 socket of that data directory when it is not `paths` itself (cass spawned semd on
    /// it): semd listens there too, and the attested identity names it.
    public var cassV2Paths: DaemonPaths?
    /// Models served under a name of the user's (`semd --model NAME=DIR`), besides semd's own and the
    /// models file's (`<models root>/models.json`, which `semctl models add` writes and the daemon
    /// re-reads when it changes). `semd` trial-loads each before it starts.
    public var userModels: [UserModelEntry] = []
    /// Follow the models file of `modelsRoot` (default); false serves semd's own and `userModels` only.
    public var followsModelsFile = true
    /// The one user served on the sockets (SO_PEERCRED): the daemon's own. Not a flag: tests set
    /// another uid to see their own connections refused.
    var servedUserID: UInt32 = getuid()

    public init(paths: DaemonPaths, modelsRoot: ModelsRoot) {
        self.paths = paths
        self.modelsRoot = modelsRoot
    }

    /// Idle timeout of a daemon spawned by a client when neither a flag nor the environment says.
    public static let spawnedIdleTimeout: Duration = .seconds(3600)

    /// Builds the configuration from command-line values (nil = not given) and the environment:
    /// `SEMD_SOCKET`, `SEMD_MODELS_DIR`, `SEMD_MAX_CONNECTIONS`, `SEMD_REQUEST_TIMEOUT_SECS`,
    /// `SEMD_IDLE_TIMEOUT_SECS`, `SEMD_MEMORY_LIMIT`, `SEMD_NICE`, `SEMD_THREADS`,
    /// `SEMD_BATCH_TOKENS`, `SEMD_BATCH_WAIT_MS`, `SEMD_BACKGROUND_BATCH_TOKENS`, `XF_DAEMON_SOCKET`.
    /// A malformed environment value is reported, not silently ignored.
    public static func resolve(
        socket: String? = nil,
        modelsDirectory: String? = nil,
        maxConnections: Int? = nil,
        requestTimeoutSeconds: Double? = nil,
        readTimeoutSeconds: Double? = nil,
        idleTimeoutSeconds: Double? = nil,
        spawned: Bool = false,
        memoryLimit: String? = nil,
        niceness: Int32? = nil,
        threads: Int? = nil,
        xfSocket: String? = nil,
        noXF: Bool = false,
        cassDataDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String? = CommandLine.arguments.first
    ) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration(
            paths: DaemonPaths.resolve(explicitSocket: socket, environment: environment),
            modelsRoot: ModelsRoot.resolve(explicitDirectory: modelsDirectory, environment: environment,
                                           executablePath: executablePath))
        func number(_ name: String) throws -> Double? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Double(text), value >= 0, value.isFinite else {
                throw ConfigurationError.invalid(name: name, value: text, expected: "a non-negative number")
            }
            return value
        }
        if let value = try maxConnections.map({ Double($0) }) ?? number("SEMD_MAX_CONNECTIONS") {
            guard value >= 1 else { throw ConfigurationError.invalid(name: "max connections", value: "\(value)", expected: "at least 1") }
            configuration.maxConnections = Int(value)
        }
        if let seconds = try requestTimeoutSeconds ?? number("SEMD_REQUEST_TIMEOUT_SECS"), seconds > 0 {
            configuration.requestTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = readTimeoutSeconds, seconds > 0 {
            configuration.readTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = try idleTimeoutSeconds ?? number("SEMD_IDLE_TIMEOUT_SECS") {
            configuration.idleTimeout = seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
        } else if spawned {
            configuration.idleTimeout = spawnedIdleTimeout
        }
        if let text = memoryLimit ?? environment["SEMD_MEMORY_LIMIT"], !text.isEmpty {
            guard let bytes = parseByteSize(text) else {
                throw ConfigurationError.invalid(name: "memory limit", value: text, expected: "a size such as 512M, 2G or 1500000000 (0 = none)")
            }
            configuration.memoryLimit = bytes > 0 ? bytes : nil
        }
        if let value = try niceness.map({ Double($0) }) ?? number("SEMD_NICE") {
            configuration.niceness = Int32(min(value, 19))
        }
        if let value = try threads.map({ Double($0) }) ?? number("SEMD_THREADS"), value >= 1 {
            configuration.threads = Int(value)
        }
        if let value = try number("SEMD_BATCH_TOKENS") {
            guard value >= 1 else {
                throw ConfigurationError.invalid(name: "SEMD_BATCH_TOKENS", value: "\(value)", expected: "at least 1")
            }
            configuration.maxBatchTokens = Int(value)
        }
        if let value = try number("SEMD_BATCH_WAIT_MS") {
            guard (0...1000).contains(value) else {
                throw ConfigurationError.invalid(name: "SEMD_BATCH_WAIT_MS", value: "\(value)", expected: "0 to 1000 milliseconds")
            }
            configuration.maxBatchWait = .microseconds(Int64(value * 1000))
        }
        if let value = try number("SEMD_BACKGROUND_BATCH_TOKENS") {
            guard value >= 1 else {
                throw ConfigurationError.invalid(name: "SEMD_BACKGROUND_BATCH_TOKENS", value: "\(value)", expected: "at least 1")
            }
            configuration.backgroundBatchTokens = Int(value)
        }
        try configuration.resolveXFSocket(explicit: xfSocket, disabled: noXF, environment: environment)
        try configuration.resolveCassChannel(dataDirectory: cassDataDirectory, environment: environment)
        return configuration
    }

    /// "512M", "2G", "1.5GiB", "1000000" (bytes). Units are powers of 1024.
    public static func parseByteSize(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let kibi = 1024.0, mebi = kibi * 1024, gibi = mebi * 1024
        let units: [(String, Double)] = [("GIB", gibi), ("MIB", mebi), ("KIB", kibi), ("GB", gibi), ("MB", mebi),
                                         ("KB", kibi), ("G", gibi), ("M", mebi), ("K", kibi), ("B", 1)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)),
                  value >= 0, value.isFinite else { return nil }
            return UInt64(value * scale)
        }
        guard let value = UInt64(trimmed) else { return nil }
        return value
    }
}

public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .invalid(let name, let value, let expected):
            return "invalid \(name) '\(value)': expected \(expected)"
        }
    }
}
