// XFRequest: what an xf client asks its daemon (xf `src/daemon/protocol.rs`, `Request`). Variant names
// and field order are the wire format: unit variants travel as their name, struct variants as
// {name: [fields in order]}. Differs from cass's Request: `Shutdown` comes fifth, the job requests
// carry other fields. It must never reorder fields or emit variant indices.

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

    /// Variant names in Rust declaration order (the index is accepted when decoding, never written).
    static let variantNames = [
        "Health", "Embed", "Rerank", "Status", "Shutdown", "SubmitEmbeddingJob", "EmbeddingJobStatus",
        "CancelEmbeddingJob",
    ]

    /// The variant name on the wire, e.g. `"SubmitEmbeddingJob"`.
    public var variantName: String {
        switch self {
        case .health: return "Health"
        case .embed: return "Embed"
        case .rerank: return "Rerank"
        case .status: return "Status"
        case .shutdown: return "Shutdown"
        case .submitEmbeddingJob: return "SubmitEmbeddingJob"
        case .embeddingJobStatus: return "EmbeddingJobStatus"
        case .cancelEmbeddingJob: return "CancelEmbeddingJob"
        }
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        switch self {
        case .health, .status, .shutdown:
            try writer.writeString(variantName)
        case .embed(let texts, let model, let dims):
            try writeVariant(&writer, fields: 3)
            try writer.writeStringArray(texts)
            try writer.writeString(model)
            writer.writeOptionalCount(dims)
        case .rerank(let query, let documents, let model):
            try writeVariant(&writer, fields: 3)
            try writer.writeString(query)
            try writer.writeStringArray(documents)
            try writer.writeString(model)
        case .submitEmbeddingJob(let dbPath, let indexPath, let modelID, let twoTier, let fastModel, let qualityModel):
            try writeVariant(&writer, fields: 6)
            try writer.writeString(dbPath)
            try writer.writeString(indexPath)
            try writer.writeString(modelID)
            writer.writeBool(twoTier)
            try writer.writeOptionalString(fastModel)
            try writer.writeOptionalString(qualityModel)
        case .embeddingJobStatus(let dbPath):
            try writeVariant(&writer, fields: 1)
            try writer.writeOptionalString(dbPath)
        case .cancelEmbeddingJob(let dbPath, let modelID):
            try writeVariant(&writer, fields: 2)
            try writer.writeString(dbPath)
            try writer.writeOptionalString(modelID)
        }
    }

    /// `{name: [` with `fields` elements to follow.
    private func writeVariant(_ writer: inout MessagePackWriter, fields: Int) throws {
        try writer.writeMapHeader(count: 1)
        try writer.writeString(variantName)
        try writer.writeArrayHeader(count: fields)
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
            case 4:
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
        static let submitEmbeddingJob = ["db_path", "index_path", "model_id", "two_tier", "fast_model", "quality_model"]
        static let embeddingJobStatus = ["db_path"]
        static let cancelEmbeddingJob = ["db_path", "model_id"]
    }

    private static func readStructVariant(_ variant: Int, _ reader: inout MessagePackReader) throws -> XFRequest {
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
        case 5:
            var dbPath = "", indexPath = "", modelID = "", twoTier = false
            var fastModel: String? = nil, qualityModel: String? = nil
            try readStruct(&reader, type: type, fields: Fields.submitEmbeddingJob, optional: [4, 5]) { reader, field in
                switch field {
                case 0: dbPath = try reader.readString()
                case 1: indexPath = try reader.readString()
                case 2: modelID = try reader.readString()
                case 3: twoTier = try reader.readBool()
                case 4: fastModel = try readOptional(&reader) { try $0.readString() }
                default: qualityModel = try readOptional(&reader) { try $0.readString() }
                }
            }
            return .submitEmbeddingJob(dbPath: dbPath, indexPath: indexPath, modelID: modelID, twoTier: twoTier,
                                       fastModel: fastModel, qualityModel: qualityModel)
        case 6:
            var dbPath: String? = nil
            try readStruct(&reader, type: type, fields: Fields.embeddingJobStatus, optional: [0]) { reader, _ in
                dbPath = try readOptional(&reader) { try $0.readString() }
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
