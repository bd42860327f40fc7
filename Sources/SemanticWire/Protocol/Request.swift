// Request: what a client asks the daemon (cass spec §1.4). `wireTable` is the declaration the codec
// reads: each variant's name, Rust index and fields, in Rust order. Unit variants travel as their
// name, struct variants as {name: [fields in order]}. It must never reorder fields or emit indices.

/// A request, the payload of a `RequestEnvelope`.
public enum Request: Sendable, Equatable, MessagePackCodable, ModelRequestCases {
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

    /// Which variant a request is, without its values.
    public enum Kind: Sendable, CaseIterable {
        case health, embed, rerank, status, submitEmbeddingJob, embeddingJobStatus, cancelEmbeddingJob, shutdown
    }

    /// cass v1's `Request`, in Rust declaration order.
    public static let wireTable = WireEnumTable<Kind>("Request", [
        .health(.health, index: 0),
        .embed(.embed, index: 1),
        .rerank(.rerank, index: 2),
        .status(.status, index: 3),
        WireVariant(.submitEmbeddingJob, "SubmitEmbeddingJob", index: 4, .fields(WireStruct(
            "SubmitEmbeddingJob", fields: ["db_path", "index_path", "two_tier", "fast_model", "quality_model"],
            optional: ["fast_model", "quality_model"]))),
        WireVariant(.embeddingJobStatus, "EmbeddingJobStatus", index: 5, .fields(WireStruct(
            "EmbeddingJobStatus", fields: ["db_path"]))),
        WireVariant(.cancelEmbeddingJob, "CancelEmbeddingJob", index: 6, .fields(WireStruct(
            "CancelEmbeddingJob", fields: ["db_path", "model_id"], optional: ["model_id"]))),
        .shutdown(.shutdown, index: 7),
    ])

    /// The one place a case meets its row in `wireTable`.
    public var kind: Kind {
        switch self {
        case .health: .health
        case .embed: .embed
        case .rerank: .rerank
        case .status: .status
        case .submitEmbeddingJob: .submitEmbeddingJob
        case .embeddingJobStatus: .embeddingJobStatus
        case .cancelEmbeddingJob: .cancelEmbeddingJob
        case .shutdown: .shutdown
        }
    }

    /// The variant name on the wire, e.g. `"SubmitEmbeddingJob"`.
    public var variantName: String { Self.wireTable[kind].name }

    public func encode(to writer: inout MessagePackWriter) throws {
        try Self.wireTable.writeTag(of: kind, to: &writer)
        switch self {
        case .health, .status, .shutdown:
            break
        case .embed(let texts, let model, let dims):
            try writer.writeEmbedFields(texts: texts, model: model, dims: dims)
        case .rerank(let query, let documents, let model):
            try writer.writeRerankFields(query: query, documents: documents, model: model)
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            try writer.writeString(dbPath)
            try writer.writeString(indexPath)
            writer.writeBool(twoTier)
            try writer.writeOptionalString(fastModel)
            try writer.writeOptionalString(qualityModel)
        case .embeddingJobStatus(let dbPath):
            try writer.writeString(dbPath)
        case .cancelEmbeddingJob(let dbPath, let modelID):
            try writer.writeString(dbPath)
            try writer.writeOptionalString(modelID)
        }
    }

    public init(from reader: inout MessagePackReader) throws {
        self = try Self.wireTable.read(&reader) { reader, variant in
            switch variant.kind {
            case .health: return .health
            case .status: return .status
            case .shutdown: return .shutdown
            case .embed: return try .readEmbed(&reader, variant)
            case .rerank: return try .readRerank(&reader, variant)
            case .submitEmbeddingJob: return try Self.readSubmitEmbeddingJob(&reader, variant)
            case .embeddingJobStatus:
                var dbPath = ""
                try readStruct(&reader, variant.fields) { reader, _ in dbPath = try reader.readString() }
                return .embeddingJobStatus(dbPath: dbPath)
            case .cancelEmbeddingJob:
                var dbPath = "", modelID: String? = nil
                try readStruct(&reader, variant.fields) { reader, field in
                    if field == 0 { dbPath = try reader.readString() } else { modelID = try readOptional(&reader) { try $0.readString() } }
                }
                return .cancelEmbeddingJob(dbPath: dbPath, modelID: modelID)
            }
        }
    }

    private static func readSubmitEmbeddingJob(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> Request {
        var dbPath = "", indexPath = "", twoTier = false, fastModel: String? = nil, qualityModel: String? = nil
        try readStruct(&reader, variant.fields) { reader, field in
            switch field {
            case 0: dbPath = try reader.readString()
            case 1: indexPath = try reader.readString()
            case 2: twoTier = try reader.readBool()
            case 3: fastModel = try readOptional(&reader) { try $0.readString() }
            default: qualityModel = try readOptional(&reader) { try $0.readString() }
            }
        }
        return .submitEmbeddingJob(dbPath: dbPath, indexPath: indexPath, twoTier: twoTier,
                                   fastModel: fastModel, qualityModel: qualityModel)
    }
}
