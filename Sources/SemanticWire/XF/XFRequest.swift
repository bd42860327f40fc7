// XFRequest: what an xf client asks its daemon (xf `src/daemon/protocol.rs`, `Request`). `wireTable` is
// the declaration the codec reads; Embed, Rerank, CancelEmbeddingJob and the unit variants are declared
// as in cass (ModelRequests.swift), but `Shutdown` comes fifth and the other two job requests carry
// other fields. Unit variants travel as their name, struct variants as {name: [fields in order]}; never
// as indices.

/// A request of the xf dialect, the nested payload of an `XFEnvelope`.
public enum XFRequest: Sendable, Equatable, MessagePackCodable {
    /// `Health`
    case health
    /// `Embed { texts: Vec<String>, model: String, dims: Option<usize> }`
    case embed(texts: [String], model: String, dims: Int?)
    /// `Rerank { query: String, documents: Vec<String>, model: String }`
    case rerank(query: String, documents: [String], model: String)
    /// `Status`
    case status
    /// `Shutdown`
    case shutdown
    /// `SubmitEmbeddingJob { db_path, index_path, model_id: String, two_tier: bool,
    /// fast_model: Option<String>, quality_model: Option<String> }`
    case submitEmbeddingJob(dbPath: String, indexPath: String, modelID: String, twoTier: Bool,
                            fastModel: String?, qualityModel: String?)
    /// `EmbeddingJobStatus { db_path: Option<String> }` — None asks for every job.
    case embeddingJobStatus(dbPath: String?)
    /// `CancelEmbeddingJob { db_path: String, model_id: Option<String> }`
    case cancelEmbeddingJob(dbPath: String, modelID: String?)

    /// The variants without their values: what names a row of `wireTable`.
    public enum Kind: Sendable, CaseIterable, ModelRequestKinds {
        case health, embed, rerank, status, shutdown, submitEmbeddingJob, embeddingJobStatus, cancelEmbeddingJob
    }
}

extension XFRequest: WireTableEnum, ModelRequestCases {
    /// xf's `Request`, in Rust declaration order (a row's position is its index).
    public static let wireTable = WireEnumTable<XFRequest, Kind>("Request", [
        .health, .embed, .rerank, .status, .shutdown,
        WireVariant(.submitEmbeddingJob, "SubmitEmbeddingJob",
                    fields: ["db_path", "index_path", "model_id", "two_tier", "fast_model", "quality_model"],
                    XFRequest.submitEmbeddingJob),
        // `db_path` is an `Option` here: None asks for every job.
        WireVariant(.embeddingJobStatus, "EmbeddingJobStatus", fields: ["db_path"], XFRequest.embeddingJobStatus),
        .cancelEmbeddingJob,
    ])

    public func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result {
        switch self {
        case .health, .status, .shutdown: return try body(nil) { _ in }
        case .embed(let texts, let model, let dims): return try body(.embed) { try $0.writeStruct(texts, model, dims) }
        case .rerank(let query, let documents, let model): return try body(.rerank) { try $0.writeStruct(query, documents, model) }
        case .submitEmbeddingJob(let dbPath, let indexPath, let modelID, let twoTier, let fastModel, let qualityModel):
            return try body(.submitEmbeddingJob) {
                try $0.writeStruct(dbPath, indexPath, modelID, twoTier, fastModel, qualityModel)
            }
        case .embeddingJobStatus(let dbPath): return try body(.embeddingJobStatus) { try $0.writeStruct(dbPath) }
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return try body(.cancelEmbeddingJob) { try $0.writeStruct(dbPath, modelID) }
        }
    }
}
