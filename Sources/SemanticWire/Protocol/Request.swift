// Request: what a client asks the daemon (cass spec §1.4). Variant names and field order are the
// wire format: unit variants travel as their name, struct variants as {name: [fields in order]}.
// It must never reorder fields or emit variant indices.

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

    /// Variant names in Rust declaration order (the index is accepted when decoding, never written).
    static let variantNames = [
        "Health", "Embed", "Rerank", "Status", "SubmitEmbeddingJob", "EmbeddingJobStatus",
        "CancelEmbeddingJob", "Shutdown",
    ]

    /// The variant name on the wire, e.g. `"SubmitEmbeddingJob"`.
    public var variantName: String {
        switch self {
        case .health: return "Health"
        case .embed: return "Embed"
        case .rerank: return "Rerank"
        case .status: return "Status"
        case .submitEmbeddingJob: return "SubmitEmbeddingJob"
        case .embeddingJobStatus: return "EmbeddingJobStatus"
        case .cancelEmbeddingJob: return "CancelEmbeddingJob"
        case .shutdown: return "Shutdown"
        }
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        switch self {
        case .health, .status, .shutdown:
            try writer.writeString(variantName)
            return
        default:
            try writer.writeMapHeader(count: 1)
            try writer.writeString(variantName)
        }
        switch self {
        case .health, .status, .shutdown:
            break
        case .embed(let texts, let model, let dims):
            try writer.writeArrayHeader(count: 3)
            try writer.writeStringArray(texts)
            try writer.writeString(model)
            writer.writeOptionalCount(dims)
        case .rerank(let query, let documents, let model):
            try writer.writeArrayHeader(count: 3)
            try writer.writeString(query)
            try writer.writeStringArray(documents)
            try writer.writeString(model)
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            try writer.writeArrayHeader(count: 5)
            try writer.writeString(dbPath)
            try writer.writeString(indexPath)
            writer.writeBool(twoTier)
            try writer.writeOptionalString(fastModel)
            try writer.writeOptionalString(qualityModel)
        case .embeddingJobStatus(let dbPath):
            try writer.writeArrayHeader(count: 1)
            try writer.writeString(dbPath)
        case .cancelEmbeddingJob(let dbPath, let modelID):
            try writer.writeArrayHeader(count: 2)
            try writer.writeString(dbPath)
            try writer.writeOptionalString(modelID)
        }
    }

    public init(from reader: inout MessagePackReader) throws {
        self = try readEnum(&reader, type: "Request", variants: Self.variantNames) { reader, variant, form in
            switch variant {
            case 0:
                try readUnitPayload(&reader, form)
                return .health
            case 3:
                try readUnitPayload(&reader, form)
                return .status
            case 7:
                try readUnitPayload(&reader, form)
                return .shutdown
            default:
                try requirePayload(form, type: Self.variantNames[variant])
                return try Self.readStructVariant(variant, &reader)
            }
        }
    }

    /// Field names of the struct variants, in order (the map form's keys).
    private enum Fields {
        static let embed = ["texts", "model", "dims"]
        static let rerank = ["query", "documents", "model"]
        static let submitEmbeddingJob = ["db_path", "index_path", "two_tier", "fast_model", "quality_model"]
        static let embeddingJobStatus = ["db_path"]
        static let cancelEmbeddingJob = ["db_path", "model_id"]
    }

    private static func readStructVariant(_ variant: Int, _ reader: inout MessagePackReader) throws -> Request {
        let type = variantNames[variant]
        switch variant {
        case 1:
            var texts: [String] = [], model = "", dims: Int? = nil
            try readStruct(&reader, type: type, fields: Fields.embed, optional: [2]) { reader, field in
                switch field {
                case 0: texts = try reader.readStringArray()
                case 1: model = try reader.readString()
                default: dims = try readOptional(&reader) { try $0.readCount() }
                }
            }
            return .embed(texts: texts, model: model, dims: dims)
        case 2:
            var query = "", documents: [String] = [], model = ""
            try readStruct(&reader, type: type, fields: Fields.rerank) { reader, field in
                switch field {
                case 0: query = try reader.readString()
                case 1: documents = try reader.readStringArray()
                default: model = try reader.readString()
                }
            }
            return .rerank(query: query, documents: documents, model: model)
        case 4:
            var dbPath = "", indexPath = "", twoTier = false, fastModel: String? = nil, qualityModel: String? = nil
            try readStruct(&reader, type: type, fields: Fields.submitEmbeddingJob, optional: [3, 4]) { reader, field in
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
        case 5:
            var dbPath = ""
            try readStruct(&reader, type: type, fields: Fields.embeddingJobStatus) { reader, _ in
                dbPath = try reader.readString()
            }
            return .embeddingJobStatus(dbPath: dbPath)
        default:
            var dbPath = "", modelID: String? = nil
            try readStruct(&reader, type: type, fields: Fields.cancelEmbeddingJob, optional: [1]) { reader, field in
                switch field {
                case 0: dbPath = try reader.readString()
                default: modelID = try readOptional(&reader) { try $0.readString() }
                }
            }
            return .cancelEmbeddingJob(dbPath: dbPath, modelID: modelID)
        }
    }
}
