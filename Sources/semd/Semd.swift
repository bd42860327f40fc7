// semd: the warm semantic model daemon. Thin: parses flags and the environment into a
// DaemonConfiguration, bootstraps logging, and runs the daemon under swift-service-lifecycle.
import ArgumentParser
import Foundation
import Logging
import SemanticCore
import SemanticDaemon
import SemanticHTTP
import SemanticRuntime
import SemanticService
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

@main
struct Semd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semd",
        abstract: "The warm semantic model daemon: embeddings and rerank scores over a Unix socket.",
        discussion: """
        semd keeps the models resident and answers the cass semantic-daemon protocol v1 (4-byte \
        big-endian length + MessagePack) on a per-user Unix socket. Clients (semctl, SemanticClient) \
        start it on demand; you can also run it yourself in the foreground.

        The socket is owner-only: in a shared directory such as /tmp it is bound inside a private 0700 \
        runtime directory (.<name>.runtime/daemon.sock) and published as a symlink. One daemon runs per \
        socket: a second one exits at once with status 9. The run lock <name>.spawnlock beside the \
        socket carries a heartbeat {"pid","heartbeat_unix_ms"} refreshed every second.

        Environment (flags win):
          SEMD_SOCKET                 socket path (default $TMPDIR/semantic-daemon-$USER.sock, /tmp without TMPDIR)
          SEMD_MODELS_DIR             models directory
          SEMD_MAX_CONNECTIONS        connections served at once (16)
          SEMD_REQUEST_TIMEOUT_SECS   per-request timeout (60)
          SEMD_IDLE_TIMEOUT_SECS      exit after this long without requests (0 = never)
          SEMD_MEMORY_LIMIT           exit gracefully above this resident size (e.g. 2G; 0 = none)
          SEMD_NICE                   niceness added at start (10; 0 = leave)
          SEMD_THREADS                engine threads (all cores)
          SEMD_BATCH_TOKENS           tokens merged into one batch of client requests (16384)
          SEMD_BATCH_WAIT_MS          longest a batch is held open for more requests (2; 0 = never)
          SEMD_BACKGROUND_BATCH_TOKENS  tokens per batch of job work (512); jobs run on one thread
                                      of their own at the lowest CPU priority
          SEMD_LOG_LEVEL              trace|debug|info|notice|warning|error (info)
          SEMD_LOG_MAX_SIZE           cap of the --log-file before it is rotated to <path>.1 (10M)
          XF_DAEMON_SOCKET            xf dialect socket (default /tmp/xf-daemon-$USER.sock)
          SEMD_CASS_DATA_DIR          cass data directory whose attested channel semd serves
          CASS_DAEMON_SOCKET          cass v2 socket for that directory (default: cass's hashed per-directory path)
          OPENBLAS_CORETYPE           OpenBLAS kernel (e.g. Haswell, SkylakeX). Unset: the library's own
                                      choice, or, where it fell back to a generic kernel on a CPU it does
                                      not know, the kernel the CPU supports (switched in place at start)

        cass protocol v2 (attested): with --cass-data-dir DIR (or SEMD_CASS_DATA_DIR) semd also listens on \
        cass's own socket for DIR and signs its embeddings with the key in DIR/daemon/ (created, 0600, when \
        absent), so a current cass accepts them. Each frame's envelope version picks v1 or v2 rules on any \
        cass socket. `semctl status` shows whether the channel is up and why not. See Docs/PROTOCOL.md.

        The xf dialect: semd also answers xf's daemon protocol on xf's socket, so xf and cass share \
        one resident model. Either socket accepts either dialect (the first frame decides). The default \
        xf socket is skipped with a warning when another semd or xf's own daemon serves it; one given \
        with --xf-socket or XF_DAEMON_SOCKET must be served. --no-xf serves cass's socket only.

        User models: --model NAME=DIR serves any sentence-transformers or Hugging Face BERT folder \
        (CLS, mean, max or mean-sqrt-len pooling, prompts from config_sentence_transformers.json) under \
        NAME, besides the models added with `semctl models add` (the models file <models dir>/models.json, \
        re-read when it changes: no restart needed). Each folder is trial-loaded at start; one semd \
        cannot serve stops the start (exit 1) with the reason. Clients select a prompt with the name \
        form NAME:PROMPT (e.g. bge:query). See Docs/MODELS.md.

        HTTP (off by default): --http 127.0.0.1:8088 also serves the same models over HTTP, sharing the \
        batching queue with the socket: OpenAI POST /v1/embeddings, Cohere/TEI POST /v1/rerank, \
        GET /v1/models, GET /health (200 ready, 503 loading) and GET /metrics (Prometheus). Binding a \
        non-loopback address is refused without --api-key-file. See Docs/DEPLOYMENT.md for replicas \
        behind nginx. Environment: SEMD_HTTP, SEMD_HTTP_SOCKET, SEMD_API_KEY_FILE, SEMD_HTTP_MAX_CONCURRENT.

        Signals: SIGTERM and SIGINT stop gracefully (in-flight requests finish, socket removed).
        Exit status: 0 after a clean stop, 1 on a setup failure, 64 on a usage error (EX_USAGE), 9 when another \
        daemon already serves the socket.

        Examples:
          semd                                   # foreground, default socket, log to stderr
          semd --socket /tmp/s.sock --idle-timeout 600 --log-file ~/.cache/semd.log
          semd --log-level debug                 # request ids and timings
          semd --no-xf                           # cass's socket only
          semd --http 127.0.0.1:8088             # plus the HTTP API (OpenAI base URL http://127.0.0.1:8088/v1)
          semd --model bge=~/hf/bge-small-en-v1.5  # also serve a model of your own as `bge` (`bge:query` for its query prompt)
          semd --cass-data-dir ~/.local/share/coding-agent-search   # cass v2's attested channel for cass
          CASS_DAEMON_BINARY=$(command -v semd) cass search ...     # let cass spawn semd (`semd daemon`)
        """,
        version: SemanticCoreInfo.version,
        subcommands: [CassDaemonCommand.self]
    )

    @Option(help: ArgumentHelp("Socket path (default: $SEMD_SOCKET, then $TMPDIR/semantic-daemon-$USER.sock).",
                               valueName: "path")) var socket: String?
    @Option(help: ArgumentHelp(
        "Folder holding one folder per model (default: $SEMD_MODELS_DIR, the Models/ of the repository "
            + "semd was built in, then $XDG_DATA_HOME/semd/models, i.e. ~/.local/share/semd/models).",
        valueName: "dir")) var modelsDir: String?
    @Option(help: "Connections served at once (default 16); one more gets an Overloaded error.") var maxConnections: Int?
    @Option(help: ArgumentHelp("Per-request timeout in seconds (default 60): a request still running then is answered with a Timeout error; its work runs on and is discarded.", valueName: "seconds")) var requestTimeout: Double?
    @Option(help: ArgumentHelp("Disconnect a client silent this long inside a frame or between requests (default 30).",
                               valueName: "seconds")) var readTimeout: Double?
    @Option(help: ArgumentHelp("Exit after this long without requests; 0 = never (default: never, 3600 with --spawned).",
                               valueName: "seconds")) var idleTimeout: Double?
    @Option(help: ArgumentHelp("Exit gracefully when resident memory exceeds this (e.g. 2G).", valueName: "size"))
    var memoryLimit: String?
    @Option(help: "Niceness to add at start, with best-effort I/O priority (default 10; 0 = leave).") var nice: Int32?
    @Option(help: "Engine threads (default: all cores).") var threads: Int?
    @Option(help: ArgumentHelp("Append logs to this file instead of stderr.", valueName: "path")) var logFile: String?
    @Option(help: ArgumentHelp(
        "Cap of the --log-file (default: $SEMD_LOG_MAX_SIZE, then 10M); past it the file is renamed to <path>.1 "
            + "(replacing the previous one) and a new one started.", valueName: "size")) var logMaxSize: String?
    @Option(help: "trace, debug, info, notice, warning, error (default info).") var logLevel: String?
    @Flag(help: "Do not load the reranker at start even when it is installed.") var lazyReranker = false
    @Option(name: .customLong("model"), help: ArgumentHelp(
        "Also serve the sentence-transformers or Hugging Face BERT folder DIR as NAME (repeatable); its kind "
            + "comes from its config. Each is trial-loaded first: a folder semd cannot serve stops the start with the reason.",
        valueName: "name=dir")) var userModels: [String] = []
    @Option(help: ArgumentHelp("Socket of the xf dialect (default /tmp/xf-daemon-$USER.sock).", valueName: "path"))
    var xfSocket: String?
    @Flag(name: .customLong("no-xf"), help: "Do not serve the xf dialect's socket.") var noXF = false
    @Option(help: ArgumentHelp(
        "Serve cass protocol v2's attested channel for this cass data directory (default: $SEMD_CASS_DATA_DIR): "
            + "the key and generation files in DIR/daemon/, and cass's own socket for DIR (see Docs/PROTOCOL.md).",
        valueName: "dir")) var cassDataDir: String?
    @Flag(help: .hidden) var spawned = false
    /// Started by cass as its own daemon (`semd daemon --socket PATH`): the attested channel names PATH.
    @Flag(help: .hidden) var cassSpawned = false
    @OptionGroup(title: "HTTP listener") var httpOptions: HTTPOptions

    func run() async throws {
        // OpenBLAS fell back to a generic kernel on a CPU it does not know: switch it to the kernel the
        // CPU supports, before any other thread starts
        BLASKernelSelection.ensureSelected()
        signal(SIGPIPE, SIG_IGN)
        let levelName = logLevel ?? ProcessInfo.processInfo.environment["SEMD_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ValidationError("unknown log level '\(levelName)'; use trace, debug, info, notice, warning or error")
        }
        var configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.resolve(
                socket: socket, modelsDirectory: modelsDir, maxConnections: maxConnections,
                requestTimeoutSeconds: requestTimeout, readTimeoutSeconds: readTimeout, idleTimeoutSeconds: idleTimeout,
                spawned: spawned, memoryLimit: memoryLimit, niceness: nice, threads: threads,
                xfSocket: xfSocket, noXF: noXF, cassDataDirectory: cassDataDir)
        } catch {
            throw ValidationError(String(describing: error))
        }
        configuration.preloadReranker = !lazyReranker
        configuration.userModels = try CommandLineModels.trialLoaded(userModels, modelsRoot: configuration.modelsRoot)
        if cassSpawned { configuration.cassV2Paths = nil }
        let http = try httpOptions.resolve(readTimeoutSeconds: readTimeout)
        let logBytes: UInt64
        do {
            logBytes = try DaemonLogging.maxLogBytes(flag: logMaxSize)
        } catch {
            throw ValidationError(error.description)
        }
        try DaemonLogging.bootstrap(level: level, file: logFile.map { ($0 as NSString).expandingTildeInPath }, maxBytes: logBytes)
        let logger = Logger(label: "semd")
        let exposition = http == nil ? nil : MetricsExposition()
        let daemon = Daemon(configuration: configuration, metrics: exposition?.daemonMetrics ?? DaemonMetrics(), logger: logger)
        // A graceful stop runs in reverse order: the HTTP listener drains before the daemon stops.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.stoppingTheGroup(DaemonService(daemon: daemon))]
        if let http {
            services.append(.stoppingTheGroup(HTTPListener(configuration: http, daemon: daemon, exposition: exposition,
                                                           logger: logger)))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as ExitCode {
            throw error
        } catch {
            // One line on stderr (the log file, when there is one, gets it too).
            let daemonError = Self.daemonError(in: error)
            let message = daemonError.map(String.init(describing:)) ?? String(describing: error)
            if logFile != nil { logger.error("\(message)") }
            FileHandle.standardError.write(Data("semd: \(message)\n".utf8))
            if case .alreadyRunning = daemonError { throw ExitCode(9) }
            throw ExitCode(1)
        }
    }

    /// ServiceGroup wraps a service's error; find the daemon's own.
    static func daemonError(in error: any Error) -> DaemonError? {
        if let error = error as? DaemonError { return error }
        let mirror = Mirror(reflecting: error)
        for child in mirror.children {
            if let inner = child.value as? any Error, let found = daemonError(in: inner) { return found }
        }
        return nil
    }
}

/// `semd daemon --socket PATH [--data-dir DIR]`: the command line cass uses to start its own daemon,
/// so a cass user can point `CASS_DAEMON_BINARY` at semd and let cass spawn it. It runs semd on PATH
/// with the attested channel for DIR (cass's default data directory when absent), as a spawned daemon
/// (idle timeout one hour unless given).
struct CassDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run as cass starts its daemon (CASS_DAEMON_BINARY=semd): cass protocol v2 on --socket for --data-dir.",
        discussion: """
        cass spawns `<binary> daemon --socket PATH [--data-dir DIR]`. semd then serves PATH (cass v1, cass v2 \
        with the attested channel for DIR, and xf frames), plus xf's default socket, and exits after an hour \
        without requests. DIR defaults to cass's own default: $CASS_DATA_DIR, $XDG_DATA_HOME/coding-agent-search, \
        ~/.local/share/coding-agent-search. semd's other options (--idle-timeout, --max-connections, \
        --log-file, ...) apply too.
        """
    )

    /// The options cass passes that semd itself takes (`--socket`, `--idle-timeout`, `--max-connections`).
    @ParentCommand var semd: Semd
    @Option(help: ArgumentHelp("cass's data directory (key and generation files in DIR/daemon/).", valueName: "dir"))
    var dataDir: String?

    func run() async throws {
        guard semd.socket != nil else { throw ValidationError("cass passes the socket: semd daemon --socket PATH [--data-dir DIR]") }
        let environment = ProcessInfo.processInfo.environment
        let directory = dataDir ?? DaemonConfiguration.defaultCassDataDirectory(environment: environment)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        var daemon = semd
        daemon.cassDataDir = directory
        daemon.spawned = true
        daemon.cassSpawned = true
        try await daemon.run()
    }
}
