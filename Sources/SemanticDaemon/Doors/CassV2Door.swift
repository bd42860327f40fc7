// The cass protocol v2 ("attested") door: v2's strict decoder and its fixed error texts, v2's message
// set, and the producer-attested channel — ConnectionIdentity, HandshakeAttested, HealthAttested,
// EmbedAttested and RerankAttested checked in the order cass's own daemon checks them (spec §6.2,
// §6.3) and answered with HMAC-signed proofs. Inference goes through the same service as every door;
// no partial result is ever signed. Counts requests in the ledger as door `cass-v2`.
import Foundation
import SemanticAttestation
import SemanticCore
import SemanticService
import SemanticWire

public final class CassV2Door: SocketDoor, Sendable {
    public let service: InferenceService
    /// The attested channel, nil when semd serves no cass data directory.
    public let channel: AttestedChannel?
    var dialect: WireDialect { .cass }
    var ledgerDoor: Door { Self.door }
    static let door = Door("cass-v2")

    public init(service: InferenceService, channel: AttestedChannel?) {
        self.service = service
        self.channel = channel
    }

    // MARK: Frames

    func reply(to body: [UInt8], connection: ConnectionContext) async -> DoorReply {
        let start = ContinuousClock.now
        switch CassV2RequestTriage(frameBody: body) {
        case .closeWithoutReply(let error):
            service.ledger.recordUndecodable(door: Self.door, code: ErrorCode.invalidInput.name, duration: .now - start)
            return DoorReply(frame: [], close: true, summary: "cass-v2 frame refused: \(error); closing without a reply")
        case .reply(let envelope):
            // A decode failure (request id "error") is not a request; a version mismatch is one, not run.
            if envelope.requestID == CassV2ResponseEnvelope.undecodableRequestID, case .error = envelope.response {
                service.ledger.recordUndecodable(door: Self.door, code: ErrorCode.invalidInput.name, duration: .now - start)
            } else {
                service.requestArrived(through: Self.door)
                service.ledger.recordRequest(door: Self.door, operation: "VersionMismatch",
                                             outcome: .error(code: ErrorCode.versionMismatch.name), duration: .now - start)
            }
            return DoorReply(frame: Self.encode(envelope), close: false, summary: "cass-v2 \(envelope.requestID) refused")
        case .dispatch(let envelope):
            service.requestArrived(through: Self.door)
            let response = await handle(envelope.request, requestID: envelope.requestID, connection: connection)
            let outcome: RequestOutcome = if case .error(let error) = response { .error(code: error.code.name) } else { .ok }
            service.ledger.recordRequest(door: Self.door, operation: envelope.request.variantName,
                                         kind: Self.kind(of: envelope.request), outcome: outcome, duration: .now - start)
            let close = if case .shutdown = envelope.request { true } else { false }
            let answer = CassV2ResponseEnvelope(requestID: envelope.requestID, response: response)
            return DoorReply(frame: Self.encode(answer), close: close, summary: "cass-v2 \(envelope.requestID) \(envelope.request.variantName)")
        }
    }

    static func kind(of request: CassV2Request) -> RequestKind {
        switch request {
        case .embed, .embedAttested: return .embed
        case .rerank, .rerankAttested: return .rerank
        default: return .other
        }
    }

    // MARK: Requests

    func handle(_ request: CassV2Request, requestID: String, connection: ConnectionContext = .direct) async -> CassV2Response {
        let context = RequestContext(door: Self.door, connection: connection)
        switch request {
        case .health:
            let health = service.health()
            return .health(.cassV2(uptimeSeconds: health.uptimeSeconds, ready: health.ready, memoryBytes: health.memoryBytes))
        case .connectionIdentity:
            guard let attestor = channel?.attestor else { return .error(AttestedRequestError.channelUnavailable.errorResponse) }
            return .connectionIdentity(attestor.connection)
        case .handshakeAttested(let challenge):
            return statusProof(challenge, operation: .handshake)
        case .healthAttested(let challenge):
            guard service.models.isReady else { return .error(AttestedRequestError.channelUnavailable.errorResponse) }
            return statusProof(challenge, operation: .health)
        case .embed(let texts, let model, let dims):
            switch await CassDoor.embed(service, EmbedRequest(texts: texts, model: model, dims: dims), context: context) {
            case .success(let answer): return .embed(answer)
            case .failure(let error): return .error(Self.errorResponse(error))
            }
        case .embedAttested(let texts, let model, let dims, let challenge):
            return await attestedEmbedding(texts: texts, model: model, dims: dims, challenge: challenge, context: context)
        case .rerank(let query, let documents, let model):
            switch await CassDoor.rerank(service, RerankRequest(query: query, documents: documents, model: model), context: context) {
            case .success(let answer): return .rerank(answer)
            case .failure(let error): return .error(Self.errorResponse(error))
            }
        case .rerankAttested(let query, let documents, let model, let challenge):
            return await attestedRerank(query: query, documents: documents, model: model, challenge: challenge, context: context)
        case .status:
            return .status(CassDoor.status(of: service, version: CassV2.protocolVersion))
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            return Self.response(await onSharedPool {
                CassJobs.submit(service, dbPath: dbPath, indexPath: indexPath, twoTier: twoTier, fastModel: fastModel,
                                qualityModel: qualityModel, requestID: requestID)
            })
        case .embeddingJobStatus(let dbPath):
            return Self.response(await onSharedPool { CassJobs.status(service, dbPath: dbPath) })
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return Self.response(await onSharedPool { CassJobs.cancel(service, dbPath: dbPath, modelID: modelID) })
        case .shutdown:
            service.requestShutdown()
            return .shutdown(message: "daemon shutting down")
        }
    }

    /// A handshake or health proof: the challenge rebuilt over no inputs, then signed.
    private func statusProof(_ challenge: DaemonChallengeV1, operation: DaemonOperationV1) -> CassV2Response {
        guard let attestor = channel?.attestor else { return .error(AttestedRequestError.channelUnavailable.errorResponse) }
        do {
            try attestor.verifyChallenge(challenge, operation: operation, inputs: [])
            return .attestation(try attestor.statusProof(for: challenge))
        } catch {
            return .error(error.errorResponse)
        }
    }

    /// §6.3 for EmbedAttested: model selector and dims, input limits, operation choice, the challenge,
    /// inference, then signing; the first failure is the answer.
    private func attestedEmbedding(texts: [String], model: String, dims: Int?, challenge: DaemonChallengeV1,
                                   context: RequestContext) async -> CassV2Response {
        let descriptor = ModelDescriptor.miniLM
        if let refusal = Self.checkSelector(model, kind: .embedder, accepting: descriptor, registry: service.models.registry) {
            return .error(refusal)
        }
        if let dims, dims != descriptor.dimension {
            return .error(ErrorResponse(code: .invalidInput, message: "dims \(dims) is not supported by the attested channel "
                + "(only \(descriptor.dimension.map(String.init) ?? "the model's") or none)", retryable: false))
        }
        do throws(AttestedRequestError) {
            try AttestedInputLimits.check(texts: texts)
            _ = try AttestedInputLimits.embeddingOperation(of: challenge, textCount: texts.count)
            guard let attestor = channel?.attestor else { throw AttestedRequestError.channelUnavailable }
            _ = try attestor.verifyEmbedRequest(texts: texts, challenge: challenge)
            let result: EmbedResult
            switch await outcome(of: { () async throws(ServiceError) -> EmbedResult in
                try await service.embed(EmbedRequest(texts: texts, model: descriptor.id), context: context)
            }) {
            case .success(let value): result = value
            case .failure(let error): return .error(Self.errorResponse(error))
            }
            return .attestedEmbedding(try attestor.signedEmbedding(result.vectors, for: challenge))
        } catch {
            return .error(error.errorResponse)
        }
    }

    /// §6.3 for RerankAttested: the reranker selector, input limits (query counted), the challenge over
    /// the query and documents, inference, then one signed row of scores.
    private func attestedRerank(query: String, documents: [String], model: String, challenge: DaemonChallengeV1,
                                context: RequestContext) async -> CassV2Response {
        let descriptor = ModelDescriptor.msMarcoMiniLM
        if let refusal = Self.checkSelector(model, kind: .reranker, accepting: descriptor, registry: service.models.registry) {
            return .error(refusal)
        }
        do throws(AttestedRequestError) {
            try AttestedInputLimits.check(texts: documents, query: query)
            guard let attestor = channel?.attestor else { throw AttestedRequestError.channelUnavailable }
            try attestor.verifyRerankRequest(query: query, documents: documents, challenge: challenge)
            let result: RerankResult
            switch await outcome(of: { () async throws(ServiceError) -> RerankResult in
                try await service.rerank(RerankRequest(query: query, documents: documents, model: descriptor.id), context: context)
            }) {
            case .success(let value): result = value
            case .failure(let error): return .error(Self.errorResponse(error))
            }
            return .attestedEmbedding(try attestor.signedRerank(result.scores, for: challenge))
        } catch {
            return .error(error.errorResponse)
        }
    }

    /// The service call's result or its error, so an attested path can tell a service failure from its own.
    private func outcome<T>(of call: () async throws(ServiceError) -> T) async -> Result<T, ServiceError> {
        do {
            return .success(try await call())
        } catch {
            return .failure(error)
        }
    }

    /// §6.3 step 2: at most 256 bytes; `default` (any case, trimmed) or a name of `accepting`.
    static func checkSelector(_ name: String, kind: ModelKind, accepting descriptor: ModelDescriptor,
                              registry: ModelRegistry) -> ErrorResponse? {
        guard name.utf8.count <= 256 else {
            return ErrorResponse(code: .invalidInput, message: "model selector exceeds 256 bytes", retryable: false)
        }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "default" || trimmed.isEmpty { return nil }
        if let resolved = try? registry.resolve(trimmed, kind: kind), resolved.id == descriptor.id { return nil }
        if kind == .reranker, trimmed.lowercased() == "ms-marco-minilm-l-6-v2" { return nil }
        return ErrorResponse(code: .modelNotFound, message: "the attested channel serves \(descriptor.id) only; unknown \(kind) model '\(trimmed)'",
                             retryable: false)
    }

    static func response(_ answer: CassJobAnswer) -> CassV2Response {
        switch answer {
        case .submitted(let jobID, let message): return .jobSubmitted(jobID: jobID, message: message)
        case .status(let info): return .jobStatus(info)
        case .cancelled(let count, let message): return .jobCancelled(cancelled: count, message: message)
        case .error(let error): return .error(error)
        }
    }

    /// The protocol error for a service failure: v1's mapping, with cass v2's texts for a stop.
    static func errorResponse(_ error: ServiceError) -> ErrorResponse {
        switch error {
        case .shuttingDown:
            return ErrorResponse(code: .overloaded, message: "daemon is shutting down", retryable: true, retryAfterMilliseconds: 1000)
        default:
            return CassDoor.errorResponse(error)
        }
    }

    // MARK: Refusals

    /// cass v2 closes a connection whose request ran out of time without a reply.
    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8] { [] }

    /// cass v2 closes on a frame over the limit without a reply.
    func oversizedFrameReply(length: Int) -> [UInt8] { [] }

    func overloadedReply(maxConnections: Int) -> [UInt8] {
        CassV2ResponseEnvelope.connectionLimitReply(maxConnections: maxConnections)
    }

    /// The frame, or an Internal error frame when the answer cannot be encoded (too large).
    static func encode(_ envelope: CassV2ResponseEnvelope) -> [UInt8] { envelope.frameOrInternalError }
}
