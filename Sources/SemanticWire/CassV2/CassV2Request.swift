// CassV2Request: what a cass protocol v2 client asks (v2 spec §3.1). `wireTable` is the declaration
// the codec reads: 13 variants in Rust order, each with its name and fields — v1's eight plus five
// attested ones inserted in the middle, so every index after `Health` moved. Unit variants travel as
// their name, struct variants as {name: [fields in order]}. It must never emit an index.

/// A request of cass protocol v2, the payload of a `CassV2RequestEnvelope`.
public enum CassV2Request: Sendable, Equatable {
    /// `Health`
    case health
    /// `ConnectionIdentity`: the daemon's `DaemonConnectionIdentityV1`.
    case connectionIdentity
    /// `HandshakeAttested { challenge: DaemonChallengeV1 }`
    case handshakeAttested(challenge: DaemonChallengeV1)
    /// `HealthAttested { challenge: DaemonChallengeV1 }`
    case healthAttested(challenge: DaemonChallengeV1)
    /// `Embed { texts: Vec<String>, model: String, dims: Option<usize> }`, unattested.
    case embed(texts: [String], model: String, dims: Int?)
    /// `EmbedAttested { texts: Vec<String>, model: String, dims: Option<usize>, challenge: DaemonChallengeV1 }`
    case embedAttested(texts: [String], model: String, dims: Int?, challenge: DaemonChallengeV1)
    /// `Rerank { query: String, documents: Vec<String>, model: String }`, unattested.
    case rerank(query: String, documents: [String], model: String)
    /// `RerankAttested { query: String, documents: Vec<String>, model: String, challenge: DaemonChallengeV1 }`
    case rerankAttested(query: String, documents: [String], model: String, challenge: DaemonChallengeV1)
    /// `Status`
    case status
    /// `SubmitEmbeddingJob { db_path, index_path, two_tier: bool, fast_model: Option<String>,
    /// quality_model: Option<String> }`, as in v1.
    case submitEmbeddingJob(dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?, qualityModel: String?)
    /// `EmbeddingJobStatus { db_path: String }`, as in v1.
    case embeddingJobStatus(dbPath: String)
    /// `CancelEmbeddingJob { db_path: String, model_id: Option<String> }`, as in v1.
    case cancelEmbeddingJob(dbPath: String, modelID: String?)
    /// `Shutdown`
    case shutdown

    /// The variants without their values: what names a row of `wireTable`.
    public enum Kind: Sendable, CaseIterable, ModelRequestKinds {
        case health, connectionIdentity, handshakeAttested, healthAttested, embed, embedAttested, rerank
        case rerankAttested, status, submitEmbeddingJob, embeddingJobStatus, cancelEmbeddingJob, shutdown
    }

    /// The challenge of an attested request; nil for the others.
    public var challenge: DaemonChallengeV1? {
        switch self {
        case .handshakeAttested(let challenge), .healthAttested(let challenge): challenge
        case .embedAttested(_, _, _, let challenge), .rerankAttested(_, _, _, let challenge): challenge
        default: nil
        }
    }
}

extension CassV2Request: WireTableEnum, ModelRequestCases {
    /// cass v2's `Request`, in Rust declaration order (a row's position is its index). The job
    /// requests' fields are v1's.
    public static let wireTable = WireEnumTable<CassV2Request, Kind>("Request", [
        .health,
        WireVariant(.connectionIdentity, "ConnectionIdentity", unit: .connectionIdentity),
        WireVariant(.handshakeAttested, "HandshakeAttested", fields: ["challenge"], CassV2Request.handshakeAttested),
        WireVariant(.healthAttested, "HealthAttested", fields: ["challenge"], CassV2Request.healthAttested),
        .embed,
        WireVariant(.embedAttested, "EmbedAttested", fields: ["texts", "model", "dims", "challenge"],
                    CassV2Request.embedAttested),
        .rerank,
        WireVariant(.rerankAttested, "RerankAttested", fields: ["query", "documents", "model", "challenge"],
                    CassV2Request.rerankAttested),
        .status,
        WireVariant(.submitEmbeddingJob, "SubmitEmbeddingJob",
                    fields: ["db_path", "index_path", "two_tier", "fast_model", "quality_model"],
                    CassV2Request.submitEmbeddingJob),
        WireVariant(.embeddingJobStatus, "EmbeddingJobStatus", fields: ["db_path"], CassV2Request.embeddingJobStatus),
        .cancelEmbeddingJob, .shutdown,
    ])

    public func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result {
        switch self {
        case .health, .connectionIdentity, .status, .shutdown: return try body(nil) { _ in }
        case .handshakeAttested(let challenge): return try body(.handshakeAttested) { try $0.writeStruct(challenge) }
        case .healthAttested(let challenge): return try body(.healthAttested) { try $0.writeStruct(challenge) }
        case .embed(let texts, let model, let dims): return try body(.embed) { try $0.writeStruct(texts, model, dims) }
        case .embedAttested(let texts, let model, let dims, let challenge):
            return try body(.embedAttested) { try $0.writeStruct(texts, model, dims, challenge) }
        case .rerank(let query, let documents, let model): return try body(.rerank) { try $0.writeStruct(query, documents, model) }
        case .rerankAttested(let query, let documents, let model, let challenge):
            return try body(.rerankAttested) { try $0.writeStruct(query, documents, model, challenge) }
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            return try body(.submitEmbeddingJob) { try $0.writeStruct(dbPath, indexPath, twoTier, fastModel, qualityModel) }
        case .embeddingJobStatus(let dbPath): return try body(.embeddingJobStatus) { try $0.writeStruct(dbPath) }
        case .cancelEmbeddingJob(let dbPath, let modelID):
            return try body(.cancelEmbeddingJob) { try $0.writeStruct(dbPath, modelID) }
        }
    }
}

extension CassV2Request {
    /// Whether a cass v2 client accepts `response` as the answer to this request (spec §3.3): an
    /// `Error`, or the one kind that answers it.
    public func accepts(_ response: CassV2Response) -> Bool {
        guard let request = try? variant(in: Self.wireTable).kind,
              let answer = try? response.variant(in: CassV2Response.wireTable).kind else { return false }
        return request.accepts(answer)
    }
}

extension CassV2Request.Kind {
    /// Whether a cass v2 client accepts `response` as the answer to a request of this kind (spec §3.3):
    /// `Error` always; otherwise only the kind that answers it. Any other pairing closes the connection.
    public func accepts(_ response: CassV2Response.Kind) -> Bool {
        response == .error || response == answer
    }

    /// The response kind that answers a request of this kind, apart from `Error`.
    public var answer: CassV2Response.Kind {
        switch self {
        case .health: .health
        case .connectionIdentity: .connectionIdentity
        case .handshakeAttested, .healthAttested: .attestation
        case .embed: .embed
        case .embedAttested, .rerankAttested: .attestedEmbedding
        case .rerank: .rerank
        case .status: .status
        case .submitEmbeddingJob: .jobSubmitted
        case .embeddingJobStatus: .jobStatus
        case .cancelEmbeddingJob: .jobCancelled
        case .shutdown: .shutdown
        }
    }
}
