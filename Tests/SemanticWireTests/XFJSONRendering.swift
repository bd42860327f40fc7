// The xf dialect's values rendered as the JSON trees of xf-frames.json (structs as objects keyed by
// their Rust field names, unit variants as strings, other variants as {name: payload}). Written apart
// from the codec, so a golden's `value` checks the decoder against an independent reading of the spec.
import SemanticTestSupport
import SemanticWire

private func float(_ value: Float) -> JSONValue { .number(Double(value)) }
private func optional<T>(_ value: T?, _ render: (T) -> JSONValue) -> JSONValue { value.map(render) ?? .null }

extension XFRequest {
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
        case .submitEmbeddingJob(let dbPath, let indexPath, let modelID, let twoTier, let fastModel, let qualityModel):
            return .object(["SubmitEmbeddingJob": .object([
                "db_path": .string(dbPath), "index_path": .string(indexPath), "model_id": .string(modelID),
                "two_tier": .bool(twoTier), "fast_model": optional(fastModel, JSONValue.string),
                "quality_model": optional(qualityModel, JSONValue.string),
            ])])
        case .embeddingJobStatus(let dbPath):
            return .object(["EmbeddingJobStatus": .object(["db_path": optional(dbPath, JSONValue.string)])])
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return .object(["CancelEmbeddingJob": .object([
                "db_path": .string(dbPath), "model_id": optional(modelID, JSONValue.string),
            ])])
        }
    }
}

extension XFResponse {
    var json: JSONValue {
        switch self {
        case .health(let uptime, let loaded):
            return .object(["Health": .object(["uptime_secs": .unsignedInteger(uptime), "models_loaded": .integer(Int64(loaded))])])
        case .embeddings(let vectors):
            return .object(["Embeddings": .object(["vectors": .array(vectors.map { .array($0.map(float)) })])])
        case .scores(let scores):
            return .object(["Scores": .object(["scores": .array(scores.map(float))])])
        case .status(let status):
            return .object(["Status": .object([
                "uptime_secs": .unsignedInteger(status.uptimeSeconds),
                "models": .array(status.models.map { model in
                    .object([
                        "name": .string(model.name), "model_type": .string(model.modelType),
                        "loaded_at": .unsignedInteger(model.loadedAt), "requests_served": .unsignedInteger(model.requestsServed),
                        "last_used": .unsignedInteger(model.lastUsed),
                    ])
                }),
                "rss_mb": .number(status.residentMegabytes),
                "requests_served": .unsignedInteger(status.requestsServed),
                "in_flight": .integer(Int64(status.inFlight)), "queue_len": .integer(Int64(status.queueLength)),
            ])])
        case .error(let code, let message):
            return .object(["Error": .object(["code": .integer(Int64(code.rawValue)), "message": .string(message)])])
        case .shutdown(let ok):
            return .object(["Shutdown": .object(["ok": .bool(ok)])])
        case .jobSubmitted(let jobID, let estimated):
            return .object(["JobSubmitted": .object(["job_id": .integer(jobID), "estimated_docs": .integer(estimated)])])
        case .jobStatus(let jobs):
            return .object(["JobStatus": .object(["jobs": .array(jobs.map { job in
                .object([
                    "id": .integer(job.id), "db_path": .string(job.dbPath), "model_id": .string(job.modelID),
                    "status": .string(job.status), "total_docs": .integer(job.totalDocuments),
                    "completed_docs": .integer(job.completedDocuments), "progress_pct": float(job.progressPercent),
                    "created_at": .integer(job.createdAt), "started_at": .integer(job.startedAt),
                    "completed_at": .integer(job.completedAt), "error_message": optional(job.errorMessage, JSONValue.string),
                ])
            })])])
        case .jobCancelled(let count):
            return .object(["JobCancelled": .object(["cancelled_count": .integer(Int64(count))])])
        }
    }
}
