// The cass semantic-daemon protocol v1 door: decode a frame body (strictly), check the version, call
// the service (Health, Status, Embed, Rerank, the job requests, Shutdown), map the service's errors
// onto the protocol's codes, and encode the answer. Counts every request in the service's ledger as
// door `cass`. Never touches the connection.
import Foundation
import SemanticCore
import SemanticIndex
import SemanticService
import SemanticWire

public final class CassDoor: SocketDoor, Sendable {
    public let service: InferenceService
    var dialect: WireDialect { .cass }
    var ledgerDoor: Door { .cass }

    public init(service: InferenceService) {
        self.service = service
    }

    // MARK: Frames

    func reply(to body: [UInt8], connection: ConnectionContext) async -> DoorReply {
        let (envelope, close) = await respond(toFrameBody: body, connection: connection)
        return DoorReply(frame: Self.encode(envelope), close: close, summary: "\(envelope.requestID) \(envelope.response.variantName)")
    }

    /// The answer to a frame body and whether the connection should close after it (after Shutdown).
    func respond(toFrameBody body: [UInt8], connection: ConnectionContext = .direct) async
        -> (response: ResponseEnvelope, closeAfterwards: Bool) {
        let start = ContinuousClock.now
        let envelope: RequestEnvelope
        do {
            envelope = try RequestEnvelope.decode(from: body)
        } catch {
            service.ledger.recordUndecodable(door: .cass, code: ErrorCode.invalidInput.name, duration: .now - start)
            return (ResponseEnvelope.replyingToUndecodableRequest(message: "decode error: \(error)"), false)
        }
        service.requestArrived(through: .cass)
        let response: Response
        if envelope.version == SemanticWireInfo.protocolVersion {
            response = await handle(envelope.request, requestID: envelope.requestID, connection: connection)
        } else {
            response = .error(ErrorResponse(
                code: .versionMismatch,
                message: "protocol version \(envelope.version) is not supported; this daemon speaks version \(SemanticWireInfo.protocolVersion)",
                retryable: false))
        }
        let outcome: RequestOutcome = if case .error(let error) = response { .error(code: error.code.name) } else { .ok }
        service.ledger.recordRequest(door: .cass, operation: envelope.request.variantName, kind: Self.kind(of: envelope.request),
                                     outcome: outcome, duration: .now - start)
        let close = if case .shutdown = envelope.request, envelope.version == SemanticWireInfo.protocolVersion { true } else { false }
        return (ResponseEnvelope(requestID: envelope.requestID, response: response), close)
    }

    static func kind(of request: Request) -> RequestKind {
        switch request {
        case .embed: return .embed
        case .rerank: return .rerank
        default: return .other
        }
    }

    // MARK: Requests

    /// The answer to one decoded request.
    func handle(_ request: Request, requestID: String, connection: ConnectionContext = .direct) async -> Response {
        let context = RequestContext(door: .cass, connection: connection)
        switch request {
        case .health:
            let health = service.health()
            return .health(HealthStatus(uptimeSeconds: health.uptimeSeconds, ready: health.ready, memoryBytes: health.memoryBytes))
        case .status:
            return .status(status())
        case .embed(let texts, let model, let dims):
            switch await Self.embed(service, EmbedRequest(texts: texts, model: model, dims: dims), context: context) {
            case .success(let answer): return .embed(answer)
            case .failure(let error): return .error(Self.errorResponse(error))
            }
        case .rerank(let query, let documents, let model):
            switch await Self.rerank(service, RerankRequest(query: query, documents: documents, model: model), context: context) {
            case .success(let answer): return .rerank(answer)
            case .failure(let error): return .error(Self.errorResponse(error))
            }
        case .submitEmbeddingJob, .embeddingJobStatus, .cancelEmbeddingJob:
            // SQLite and file checks block their thread: never on a connection's event loop.
            return await onSharedPool { jobResponse(request, requestID: requestID) }
        case .shutdown:
            service.requestShutdown()
            return .shutdown(message: "daemon shutting down")
        }
    }

    /// An unattested Embed as cass v1 and v2 both answer it: the vectors with the elapsed time.
    static func embed(_ service: InferenceService, _ request: EmbedRequest, context: RequestContext) async
        -> Result<EmbedResponse, ServiceError> {
        let start = ContinuousClock.now
        do {
            let result = try await service.embed(request, context: context)
            return .success(EmbedResponse(embeddings: result.vectors, model: result.modelID,
                                          elapsedMilliseconds: milliseconds(since: start)))
        } catch {
            return .failure(error)
        }
    }

    /// An unattested Rerank as cass v1 and v2 both answer it: the sigmoid scores with the elapsed time.
    static func rerank(_ service: InferenceService, _ request: RerankRequest, context: RequestContext) async
        -> Result<RerankResponse, ServiceError> {
        let start = ContinuousClock.now
        do {
            let result = try await service.rerank(request, context: context)
            return .success(RerankResponse(scores: result.scores, model: result.modelID,
                                           elapsedMilliseconds: milliseconds(since: start)))
        } catch {
            return .failure(error)
        }
    }

    private func jobResponse(_ request: Request, requestID: String) -> Response {
        let answer: CassJobAnswer
        switch request {
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            answer = CassJobs.submit(service, dbPath: dbPath, indexPath: indexPath, twoTier: twoTier, fastModel: fastModel,
                                     qualityModel: qualityModel, requestID: requestID)
        case .embeddingJobStatus(let dbPath):
            answer = CassJobs.status(service, dbPath: dbPath)
        case .cancelEmbeddingJob(let dbPath, let modelID):
            answer = CassJobs.cancel(service, dbPath: dbPath, modelID: modelID)
        default:
            answer = .error(ErrorResponse(code: .internalError, message: "\(request.variantName) is not a job request",
                                          retryable: false))
        }
        switch answer {
        case .submitted(let jobID, let message): return .jobSubmitted(jobID: jobID, message: message)
        case .status(let info): return .jobStatus(info)
        case .cancelled(let count, let message): return .jobCancelled(cancelled: count, message: message)
        case .error(let error): return .error(error)
        }
    }

    /// Status: every known model with its state, uptime, RSS and the request count.
    func status() -> StatusResponse { Self.status(of: service) }

    /// The Status answer for `service` (cass v2 sends the same layout with `version` 2).
    static func status(of service: InferenceService, version: UInt32 = SemanticWireInfo.protocolVersion) -> StatusResponse {
        let status = service.status()
        func info(_ state: HostedModelState) -> ModelInfo {
            ModelInfo(id: state.descriptor.id,
                      name: state.failure == nil ? state.descriptor.displayName : "load-failed",
                      dimension: state.dimension, loaded: state.loaded, memoryBytes: state.memoryBytes)
        }
        return StatusResponse(
            uptimeSeconds: status.uptimeSeconds, version: version,
            embedders: status.models.filter { $0.descriptor.kind == .embedder }.map(info),
            rerankers: status.models.filter { $0.descriptor.kind == .reranker }.map(info),
            memoryBytes: status.memoryBytes,
            totalRequests: status.totals.requests)
    }

    /// The protocol error for a service failure.
    static func errorResponse(_ error: ServiceError) -> ErrorResponse {
        switch error {
        case .modelNotFound, .modelNotInstalled:
            return ErrorResponse(code: .modelNotFound, message: error.description, retryable: false)
        case .modelLoadFailed:
            return ErrorResponse(code: .modelLoadFailed, message: error.description, retryable: true, retryAfterMilliseconds: 1000)
        case .modelUnsupported:
            // The same folder fails the same way: a client must not retry it, nor repeat it in-process.
            return ErrorResponse(code: .modelLoadFailed, message: error.description, retryable: false)
        case .invalidInput, .textTooLong, .unknownPrompt:
            return ErrorResponse(code: .invalidInput, message: error.description, retryable: false)
        case .overloaded:
            return ErrorResponse(code: .overloaded, message: error.description, retryable: true, retryAfterMilliseconds: 100)
        case .shuttingDown:
            return ErrorResponse(code: .overloaded, message: error.description, retryable: true, retryAfterMilliseconds: 1000)
        case .deadlineExceeded:
            return ErrorResponse(code: .timeout, message: error.description, retryable: true, retryAfterMilliseconds: 1000)
        case .internalFailure, .unavailable:
            return ErrorResponse(code: .internalError, message: error.description, retryable: false)
        }
    }

    // MARK: Refusals

    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8] {
        let requestID = (try? RequestEnvelope.decode(from: body).requestID) ?? ResponseEnvelope.undecodableRequestID
        return Self.encode(ResponseEnvelope(requestID: requestID, response: .error(ErrorResponse(
            code: .timeout, message: "the request did not finish within \(limit)", retryable: true,
            retryAfterMilliseconds: 1000))))
    }

    func oversizedFrameReply(length: Int) -> [UInt8] {
        Self.encode(ResponseEnvelope.replyingToUndecodableRequest(
            message: "frame of \(length) bytes exceeds the \(Frame.maximumBodyLength)-byte limit; closing the connection"))
    }

    func overloadedReply(maxConnections: Int) -> [UInt8] {
        ResponseEnvelope.connectionLimitReply(maxConnections: maxConnections)
    }

    /// The frame, or an Internal error frame when the answer cannot be encoded (too large).
    static func encode(_ envelope: ResponseEnvelope) -> [UInt8] { envelope.frameOrInternalError }
}
