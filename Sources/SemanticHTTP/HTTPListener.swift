// The HTTP listener as a swift-service-lifecycle Service: a Hummingbird application serving
// `SemanticAPI` on a TCP address or an owner-only Unix socket. A graceful shutdown stops accepting
// and lets the requests in flight finish. Runs beside the daemon's Unix socket and shares its models;
// it owns nothing of the daemon's life (run lock, watch loop), which `Daemon` keeps.
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SemanticDaemon
import SemanticService
import SemanticRuntime
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class HTTPListener: Service, Sendable {
    public let configuration: HTTPConfiguration
    let api: SemanticAPI
    let logger: Logger
    /// Repeated warnings (other users' connections), bounded: the daemon's own when it has one.
    let warnings: RepeatedWarnings
    private let bound = Mutex<String?>(nil)
    private let boundPort = Mutex<Int?>(nil)
    /// Connections on the Unix socket closed unread because their peer was not `servedUserID`.
    public let refusedPeers = Atomic<Int>(0)

    /// Serves `service` over HTTP (its ledger hears of every request, for the idle timeout and the
    /// metrics); `exposition` answers /metrics (nil: /metrics is 404).
    public init(configuration: HTTPConfiguration, service: InferenceService, exposition: MetricsExposition?, logger: Logger,
                warnings: RepeatedWarnings? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.warnings = warnings ?? RepeatedWarnings(logger: logger)
        api = SemanticAPI(service: service, configuration: configuration,
                          admission: Admission(limit: configuration.maxConcurrentRequests,
                                               retryAfterSeconds: configuration.retryAfterSeconds, ledger: service.ledger),
                          exposition: exposition)
    }

    public convenience init(configuration: HTTPConfiguration, daemon: Daemon, exposition: MetricsExposition?, logger: Logger) {
        self.init(configuration: configuration, service: daemon.service, exposition: exposition, logger: logger,
                  warnings: daemon.repeatedWarnings)
    }

    /// The TCP port actually bound (useful with port 0), once listening.
    public var port: Int? { boundPort.withLock { $0 } }

    /// Where the listener serves, once listening (`http://127.0.0.1:8088`).
    public var url: String? { bound.withLock { $0 } }

    public func run() async throws {
        let address: BindAddress
        switch configuration.address {
        case .tcp(let host, let port):
            address = .hostname(host, port: port)
        case .unixSocket(let path):
            try Self.prepareSocketPath(path)
            address = .unixDomainSocket(path: path)
        }
        let configuration = self.configuration
        let logger = self.logger
        // On a Unix socket, the same SO_PEERCRED check as the daemon's own sockets (a TCP peer has no
        // user; the API key and the loopback rule guard TCP).
        let gated: Bool
        if case .unixSocket = configuration.address { gated = true } else { gated = false }
        let servedUserID = configuration.servedUserID
        let peerGate: @Sendable () -> [any RemovableChannelHandler] = { [self] in
            guard gated else { return [] }
            return [PeerGate(servedUserID: servedUserID) { reason in
                self.refusedPeers.wrappingAdd(1, ordering: .relaxed)
                self.warnings.record(.refusedPeer, at: "HTTP socket", "refused a connection on the HTTP socket: \(reason)")
            }]
        }
        // Hummingbird's own per-connection chatter stays below notice; the listener logs what matters.
        var hummingbirdLogger = logger
        hummingbirdLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            responder: api,
            server: .http1(configuration: .init(additionalChannelHandlers: peerGate(),
                                                idleTimeout: TimeAmount(configuration.readTimeout))),
            configuration: ApplicationConfiguration(
                address: address, serverName: "semd", backlog: 256,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            onServerRunning: { [self] channel in
                let location: String
                switch configuration.address {
                case .tcp(let host, let port):
                    let actual = channel.localAddress?.port ?? port
                    boundPort.withLock { $0 = actual }
                    location = HTTPConfiguration.Address.tcp(host: host, port: actual).description
                case .unixSocket(let path):
                    chmod(path, 0o600)
                    location = configuration.address.description
                }
                bound.withLock { $0 = location }
                logger.info("HTTP listening on \(location) (POST /v1/embeddings, POST /v1/rerank, GET /v1/models; TEI's /embed, /rerank, /tokenize, /info; /health, /metrics; API key \(configuration.apiKey == nil ? "off" : "required"))")
            },
            eventLoopGroupProvider: .singleton,
            logger: hummingbirdLogger)
        defer {
            if case .unixSocket(let path) = configuration.address { Self.removeSocket(path) }
        }
        try await application.run()
        logger.info("HTTP listener stopped")
    }

    /// An HTTP socket lives in a directory only its owner can enter (so no other user can connect),
    /// and never replaces a socket some live process still answers on.
    static func prepareSocketPath(_ path: String) throws(HTTPConfigurationError) {
        let parent = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var status = stat()
        guard stat(parent, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .invalid(name: "HTTP socket directory", value: parent, expected: "an existing directory")
        }
        guard status.st_uid == geteuid(), (status.st_mode & 0o077) == 0 else {
            throw .invalid(name: "HTTP socket directory", value: parent,
                           expected: "a directory only you can enter (chmod 700 \(parent)), such as $XDG_RUNTIME_DIR")
        }
        if (try? UnixSocketConnection.connect(to: path, timeout: .milliseconds(500))) != nil {
            throw .invalid(name: "HTTP socket", value: path, expected: "a path no running server answers on")
        }
    }

    static func removeSocket(_ path: String) {
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
    }
}
