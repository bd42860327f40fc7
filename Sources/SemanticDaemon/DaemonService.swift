// The daemon as a swift-service-lifecycle Service: SIGTERM/SIGINT become a graceful stop that
// finishes in-flight requests and cleans up the socket before the process exits.
import ServiceLifecycle

public struct DaemonService: Service {
    public let daemon: Daemon

    public init(daemon: Daemon) {
        self.daemon = daemon
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await daemon.run()
        } onGracefulShutdown: {
            daemon.requestStop(reason: "signal")
        }
    }
}
