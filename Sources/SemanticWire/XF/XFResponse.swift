// XFResponse: what an xf daemon answers (xf `src/daemon/protocol.rs`, `Response`). `wireTable` is the
// declaration the codec reads; every variant is a struct variant, so each travels as {name: [fields in
// order]}. Its payload structs and error codes are in XFPayloads.swift. It must never reorder fields
// or emit indices.

/// A response of the xf dialect, the nested payload of an `XFEnvelope`.
public enum XFResponse: Sendable, Equatable, MessagePackCodable {
    /// `Health { uptime_secs: u64, models_loaded: usize }`
    case health(uptimeSeconds: UInt64, modelsLoaded: Int)
    /// `Embeddings { vectors: Vec<Vec<f32>> }` — no model id, no timing.
    case embeddings([[Float]])
    /// `Scores { scores: Vec<f32> }`
    case scores([Float])
    /// `Status { … }`
    case status(XFStatus)
    /// `Error { code: u16, message: String }`
    case error(code: XFErrorCode, message: String)
    /// `Shutdown { ok: bool }`
    case shutdown(ok: Bool)
    /// `JobSubmitted { job_id: i64, estimated_docs: i64 }`
    case jobSubmitted(jobID: Int64, estimatedDocuments: Int64)
    /// `JobStatus { jobs: Vec<EmbeddingJobInfo> }`
    case jobStatus([XFEmbeddingJobInfo])
    /// `JobCancelled { cancelled_count: usize }`
    case jobCancelled(count: Int)

    /// The variants without their values: what names a row of `wireTable`.
    public enum Kind: Sendable, CaseIterable {
        case health, embeddings, scores, status, error, shutdown, jobSubmitted, jobStatus, jobCancelled
    }
}

extension XFResponse: WireTableEnum {
    /// xf's `Response`, in Rust declaration order (a row's position is its index); every variant a
    /// struct variant.
    public static let wireTable = WireEnumTable<XFResponse, Kind>("Response", [
        WireVariant(.health, "Health", fields: ["uptime_secs", "models_loaded"], XFResponse.health),
        WireVariant(.embeddings, "Embeddings", fields: ["vectors"], XFResponse.embeddings),
        WireVariant(.scores, "Scores", fields: ["scores"], XFResponse.scores),
        WireVariant(.status, "Status", fields: XFStatus.fields, body: XFResponse.status),
        WireVariant(.error, "Error", fields: ["code", "message"], XFResponse.error),
        WireVariant(.shutdown, "Shutdown", fields: ["ok"], XFResponse.shutdown),
        WireVariant(.jobSubmitted, "JobSubmitted", fields: ["job_id", "estimated_docs"], XFResponse.jobSubmitted),
        WireVariant(.jobStatus, "JobStatus", fields: ["jobs"], XFResponse.jobStatus),
        WireVariant(.jobCancelled, "JobCancelled", fields: ["cancelled_count"], XFResponse.jobCancelled),
    ])

    public func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result {
        switch self {
        case .health(let uptime, let modelsLoaded):
            return try body(.health) { try $0.writeStruct(uptime, modelsLoaded) }
        case .embeddings(let vectors): return try body(.embeddings) { try $0.writeStruct(vectors) }
        case .scores(let scores): return try body(.scores) { try $0.writeStruct(scores) }
        case .status(let status): return try body(.status) { try status.encode(to: &$0) }
        case .error(let code, let message): return try body(.error) { try $0.writeStruct(code, message) }
        case .shutdown(let ok): return try body(.shutdown) { try $0.writeStruct(ok) }
        case .jobSubmitted(let jobID, let estimated):
            return try body(.jobSubmitted) { try $0.writeStruct(jobID, estimated) }
        case .jobStatus(let jobs): return try body(.jobStatus) { try $0.writeStruct(jobs) }
        case .jobCancelled(let count): return try body(.jobCancelled) { try $0.writeStruct(count) }
        }
    }
}
