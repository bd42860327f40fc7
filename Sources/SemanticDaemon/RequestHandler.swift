// Answers one decoded request: Health, Status, Embed, Rerank, the job requests and Shutdown, with the
// protocol's error codes. Runs in-process without a socket (the server calls it for every frame),
// which is how the protocol semantics are tested. Counts every request in the host's metrics
// (dialect `cass`). Never touches the connection.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticWire
import Synchronization

/// Counters the daemon reports.
public struct DaemonCounters: Sendable, Equatable {
    public var totalRequests: UInt64 = 0
    public var embedRequests: UInt64 = 0
    public var rerankRequests: UInt64 = 0
    public var errors: UInt64 = 0
}

/// Background embedding jobs, as the request handler sees them. The daemon plugs in its job
/// service; without one, the job requests are answered `Internal` "not available".
public protocol EmbeddingJobService: Sendable {
    func submit(dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?, qualityModel: String?,
                requestID: String) throws -> String
    func status(dbPath: String) throws -> [EmbeddingJobDetail]
    func cancel(dbPath: String, modelID: String?) throws -> Int
}

public final class RequestHandler: Sendable {
    public let host: ModelHost
    let jobs: (any EmbeddingJobService)?
    let started: ContinuousClock.Instant
    let counters = Mutex(DaemonCounters())
    /// Requests per dialect and in flight (the xf dialect's handler shares them).
    public let dialects = DialectStatistics()
    let lastActivity: Mutex<ContinuousClock.Instant>
    /// Called once when a Shutdown request arrives.
    let onShutdownRequest: @Sendable () -> Void

    public init(host: ModelHost, jobs: (any EmbeddingJobService)? = nil,
                onShutdownRequest: @escaping @Sendable () -> Void = {}) {
        self.host = host
        self.jobs = jobs
        self.onShutdownRequest = onShutdownRequest
        started = .now
        lastActivity = Mutex(.now)
    }

    public var currentCounters: DaemonCounters { counters.withLock { $0 } }

    /// When the last request was decoded (for the idle timeout).
    public var lastActivityInstant: ContinuousClock.Instant { lastActivity.withLock { $0 } }

    public func touch() { lastActivity.withLock { $0 = .now } }

    var uptimeSeconds: UInt64 { UInt64(max(0, (ContinuousClock.now - started).components.seconds)) }

    /// The answer to a frame body: decodes it, handles it, and says whether the connection should
    /// close after the answer is written (after Shutdown).
    public func respond(toFrameBody body: [UInt8]) async -> (response: ResponseEnvelope, closeAfterwards: Bool) {
        let start = ContinuousClock.now
        let envelope: RequestEnvelope
        do {
            envelope = try RequestEnvelope.decode(from: body)
        } catch {
            counters.withLock { $0.errors += 1 }
            host.metrics.recordRequest(endpoint: "Undecodable", dialect: "cass", status: ErrorCode.invalidInput.name,
                                       duration: .now - start)
            return (ResponseEnvelope.replyingToUndecodableRequest(message: "decode error: \(error)"), false)
        }
        let answer = await respond(to: envelope)
        let status = if case .error(let error) = answer.response.response { error.code.name } else { "ok" }
        host.metrics.recordRequest(endpoint: envelope.request.variantName, dialect: "cass", status: status,
                                   duration: .now - start)
        return answer
    }

    private func respond(to envelope: RequestEnvelope) async -> (response: ResponseEnvelope, closeAfterwards: Bool) {
        touch()
        counters.withLock { $0.totalRequests += 1 }
        dialects.recordRequest(.cass)
        guard envelope.version == SemanticWireInfo.protocolVersion else {
            counters.withLock { $0.errors += 1 }
            return (ResponseEnvelope(requestID: envelope.requestID, response: .error(ErrorResponse(
                code: .versionMismatch,
                message: "protocol version \(envelope.version) is not supported; this daemon speaks version \(SemanticWireInfo.protocolVersion)",
                retryable: false))), false)
        }
        let response = await handle(envelope.request, requestID: envelope.requestID)
        if case .error = response { counters.withLock { $0.errors += 1 } }
        if case .shutdown = envelope.request { return (ResponseEnvelope(requestID: envelope.requestID, response: response), true) }
        return (ResponseEnvelope(requestID: envelope.requestID, response: response), false)
    }

    /// Handles one request.
    public func handle(_ request: Request, requestID: String) async -> Response {
        switch request {
        case .submitEmbeddingJob, .embeddingJobStatus, .cancelEmbeddingJob:
            // SQLite and file checks block their thread: never on a connection's event loop
            return await offEventLoop { await dispatch(request, requestID: requestID) }
        default:
            return await dispatch(request, requestID: requestID)
        }
    }

    private func dispatch(_ request: Request, requestID: String) async -> Response {
        switch request {
        case .health:
            return .health(HealthStatus(uptimeSeconds: uptimeSeconds, ready: host.isReady,
                                        memoryBytes: ProcessResources.residentBytes()))
        case .status:
            return .status(status())
        case .embed(let texts, let model, let dims):
            counters.withLock { $0.embedRequests += 1 }
            let start = ContinuousClock.now
            do {
                let result = try await host.embed(texts, model: model, dims: dims)
                return .embed(EmbedResponse(embeddings: result.vectors, model: result.modelID,
                                            elapsedMilliseconds: Self.milliseconds(since: start)))
            } catch {
                return .error(Self.errorResponse(error))
            }
        case .rerank(let query, let documents, let model):
            counters.withLock { $0.rerankRequests += 1 }
            let start = ContinuousClock.now
            do {
                let result = try await host.rerank(query: query, documents: documents, model: model)
                return .rerank(RerankResponse(scores: result.scores, model: result.modelID,
                                              elapsedMilliseconds: Self.milliseconds(since: start)))
            } catch {
                return .error(Self.errorResponse(error))
            }
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            guard let jobs else { return .error(Self.jobsUnavailable) }
            do {
                let jobID = try jobs.submit(dbPath: dbPath, indexPath: indexPath, twoTier: twoTier, fastModel: fastModel,
                                            qualityModel: qualityModel, requestID: requestID)
                return .jobSubmitted(jobID: jobID, message: "embedding job submitted")
            } catch {
                return .error(ErrorResponse(code: .internalError, message: "failed to submit job: \(error)", retryable: false))
            }
        case .embeddingJobStatus(let dbPath):
            guard let jobs else { return .error(Self.jobsUnavailable) }
            do {
                return .jobStatus(EmbeddingJobInfo(jobs: try jobs.status(dbPath: dbPath)))
            } catch {
                return .error(ErrorResponse(code: .internalError, message: "failed to query jobs: \(error)", retryable: false))
            }
        case .cancelEmbeddingJob(let dbPath, let modelID):
            guard let jobs else { return .error(Self.jobsUnavailable) }
            do {
                let count = try jobs.cancel(dbPath: dbPath, modelID: modelID)
                return .jobCancelled(cancelled: count, message: "cancelled \(count) job(s)")
            } catch {
                return .error(ErrorResponse(code: .internalError, message: "failed to cancel jobs: \(error)", retryable: false))
            }
        case .shutdown:
            onShutdownRequest()
            return .shutdown(message: "daemon shutting down")
        }
    }

    /// Status: every known model with its state, uptime, RSS and the request count.
    func status() -> StatusResponse {
        let states = host.modelStates()
        func info(_ state: HostedModelState) -> ModelInfo {
            ModelInfo(id: state.descriptor.id,
                      name: state.failure == nil ? state.descriptor.displayName : "load-failed",
                      dimension: state.dimension, loaded: state.loaded, memoryBytes: state.memoryBytes)
        }
        return StatusResponse(
            uptimeSeconds: uptimeSeconds,
            embedders: states.filter { $0.descriptor.kind == .embedder }.map(info),
            rerankers: states.filter { $0.descriptor.kind == .reranker }.map(info),
            memoryBytes: ProcessResources.residentBytes(),
            totalRequests: counters.withLock { $0.totalRequests })
    }

    static let jobsUnavailable = ErrorResponse(code: .internalError, message: "embedding jobs are not available in this daemon",
                                               retryable: false)

    static func milliseconds(since start: ContinuousClock.Instant) -> UInt64 {
        let elapsed = ContinuousClock.now - start
        return UInt64(max(0, elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
    }

    /// The protocol error for a model-layer failure.
    public static func errorResponse(_ error: any Error) -> ErrorResponse {
        guard let error = error as? ServiceError else {
            return ErrorResponse(code: .internalError, message: String(describing: error), retryable: false)
        }
        switch error {
        case .modelNotFound, .modelNotInstalled:
            return ErrorResponse(code: .modelNotFound, message: error.description, retryable: false)
        case .modelLoadFailed:
            return ErrorResponse(code: .modelLoadFailed, message: error.description, retryable: true, retryAfterMilliseconds: 1000)
        case .invalidInput:
            return ErrorResponse(code: .invalidInput, message: error.description, retryable: false)
        case .overloaded:
            return ErrorResponse(code: .overloaded, message: error.description, retryable: true, retryAfterMilliseconds: 100)
        case .shuttingDown:
            return ErrorResponse(code: .overloaded, message: error.description, retryable: true, retryAfterMilliseconds: 1000)
        }
    }
}
