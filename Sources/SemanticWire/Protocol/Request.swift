// Request: what a client asks the daemon (cass spec §1.4). `wireTable` is the declaration the codec
// reads: the variants in Rust order, each with its fields; Health, Embed, Rerank, Status,
// CancelEmbeddingJob and Shutdown are declared as in xf (ModelRequests.swift). Unit variants travel as
// their name, struct variants as {name: [fields in order]}. It must never reorder fields or emit indices.

/// A request, the payload of a `RequestEnvelope`.
public enum Request: Sendable, Equatable, MessagePackCodable {
    /// `Health`
    case health
    /// `Embed { texts: Vec<String>, model: String, dims: Option<usize> }`
    case embed(texts: [String], model: String, dims: Int?)
    /// `Rerank { query: String, documents: Vec<String>, model: String }`
    case rerank(query: String, documents: [String], model: String)
    /// `Status`
    case status
    /// `SubmitEmbeddingJob { db_path, index_path, two_tier: bool, fast_model: Option<String>,
    /// quality_model: Option<String> }`
    case submitEmbeddingJob(dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?, qualityModel: String?)
    /// `EmbeddingJobStatus { db_path: String }`
    case embeddingJobStatus(dbPath: String)
    /// `CancelEmbeddingJob { db_path: String, model_id: Option<String> }`
    case cancelEmbeddingJob(dbPath: String, modelID: String?)
    /// `Shutdown`
    case shutdown

    /// The variants without their values: what names a row of `wireTable`.
    public enum Kind: Sendable, CaseIterable, ModelRequestKinds {
        case health, embed, rerank, status, submitEmbeddingJob, embeddingJobStatus, cancelEmbeddingJob, shutdown
    }
}

extension Request: WireTableEnum, ModelRequestCases {
    /// cass v1's `Request`, in Rust declaration order (a row's position is its index).
    public static let wireTable = WireEnumTable<Request, Kind>("Request", [
        .health, .embed, .rerank, .status,
        WireVariant(.submitEmbeddingJob, "SubmitEmbeddingJob",
                    fields: ["db_path", "index_path", "two_tier", "fast_model", "quality_model"], Request.submitEmbeddingJob),
        WireVariant(.embeddingJobStatus, "EmbeddingJobStatus", fields: ["db_path"], Request.embeddingJobStatus),
        .cancelEmbeddingJob, .shutdown,
    ])

    public func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result {
        switch self {
        case .health, .status, .shutdown: return try body(nil) { _ in }
        case .embed(let texts, let model, let dims): return try body(.embed) { try $0.writeStruct(texts, model, dims) }
        case .rerank(let query, let documents, let model): return try body(.rerank) { try $0.writeStruct(query, documents, model) }
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            return try body(.submitEmbeddingJob) { try $0.writeStruct(dbPath, indexPath, twoTier, fastModel, qualityModel) }
        case .embeddingJobStatus(let dbPath): return try body(.embeddingJobStatus) { try $0.writeStruct(dbPath) }
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return try body(.cancelEmbeddingJob) { try $0.writeStruct(dbPath, modelID) }
        }
    }
}
