// The protocol values rendered as the JSON trees of frames.json (structs as objects keyed by their
// Rust field names, unit variants as strings, other variants as {name: payload}). Written apart from
// the codec, so a golden's `value` checks the decoder against an independent reading of the spec.
import SemanticTestSupport
import SemanticWire

protocol JSONRenderable {
    var json: JSONValue { get }
}

private func number(_ value: Float) -> JSONValue { .number(Double(value)) }
private func unsigned(_ value: UInt64) -> JSONValue { .unsignedInteger(value) }
private func optional<T>(_ value: T?, _ render: (T) -> JSONValue) -> JSONValue { value.map(render) ?? .null }

extension Envelope: JSONRenderable where Payload: JSONRenderable {
    var json: JSONValue {
        .object(["version": unsigned(UInt64(version)), "request_id": .string(requestID), "payload": payload.json])
    }
}

extension Request: JSONRenderable {
    var json: JSONValue {
        switch self {
        case .health: return .string("Health")
        case .status: return .string("Status")
        case .shutdown: return .string("Shutdown")
        case .embed(let texts, let model, let dims):
            return .object(["Embed": .object([
                "texts": .array(texts.map(JSONValue.string)), "model": .string(model),
                "dims": optional(dims) { .integer(Int64($0)) },
            ])])
        case .rerank(let query, let documents, let model):
            return .object(["Rerank": .object([
                "query": .string(query), "documents": .array(documents.map(JSONValue.string)), "model": .string(model),
            ])])
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            return .object(["SubmitEmbeddingJob": .object([
                "db_path": .string(dbPath), "index_path": .string(indexPath), "two_tier": .bool(twoTier),
                "fast_model": optional(fastModel, JSONValue.string), "quality_model": optional(qualityModel, JSONValue.string),
            ])])
        case .embeddingJobStatus(let dbPath):
            return .object(["EmbeddingJobStatus": .object(["db_path": .string(dbPath)])])
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return .object(["CancelEmbeddingJob": .object([
                "db_path": .string(dbPath), "model_id": optional(modelID, JSONValue.string),
            ])])
        }
    }
}

extension Response: JSONRenderable {
    var json: JSONValue {
        switch self {
        case .health(let status):
            return .object(["Health": .object([
                "uptime_secs": unsigned(status.uptimeSeconds), "version": unsigned(UInt64(status.version)),
                "ready": .bool(status.ready), "memory_bytes": unsigned(status.memoryBytes),
            ])])
        case .embed(let response):
            return .object(["Embed": .object([
                "embeddings": .array(response.embeddings.map { .array($0.map(number)) }),
                "model": .string(response.model), "elapsed_ms": unsigned(response.elapsedMilliseconds),
            ])])
        case .rerank(let response):
            return .object(["Rerank": .object([
                "scores": .array(response.scores.map(number)),
                "model": .string(response.model), "elapsed_ms": unsigned(response.elapsedMilliseconds),
            ])])
        case .status(let status):
            return .object(["Status": .object([
                "uptime_secs": unsigned(status.uptimeSeconds), "version": unsigned(UInt64(status.version)),
                "embedders": .array(status.embedders.map(\.json)), "rerankers": .array(status.rerankers.map(\.json)),
                "memory_bytes": unsigned(status.memoryBytes), "total_requests": unsigned(status.totalRequests),
            ])])
        case .jobSubmitted(let jobID, let message):
            return .object(["JobSubmitted": .object(["job_id": .string(jobID), "message": .string(message)])])
        case .jobStatus(let info):
            return .object(["JobStatus": .object(["jobs": .array(info.jobs.map(\.json))])])
        case .jobCancelled(let cancelled, let message):
            return .object(["JobCancelled": .object(["cancelled": .integer(Int64(cancelled)), "message": .string(message)])])
        case .shutdown(let message):
            return .object(["Shutdown": .object(["message": .string(message)])])
        case .error(let error):
            return .object(["Error": .object([
                "code": .string(error.code.name), "message": .string(error.message), "retryable": .bool(error.retryable),
                "retry_after_ms": optional(error.retryAfterMilliseconds, unsigned),
            ])])
        }
    }
}

extension ModelInfo: JSONRenderable {
    var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "dimension": optional(dimension) { .integer(Int64($0)) },
            "loaded": .bool(loaded), "memory_bytes": unsigned(memoryBytes),
        ])
    }
}

extension EmbeddingJobDetail: JSONRenderable {
    var json: JSONValue {
        .object([
            "job_id": .integer(jobID), "model_id": .string(modelID), "status": .string(status),
            "total_docs": .integer(totalDocuments), "completed_docs": .integer(completedDocuments),
            "error_message": optional(errorMessage, JSONValue.string),
        ])
    }
}
