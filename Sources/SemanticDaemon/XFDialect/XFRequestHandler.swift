// Answers the xf daemon dialect with the daemon's own models, counters and jobs: Health, Embed,
// Rerank, Status, Shutdown and the job requests, with xf's error codes. Runs in-process without a
// socket (the server calls it for every xf frame), which is how the mapping is tested. Shares the
// cass handler's host, jobs, counters and idle clock; never touches the connection.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticWire

public final class XFRequestHandler: Sendable {
    /// The cass handler whose host, jobs, counters and shutdown hook this dialect shares.
    public let base: RequestHandler

    public init(base: RequestHandler) {
        self.base = base
    }

    var host: ModelHost { base.host }

    /// The answer to a frame body already known to be xf's: decodes it, handles it, and says whether
    /// the connection should close after the answer is written (after Shutdown). An envelope that
    /// does not decode is answered with id 0, a payload that does not decode with the envelope's id,
    /// both INVALID_REQUEST; a version other than 1 gets VERSION_MISMATCH.
    public func respond(toFrameBody body: [UInt8]) async -> (response: XFEnvelopeReply, closeAfterwards: Bool) {
        let start = ContinuousClock.now
        let (answer, request) = await decodeAndHandle(body)
        // Counted in the daemon's metrics like every dialect: `ok`, or xf's error name (UNKNOWN_MODEL, …).
        let status = if case .error(let code, _) = answer.response.response {
            code.description.split(separator: " ").last.map(String.init) ?? "\(code.rawValue)"
        } else {
            "ok"
        }
        host.metrics.recordRequest(endpoint: request?.variantName ?? "Undecodable", dialect: "xf", status: status,
                                   duration: .now - start)
        return answer
    }

    /// The answer, and the request when the frame decoded to one.

    private func decodeAndHandle(_ body: [UInt8]) async -> ((response: XFEnvelopeReply, closeAfterwards: Bool), XFRequest?) {
        let envelope: XFEnvelope
        do {
            envelope = try XFEnvelope.decode(from: body)
        } catch {
            base.counters.withLock { $0.errors += 1 }
            return ((XFEnvelopeReply(id: 0, response: .error(code: .invalidRequest, message: "decode error: \(error)")), false), nil)
        }
        base.touch()
        base.counters.withLock { $0.totalRequests += 1 }
        base.dialects.recordRequest(.xf)
        guard envelope.version == XFEnvelope.protocolVersion else {
            base.counters.withLock { $0.errors += 1 }
            return ((XFEnvelopeReply(id: envelope.id, response: .error(
                code: .versionMismatch,
                message: "protocol version \(envelope.version) is not supported; this daemon speaks xf version \(XFEnvelope.protocolVersion)")),
                false), nil)
        }
        let request: XFRequest
        do {
            request = try envelope.request()
        } catch {
            base.counters.withLock { $0.errors += 1 }
            return ((XFEnvelopeReply(id: envelope.id, response: .error(code: .invalidRequest, message: "decode error: \(error)")), false), nil)
        }
        let response = await handle(request)
        if case .error = response { base.counters.withLock { $0.errors += 1 } }
        if case .shutdown = request { return ((XFEnvelopeReply(id: envelope.id, response: response), true), request) }
        return ((XFEnvelopeReply(id: envelope.id, response: response), false), request)
    }

    /// Handles one request.
    public func handle(_ request: XFRequest) async -> XFResponse {
        switch request {
        case .submitEmbeddingJob, .embeddingJobStatus, .cancelEmbeddingJob:
            // SQLite and file checks block their thread: never on a connection's event loop
            return await offEventLoop { await dispatch(request) }
        default:
            return await dispatch(request)
        }
    }

    private func dispatch(_ request: XFRequest) async -> XFResponse {
        switch request {
        case .health:
            return .health(uptimeSeconds: base.uptimeSeconds, modelsLoaded: host.modelStates().count { $0.loaded })
        case .status:
            return .status(status())
        case .embed(let texts, let model, let dims):
            base.counters.withLock { $0.embedRequests += 1 }
            guard let descriptor = XFModelNames.resolve(model, kind: .embedder, registry: host.registry) else {
                return .error(code: .unknownModel, message: XFModelNames.unknownModelMessage(model, kind: .embedder, registry: host.registry))
            }
            do {
                return .embeddings(try await host.embed(texts, model: descriptor.id, dims: dims).vectors)
            } catch {
                return errorResponse(error, model: descriptor, failedCode: .embeddingFailed)
            }
        case .rerank(let query, let documents, let model):
            base.counters.withLock { $0.rerankRequests += 1 }
            guard let descriptor = XFModelNames.resolve(model, kind: .reranker, registry: host.registry) else {
                return .error(code: .unknownModel, message: XFModelNames.unknownModelMessage(model, kind: .reranker, registry: host.registry))
            }
            do {
                return .scores(try await host.rerank(query: query, documents: documents, model: descriptor.id).scores)
            } catch {
                return errorResponse(error, model: descriptor, failedCode: .rerankFailed)
            }
        case .shutdown:
            base.onShutdownRequest()
            return .shutdown(ok: true)
        case .submitEmbeddingJob(let dbPath, let indexPath, let modelID, let twoTier, let fastModel, let qualityModel):
            return submitJob(dbPath: dbPath, indexPath: indexPath, modelID: modelID, twoTier: twoTier,
                             fastModel: fastModel, qualityModel: qualityModel)
        case .embeddingJobStatus(let dbPath):
            return jobStatus(dbPath: dbPath)
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return cancelJobs(dbPath: dbPath, modelID: modelID)
        }
    }

    /// Status: the loaded models with their use, RSS in MiB, every request the daemon answered (both
    /// dialects), frames being answered now, and requests waiting for the inference worker.
    func status() -> XFStatus {
        let models = host.modelStates().filter(\.loaded).map { state -> XFLoadedModelInfo in
            let usage = host.usage.usage(of: state.descriptor.id)
            return XFLoadedModelInfo(name: state.descriptor.id, modelType: state.descriptor.kind.rawValue,
                                     loadedAt: usage?.loadedAt ?? 0, requestsServed: usage?.requestsServed ?? 0,
                                     lastUsed: usage?.lastUsed ?? 0)
        }
        return XFStatus(uptimeSeconds: base.uptimeSeconds, models: models,
                        residentMegabytes: Double(ProcessResources.residentBytes()) / 1_048_576,
                        requestsServed: base.counters.withLock { $0.totalRequests },
                        inFlight: base.dialects.inFlight, queueLength: host.scheduler.queuedRequests)
    }

    /// xf's code for a model-layer failure. A failure while the model is loaded happened while
    /// running it (`failedCode`: EMBEDDING_FAILED or RERANK_FAILED); otherwise loading failed.
    func errorResponse(_ error: ServiceError, model: ModelDescriptor, failedCode: XFErrorCode) -> XFResponse {
        switch error {
        case .modelNotFound:
            return .error(code: .unknownModel, message: error.description)
        case .modelNotInstalled:
            return .error(code: .modelLoadFailed, message: error.description)
        case .modelLoadFailed:
            let loaded = host.modelStates().first { $0.descriptor.id == model.id }?.loaded ?? false
            return .error(code: loaded ? failedCode : .modelLoadFailed, message: error.description)
        case .invalidInput:
            return .error(code: .invalidRequest, message: error.description)
        case .overloaded, .shuttingDown:
            return .error(code: .overloaded, message: error.description)
        }
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
