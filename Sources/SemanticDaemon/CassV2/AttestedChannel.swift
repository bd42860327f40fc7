// cass protocol v2's producer-attested channel for one cass data directory: after the embedder has
// loaded, allocate a generation and load (or create) the key in `<data_dir>/daemon/` (the files cass
// itself uses), embed the four conformance texts and check them against the pinned reference, build
// semd's own identity bundle and connection identity for the socket cass connects to, and publish
// them. Until then, or when a step fails, the channel is down with the reason, and every attested
// request is refused (`ModelLoadFailed`, as cass's own daemon does); v1, xf and plain v2 keep serving.
import Foundation
import Logging
import SemanticAttestation
import SemanticCore
import SemanticService
import SemanticWire
import Synchronization

/// What `semctl status` and the log say about the channel. Never holds the key.
public struct AttestedChannelSummary: Sendable, Equatable {
    public enum State: String, Sendable {
        case starting
        case up
        case down
    }

    public var state: State
    public var dataDirectory: String
    /// The socket whose endpoint the identity names.
    public var socket: String
    public var generation: UInt64?
    public var keyID: String?
    /// Why the channel is down.
    public var reason: String?
}

public final class AttestedChannel: Sendable {
    public let dataDirectory: String
    /// The public socket path a cass client connects to (its endpoint fingerprint is published).
    public let socket: String
    private let state: Mutex<(summary: AttestedChannelSummary, attestor: DaemonAttestor?)>

    public init(dataDirectory: String, socket: String) {
        self.dataDirectory = dataDirectory
        self.socket = socket
        state = Mutex((AttestedChannelSummary(state: .starting, dataDirectory: dataDirectory, socket: socket), nil))
    }

    /// The published attestor, nil while the channel is not up.
    var attestor: DaemonAttestor? { state.withLock { $0.attestor } }

    public var summary: AttestedChannelSummary { state.withLock { $0.summary } }

    /// Why the channel cannot start.
    struct SetupFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Builds and publishes the channel (blocks its thread: file locks, fsync, one small inference).
    /// Call once the default embedder has loaded; a failure leaves the channel down with its reason.
    public func establish(service: InferenceService, semdVersion: String, logger: Logger) {
        guard summary.state == .starting else { return }
        do {
            let attestor = try build(service: service, semdVersion: semdVersion)
            let connection = attestor.connection
            state.withLock {
                $0.attestor = attestor
                $0.summary.state = .up
                $0.summary.generation = connection.generation
                $0.summary.keyID = connection.keyID
                $0.summary.reason = nil
            }
            logger.info("cass v2 attested channel up for \(dataDirectory) on \(socket): generation \(connection.generation), key \(connection.keyID)")
        } catch {
            let reason = String(describing: error)
            state.withLock {
                $0.summary.state = .down
                $0.summary.reason = reason
            }
            logger.warning("cass v2 attested channel down for \(dataDirectory): \(reason); v1, xf and unattested v2 requests are still served")
        }
    }

    /// Takes the channel down for good (its socket could not be served).
    func markDown(reason: String) {
        state.withLock {
            $0.attestor = nil
            $0.summary.state = .down
            $0.summary.reason = reason
        }
    }

    private func build(service: InferenceService, semdVersion: String) throws -> DaemonAttestor {
        let descriptor = ModelDescriptor.miniLM
        guard service.models.defaultEmbedder?.id == descriptor.id else {
            throw SetupFailure(description: "the attested channel serves \(descriptor.id) only, and the default embedder is "
                + (service.models.defaultEmbedder?.id ?? "none"))
        }
        let embedder: Embedder
        let directory: URL
        do {
            embedder = try service.models.loadedEmbedder(descriptor)
            directory = try service.models.modelsRoot.installedDirectory(for: descriptor)
        } catch {
            throw SetupFailure(description: "\(descriptor.id) is not loaded: \(error)")
        }
        let files: AttestationState
        do {
            files = try AttestationState.open(dataDirectory: dataDirectory)
        } catch {
            throw SetupFailure(description: String(describing: error))
        }
        let key = try files.key.withUnsafeBytes { try AttestationHMAC(keyBytes: Array($0)) }
        // The engine's own output for the conformance texts: checked against the pinned reference (a
        // numerics change stops the channel), and certified as it is.
        let golden = try embedder.embed(GoldenConformanceCorpus.texts)
        try GoldenCertificateCheck.verify(vectors: golden)
        let bundle = try SemdEmbeddingIdentity.bundle(modelDirectory: directory, semdVersion: semdVersion,
                                                      maxSequenceLength: embedder.maxSequenceLength, goldenVectors: golden)
        let endpoint = try SocketEndpointFingerprint.fingerprint(ofSocketPath: socket,
                                                                 currentDirectory: FileManager.default.currentDirectoryPath)
        let executable = try ExecutableFileFingerprint.ofRunningExecutable()
        let connection = try SemdEmbeddingIdentity.connection(endpointFingerprint: endpoint, executableFingerprint: executable,
                                                               keyID: files.keyID, generation: files.generation, bundle: bundle)
        return try DaemonAttestor(connection: connection, key: key)
    }
}
