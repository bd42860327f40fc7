// CassJobRequests: the three embedding-job request variants, whose fields cass v2 kept exactly as
// v1 declares them (cass spec §1.4; v2 spec §3.1 "as v1"). Their field lists are v1's table rows,
// read and written here for v2's request enum. It must never hold a field list of its own: v1's
// `Request.wireTable` is the declaration.

/// The job cases of a cass request enum (enum cases witness these).
protocol CassJobRequestCases {
    static func submitEmbeddingJob(dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?,
                                   qualityModel: String?) -> Self
    static func embeddingJobStatus(dbPath: String) -> Self
    static func cancelEmbeddingJob(dbPath: String, modelID: String?) -> Self
}

extension WireVariant {
    /// `SubmitEmbeddingJob { db_path, index_path, two_tier, fast_model?, quality_model? }`, as in v1.
    static func submitEmbeddingJob(_ kind: Kind, index: Int) -> WireVariant {
        WireVariant(kind, "SubmitEmbeddingJob", index: index, .fields(Request.wireTable[.submitEmbeddingJob].fields))
    }
    /// `EmbeddingJobStatus { db_path }`, as in v1.
    static func embeddingJobStatus(_ kind: Kind, index: Int) -> WireVariant {
        WireVariant(kind, "EmbeddingJobStatus", index: index, .fields(Request.wireTable[.embeddingJobStatus].fields))
    }
    /// `CancelEmbeddingJob { db_path, model_id? }`, as in v1.
    static func cancelEmbeddingJob(_ kind: Kind, index: Int) -> WireVariant {
        WireVariant(kind, "CancelEmbeddingJob", index: index, .fields(Request.wireTable[.cancelEmbeddingJob].fields))
    }
}

extension CassJobRequestCases {
    /// A `SubmitEmbeddingJob` request's fields, as its row declares them.
    static func readSubmitEmbeddingJob<Kind>(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> Self {
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

    /// An `EmbeddingJobStatus` request's field, as its row declares it.
    static func readEmbeddingJobStatus<Kind>(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> Self {
        var dbPath = ""
        try readStruct(&reader, variant.fields) { reader, _ in dbPath = try reader.readString() }
        return .embeddingJobStatus(dbPath: dbPath)
    }

    /// A `CancelEmbeddingJob` request's fields, as its row declares them.
    static func readCancelEmbeddingJob<Kind>(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> Self {
        var dbPath = "", modelID: String? = nil
        try readStruct(&reader, variant.fields) { reader, field in
            if field == 0 { dbPath = try reader.readString() } else { modelID = try readOptional(&reader) { try $0.readString() } }
        }
        return .cancelEmbeddingJob(dbPath: dbPath, modelID: modelID)
    }
}

extension MessagePackWriter {
    /// A `SubmitEmbeddingJob` request's fields, after its tag.
    mutating func writeSubmitEmbeddingJobFields(dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?,
                                                qualityModel: String?) throws {
        try writeString(dbPath)
        try writeString(indexPath)
        writeBool(twoTier)
        try writeOptionalString(fastModel)
        try writeOptionalString(qualityModel)
    }

    /// A `CancelEmbeddingJob` request's fields, after its tag.
    mutating func writeCancelEmbeddingJobFields(dbPath: String, modelID: String?) throws {
        try writeString(dbPath)
        try writeOptionalString(modelID)
    }
}
