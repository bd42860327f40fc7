// What SemanticClient calls return: vectors and scores with the path that served them (never a silent
// fallback), and the daemon's health and status as plain values. Pure values.
import Foundation
import SemanticRuntime
import SemanticWire

/// Which path answered a call.
public enum ServedBy: Sendable, Equatable, CustomStringConvertible {
    /// The daemon answered.
    case daemon
    /// The in-process engine answered, for this reason.
    case inProcess(FallbackReason)

    /// `daemon` or `in-process`, as semctl's JSON shows it.
    public var name: String {
        switch self {
        case .daemon: return "daemon"
        case .inProcess: return "in-process"
        }
    }

    /// Why the in-process engine answered (nil for the daemon).
    public var reason: FallbackReason? {
        if case .inProcess(let reason) = self { return reason }
        return nil
    }

    public var description: String {
        switch self {
        case .daemon: return "daemon"
        case .inProcess(let reason): return "in-process (\(reason))"
        }
    }
}

/// Why a call was served in-process.
public enum FallbackReason: Sendable, Equatable, CustomStringConvertible {
    /// The configuration says in-process only (`SEMD_NO_DAEMON=1`, `--no-daemon`).
    case daemonDisabled
    /// No daemon answered and spawning is off (`SEMD_NO_SPAWN=1`, `--no-spawn`).
    case noDaemonSpawnDisabled
    /// No daemon answered and starting one failed.
    case spawnFailed(String)
    /// A daemon was reached but did not answer usefully (it died mid-request, timed out, kept failing).
    case daemonFailed(String)
    /// A daemon answered, but its answer failed the client's checks (`DaemonAnswerProblem`).
    case invalidAnswer(DaemonAnswerProblem)

    /// A short machine-readable tag: `disabled`, `no-daemon`, `spawn-failed`, `daemon-failed`,
    /// `invalid-answer`.
    public var tag: String {
        switch self {
        case .daemonDisabled: return "disabled"
        case .noDaemonSpawnDisabled: return "no-daemon"
        case .spawnFailed: return "spawn-failed"
        case .daemonFailed: return "daemon-failed"
        case .invalidAnswer: return "invalid-answer"
        }
    }

    public var description: String {
        switch self {
        case .daemonDisabled: return "daemon disabled"
        case .noDaemonSpawnDisabled: return "no daemon, spawn disabled"
        case .spawnFailed(let message): return "could not start the daemon: \(message)"
        case .daemonFailed(let message): return "daemon failed: \(message)"
        case .invalidAnswer(let problem): return "daemon answer refused: \(problem)"
        }
    }
}

/// Sentence embeddings, one per input text, in input order.
public struct EmbeddingResult: Sendable, Equatable {
    public let embeddings: [[Float]]
    /// The model's id (`minilm-384`).
    public let model: String
    /// Length of each vector (the model's dimension, or `dims` when given).
    public let dimension: Int
    public let servedBy: ServedBy
    /// Wall time of the whole call, connecting and any model load included.
    public let elapsed: Duration

    public init(embeddings: [[Float]], model: String, dimension: Int, servedBy: ServedBy, elapsed: Duration) {
        self.embeddings = embeddings
        self.model = model
        self.dimension = dimension
        self.servedBy = servedBy
        self.elapsed = elapsed
    }
}

/// Relevance of documents to a query, in document order.
public struct RerankResult: Sendable, Equatable {
    /// sigmoid(logit) in [0, 1], as the protocol carries them; higher is more relevant.
    public let scores: [Float]
    /// The raw logits, when the in-process engine served the call (the protocol carries scores only).
    public let logits: [Float]?
    /// The reranker's id.
    public let model: String
    public let servedBy: ServedBy
    public let elapsed: Duration

    public init(scores: [Float], logits: [Float]?, model: String, servedBy: ServedBy, elapsed: Duration) {
        self.scores = scores
        self.logits = logits
        self.model = model
        self.servedBy = servedBy
        self.elapsed = elapsed
    }

    /// Document indices, most relevant first (ties keep document order).
    public var ranking: [Int] {
        scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }
}

/// The daemon's Health answer.
public struct DaemonHealth: Sendable, Equatable {
    public let uptimeSeconds: UInt64
    public let protocolVersion: UInt32
    /// The default embedder is loaded.
    public let ready: Bool
    /// The daemon's resident memory.
    public let memoryBytes: UInt64
    /// Round trip of the Health request.
    public let roundTrip: Duration
}

/// One model as the daemon's Status reports it.
public struct DaemonModel: Sendable, Equatable {
    public enum Kind: String, Sendable { case embedder, reranker }
    public let id: String
    public let kind: Kind
    /// The human name, or `load-failed` when loading failed.
    public let name: String
    public let dimension: Int?
    public let loaded: Bool
    public let memoryBytes: UInt64
}

/// The daemon's Status answer, with what the client knows besides.
public struct DaemonStatus: Sendable, Equatable {
    /// The socket the answer came from.
    public let socket: String
    /// The daemon's pid from its run lock's heartbeat, when readable.
    public let pid: Int32?
    public let uptimeSeconds: UInt64
    public let protocolVersion: UInt32
    public let models: [DaemonModel]
    public let memoryBytes: UInt64
    public let totalRequests: UInt64
    /// The sockets the daemon serves with each dialect's request count, from its run lock's
    /// heartbeat (refreshed every second); empty when the daemon does not report them.
    public let listeners: [DaemonListener]
    /// cass protocol v2's attested channel, when the daemon serves a cass data directory.
    public let attestedChannel: AttestedChannelStatus?
}

/// cass protocol v2's attested channel as the daemon's heartbeat reports it (never the key): `state`
/// (`starting`, `up`, `down`), `dataDirectory`, `socket`, `generation`, `keyID`, and the `reason` it is down.
public typealias AttestedChannelStatus = LockFile.AttestedChannelReport

/// One socket of the daemon and the requests its dialect answered.
public struct DaemonListener: Sendable, Equatable {
    /// `cass` or `xf`.
    public let dialect: String
    public let socket: String
    public let requests: UInt64

    public init(dialect: String, socket: String, requests: UInt64) {
        self.dialect = dialect
        self.socket = socket
        self.requests = requests
    }
}

/// One background embedding job of the daemon: one pass (one model) over one archive.
public struct EmbeddingJob: Sendable, Equatable {
    /// Where a job is in its life.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case pending
        case running
        case completed
        case failed
        case cancelled
        /// A status this client does not know (a newer daemon's), as the daemon named it.
        case other(String)

        init(wireName: String) {
            switch wireName {
            case "pending": self = .pending
            case "running": self = .running
            case "completed": self = .completed
            case "failed": self = .failed
            case "cancelled": self = .cancelled
            default: self = .other(wireName)
            }
        }

        public var description: String {
            switch self {
            case .pending: return "pending"
            case .running: return "running"
            case .completed: return "completed"
            case .failed: return "failed"
            case .cancelled: return "cancelled"
            case .other(let name): return name
            }
        }

        /// Still to run or running.
        public var isActive: Bool { self == .pending || self == .running }
    }

    /// The archive's job row id.
    public let id: Int64
    public let modelID: String
    public let status: Status
    public let totalDocuments: Int64
    public let completedDocuments: Int64
    public let errorMessage: String?

    public init(id: Int64, modelID: String, status: Status, totalDocuments: Int64, completedDocuments: Int64,
                errorMessage: String?) {
        self.id = id
        self.modelID = modelID
        self.status = status
        self.totalDocuments = totalDocuments
        self.completedDocuments = completedDocuments
        self.errorMessage = errorMessage
    }

    init(_ detail: EmbeddingJobDetail) {
        self.init(id: detail.jobID, modelID: detail.modelID, status: Status(wireName: detail.status),
                  totalDocuments: detail.totalDocuments, completedDocuments: detail.completedDocuments,
                  errorMessage: detail.errorMessage)
    }
}

extension DaemonStatus {
    init(_ response: StatusResponse, socket: String, pid: Int32?, listeners: [DaemonListener] = [],
         attestedChannel: AttestedChannelStatus? = nil) {
        self.socket = socket
        self.pid = pid
        self.listeners = listeners
        self.attestedChannel = attestedChannel
        uptimeSeconds = response.uptimeSeconds
        protocolVersion = response.version
        memoryBytes = response.memoryBytes
        totalRequests = response.totalRequests
        models = response.embedders.map { DaemonModel($0, kind: .embedder) }
            + response.rerankers.map { DaemonModel($0, kind: .reranker) }
    }
}

extension DaemonModel {
    init(_ info: ModelInfo, kind: Kind) {
        id = info.id
        self.kind = kind
        name = info.name
        dimension = info.dimension
        loaded = info.loaded
        memoryBytes = info.memoryBytes
    }
}
