// The xf daemon dialect's door: decode an xf frame, call the service (Health, Embed, Rerank,
// Status, Shutdown, the job requests), map the service's errors onto xf's codes, and encode. Counts
// every request in the service's ledger as door `xf`. Never touches the connection.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticService
import SemanticWire

public final class XFDoor: SocketDoor, Sendable {
    public let service: InferenceService
    var dialect: WireDialect { .xf }
    var ledgerDoor: Door { .xf }

    public init(service: InferenceService) {
        self.service = service
    }

    // MARK: Frames

    func reply(to body: [UInt8], connection: ConnectionContext) async -> DoorReply {
        let (reply, close) = await respond(toFrameBody: body, connection: connection)
        return DoorReply(frame: reply.encodedFrame(), close: close, summary: "xf \(reply.id) \(reply.response.variantName)")
    }

    /// The answer to a frame body already known to be xf's, and whether the connection should close
    /// after it (after Shutdown). An envelope that does not decode is answered with id 0, a payload
    /// that does not decode with the envelope's id, both INVALID_REQUEST; a version other than 1 gets
    /// VERSION_MISMATCH.
    func respond(toFrameBody body: [UInt8], connection: ConnectionContext = .direct) async
        -> (response: XFEnvelopeReply, closeAfterwards: Bool) {
        let start = ContinuousClock.now
        let envelope: XFEnvelope
        do {
            envelope = try XFEnvelope.decode(from: body)
        } catch {
            service.ledger.recordUndecodable(door: .xf, code: Self.label(.invalidRequest), duration: .now - start)
            return (XFEnvelopeReply(id: 0, response: .error(code: .invalidRequest, message: "decode error: \(error)")), false)
        }
        service.requestArrived(through: .xf)
        let request: XFRequest?
        let response: XFResponse
        if envelope.version != XFEnvelope.protocolVersion {
            request = nil
            response = .error(code: .versionMismatch, message:
                "protocol version \(envelope.version) is not supported; this daemon speaks xf version \(XFEnvelope.protocolVersion)")
        } else {
            do {
                let decoded = try envelope.request()
                request = decoded
                response = await handle(decoded, connection: connection)
            } catch {
                request = nil
                response = .error(code: .invalidRequest, message: "decode error: \(error)")
            }
        }
        let outcome: RequestOutcome = if case .error(let code, _) = response { .error(code: Self.label(code)) } else { .ok }
        service.ledger.recordRequest(door: .xf, operation: request?.variantName ?? "Undecodable", kind: Self.kind(of: request),
                                     outcome: outcome, duration: .now - start)
        let close = if case .shutdown? = request { true } else { false }
        return (XFEnvelopeReply(id: envelope.id, response: response), close)
    }

    /// xf's error name as the metrics label it (`UNKNOWN_MODEL`, …).
    static func label(_ code: XFErrorCode) -> String {
        code.description.split(separator: " ").last.map(String.init) ?? "\(code.rawValue)"
    }

    static func kind(of request: XFRequest?) -> RequestKind {
        switch request {
        case .embed?: return .embed
        case .rerank?: return .rerank
        default: return .other
        }
    }

    // MARK: Requests

    /// The answer to one decoded request.
    func handle(_ request: XFRequest, connection: ConnectionContext = .direct) async -> XFResponse {
        let context = RequestContext(door: .xf, connection: connection)
        var registry = service.models.registry
        /// xf's name for a model; a miss gets a fresh look at the models file (a model added since).
        func resolve(_ name: String, kind: ModelKind) -> ModelDescriptor? {
            if let found = XFModelNames.resolve(name, kind: kind, registry: registry) { return found }
            registry = service.models.refreshedRegistry()
            return XFModelNames.resolve(name, kind: kind, registry: registry)
        }
        switch request {
        case .health:
            let health = service.health()
            return .health(uptimeSeconds: health.uptimeSeconds, modelsLoaded: health.modelsLoaded)
        case .status:
            return .status(status())
        case .embed(let texts, let model, let dims):
            // `NAME:PROMPT` selects a prompt of the model xf's name NAME means.
            let name = PromptedModelName(model)
            guard let descriptor = resolve(name.model, kind: .embedder) else {
                return .error(code: .unknownModel, message: XFModelNames.unknownModelMessage(model, kind: .embedder, registry: registry))
            }
            let prompt = name.choice(requested: .modelDefault)
            do {
                return .embeddings(try await service.embed(EmbedRequest(texts: texts, model: descriptor.id, dims: dims, prompt: prompt),
                                                           context: context).vectors)
            } catch {
                return errorResponse(error, model: descriptor, failedCode: .embeddingFailed)
            }
        case .rerank(let query, let documents, let model):
            guard let descriptor = resolve(model, kind: .reranker) else {
                return .error(code: .unknownModel, message: XFModelNames.unknownModelMessage(model, kind: .reranker, registry: registry))
            }
            do {
                return .scores(try await service.rerank(RerankRequest(query: query, documents: documents, model: descriptor.id),
                                                        context: context).scores)
            } catch {
                return errorResponse(error, model: descriptor, failedCode: .rerankFailed)
            }
        case .shutdown:
            service.requestShutdown()
            return .shutdown(ok: true)
        case .submitEmbeddingJob(let dbPath, let indexPath, let modelID, let twoTier, let fastModel, let qualityModel):
            // SQLite and file checks block their thread: never on a connection's event loop.
            return await onSharedPool {
                submitJob(dbPath: dbPath, indexPath: indexPath, modelID: modelID, twoTier: twoTier,
                          fastModel: fastModel, qualityModel: qualityModel)
            }
        case .embeddingJobStatus(let dbPath):
            return await onSharedPool { jobStatus(dbPath: dbPath) }
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return await onSharedPool { cancelJobs(dbPath: dbPath, modelID: modelID) }
        }
    }

    /// Status: the loaded models with their use, RSS in MiB, every request the daemon answered (every
    /// door), frames being answered now, and requests waiting for the inference lanes.
    func status() -> XFStatus {
        let status = service.status()
        let models = status.models.filter(\.loaded).map { state -> XFLoadedModelInfo in
            let usage = service.ledger.usage(of: state.descriptor.id)
            return XFLoadedModelInfo(name: state.descriptor.id, modelType: state.descriptor.kind.rawValue,
                                     loadedAt: usage?.loadedAt ?? 0, requestsServed: usage?.requestsServed ?? 0,
                                     lastUsed: usage?.lastUsed ?? 0)
        }
        return XFStatus(uptimeSeconds: status.uptimeSeconds, models: models,
                        residentMegabytes: Double(status.memoryBytes) / 1_048_576,
                        requestsServed: status.totals.requests, inFlight: status.inFlight, queueLength: status.queuedRequests)
    }

    /// xf's code for a service failure. A failure while the model is loaded happened while running it
    /// (`failedCode`: EMBEDDING_FAILED or RERANK_FAILED); otherwise loading failed.
    func errorResponse(_ error: ServiceError, model: ModelDescriptor, failedCode: XFErrorCode) -> XFResponse {
        switch error {
        case .modelNotFound:
            return .error(code: .unknownModel, message: error.description)
        case .modelNotInstalled, .modelUnsupported:
            return .error(code: .modelLoadFailed, message: error.description)
        case .modelLoadFailed:
            let loaded = service.models.state(of: model.id)?.loaded ?? false
            return .error(code: loaded ? failedCode : .modelLoadFailed, message: error.description)
        case .invalidInput, .textTooLong, .unknownPrompt:
            return .error(code: .invalidRequest, message: error.description)
        case .overloaded, .shuttingDown, .deadlineExceeded:
            return .error(code: .overloaded, message: error.description)
        case .internalFailure, .unavailable:
            return .error(code: failedCode, message: error.description)
        }
    }

    // MARK: Refusals

    /// xf has no timeout code: OVERLOADED, the envelope's id when it decodes.
    func timeoutReply(to body: [UInt8], limit: Duration) -> [UInt8] {
        let id = (try? XFEnvelope.decode(from: body).id) ?? 0
        return XFEnvelopeReply(id: id, response: .error(
            code: .overloaded, message: "the request did not finish within \(limit)")).encodedFrame()
    }

    func oversizedFrameReply(length: Int) -> [UInt8] {
        XFEnvelopeReply(id: 0, response: .error(
            code: .invalidRequest,
            message: "frame of \(length) bytes exceeds the \(Frame.maximumBodyLength)-byte limit; closing the connection"))
            .encodedFrame()
    }

    /// As xf's daemon does when it is full: OVERLOADED with envelope id 0.
    func overloadedReply(maxConnections: Int) -> [UInt8] {
        XFEnvelopeReply(id: 0, response: .error(
            code: .overloaded, message: "the daemon is serving its maximum of \(maxConnections) connections"))
            .encodedFrame()
    }
}

/// An xf answer before encoding: the envelope id it echoes and the response.
public struct XFEnvelopeReply: Sendable, Equatable {
    public let id: UInt64
    public let response: XFResponse

    public init(id: UInt64, response: XFResponse) {
        self.id = id
        self.response = response
    }

    /// The encoded frame. An answer too large for one frame (a huge Embed batch) becomes an
    /// INVALID_REQUEST error that says so, since xf's client rejects frames over 10 MiB too.
    public func encodedFrame() -> [UInt8] {
        do {
            return try XFEnvelope(id: id, response: response).encodedFrame()
        } catch {
            let message: String
            if case WireError.frameTooLarge(let length, let limit) = error {
                message = "the answer (\(length) bytes) exceeds the \(limit)-byte frame limit; send fewer texts per request"
            } else {
                message = "the answer could not be encoded: \(error)"
            }
            return (try? XFEnvelope(id: id, response: .error(code: .invalidRequest, message: message)).encodedFrame()) ?? []
        }
    }
}
