// The cass v2 messages rendered as the JSON trees of v2-frames.json (serde's JSON: structs as objects
// keyed by their Rust field names, unit variants as strings, other variants as {name: payload}).
// Written apart from the codec, so a golden's `value` checks the decoder against an independent
// reading of the spec.
import SemanticTestSupport
import SemanticWire

private func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> JSONValue { .unsignedInteger(UInt64(value)) }
private func optional<T>(_ value: T?, _ render: (T) -> JSONValue) -> JSONValue { value.map(render) ?? .null }
private func floats(_ values: [Float]) -> JSONValue { .array(values.map { .number(Double($0)) }) }
private func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

extension CassV2Envelope: JSONRenderable where Payload: JSONRenderable {
    var json: JSONValue {
        .object(["version": unsigned(version), "request_id": .string(requestID), "payload": payload.json])
    }
}

extension CassV2Request: JSONRenderable {
    var json: JSONValue {
        switch self {
        case .health: return .string("Health")
        case .connectionIdentity: return .string("ConnectionIdentity")
        case .status: return .string("Status")
        case .shutdown: return .string("Shutdown")
        case .handshakeAttested(let challenge):
            return .object(["HandshakeAttested": .object(["challenge": challenge.json])])
        case .healthAttested(let challenge):
            return .object(["HealthAttested": .object(["challenge": challenge.json])])
        case .embed(let texts, let model, let dims):
            return .object(["Embed": .object([
                "texts": strings(texts), "model": .string(model), "dims": optional(dims) { .integer(Int64($0)) },
            ])])
        case .embedAttested(let texts, let model, let dims, let challenge):
            return .object(["EmbedAttested": .object([
                "texts": strings(texts), "model": .string(model), "dims": optional(dims) { .integer(Int64($0)) },
                "challenge": challenge.json,
            ])])
        case .rerank(let query, let documents, let model):
            return .object(["Rerank": .object([
                "query": .string(query), "documents": strings(documents), "model": .string(model),
            ])])
        case .rerankAttested(let query, let documents, let model, let challenge):
            return .object(["RerankAttested": .object([
                "query": .string(query), "documents": strings(documents), "model": .string(model),
                "challenge": challenge.json,
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

extension CassV2Response: JSONRenderable {
    var json: JSONValue {
        switch self {
        case .health(let status):
            return .object(["Health": .object([
                "uptime_secs": unsigned(status.uptimeSeconds), "version": unsigned(status.version),
                "ready": .bool(status.ready), "memory_bytes": unsigned(status.memoryBytes),
            ])])
        case .connectionIdentity(let identity):
            return .object(["ConnectionIdentity": identity.json])
        case .attestation(let proof):
            return .object(["Attestation": proof.json])
        case .embed(let response):
            return .object(["Embed": .object([
                "embeddings": .array(response.embeddings.map(floats)),
                "model": .string(response.model), "elapsed_ms": unsigned(response.elapsedMilliseconds),
            ])])
        case .attestedEmbedding(let response):
            return .object(["AttestedEmbedding": response.json])
        case .rerank(let response):
            return .object(["Rerank": .object([
                "scores": floats(response.scores), "model": .string(response.model),
                "elapsed_ms": unsigned(response.elapsedMilliseconds),
            ])])
        case .status(let status):
            return .object(["Status": .object([
                "uptime_secs": unsigned(status.uptimeSeconds), "version": unsigned(status.version),
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
