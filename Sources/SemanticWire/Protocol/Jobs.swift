// The embedding-job payloads of JobStatus responses (cass spec §1.6 and §7.5): one row of the
// `embedding_jobs` table per job. Pure values; they must never query or know the database.

/// `EmbeddingJobDetail { job_id: i64, model_id: String, status: String, total_docs: i64,
/// completed_docs: i64, error_message: Option<String> }`
public struct EmbeddingJobDetail: Sendable, Equatable, MessagePackCodable {
    /// The database row id (not the request id that `JobSubmitted` returns).
    public var jobID: Int64
    public var modelID: String
    /// `pending`, `running`, `completed`, `failed` or `cancelled`.
    public var status: String
    public var totalDocuments: Int64
    public var completedDocuments: Int64
    public var errorMessage: String?

    public init(jobID: Int64, modelID: String, status: String, totalDocuments: Int64,
                completedDocuments: Int64, errorMessage: String?) {
        self.jobID = jobID
        self.modelID = modelID
        self.status = status
        self.totalDocuments = totalDocuments
        self.completedDocuments = completedDocuments
        self.errorMessage = errorMessage
    }

    static let fields = WireStruct(
        "EmbeddingJobDetail", fields: ["job_id", "model_id", "status", "total_docs", "completed_docs", "error_message"],
        optional: ["error_message"])

    public init(from reader: inout MessagePackReader) throws {
        var jobID: Int64 = 0, modelID = "", status = "", total: Int64 = 0, completed: Int64 = 0
        var errorMessage: String? = nil
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: jobID = try reader.readSigned()
            case 1: modelID = try reader.readString()
            case 2: status = try reader.readString()
            case 3: total = try reader.readSigned()
            case 4: completed = try reader.readSigned()
            default: errorMessage = try readOptional(&reader) { try $0.readString() }
            }
        }
        self.init(jobID: jobID, modelID: modelID, status: status, totalDocuments: total,
                  completedDocuments: completed, errorMessage: errorMessage)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeSigned(jobID)
        try writer.writeString(modelID)
        try writer.writeString(status)
        writer.writeSigned(totalDocuments)
        writer.writeSigned(completedDocuments)
        try writer.writeOptionalString(errorMessage)
    }
}

/// `EmbeddingJobInfo { jobs: Vec<EmbeddingJobDetail> }` — a one-field struct, so it encodes as a
/// one-element array around the job list: `[[job, …]]`.
public struct EmbeddingJobInfo: Sendable, Equatable, MessagePackCodable {
    /// Newest first.
    public var jobs: [EmbeddingJobDetail]

    public init(jobs: [EmbeddingJobDetail]) {
        self.jobs = jobs
    }

    static let fields = WireStruct("EmbeddingJobInfo", fields: ["jobs"])

    public init(from reader: inout MessagePackReader) throws {
        var jobs: [EmbeddingJobDetail] = []
        try readStruct(&reader, Self.fields) { reader, _ in
            jobs = try reader.readArray { try EmbeddingJobDetail(from: &$0) }
        }
        self.init(jobs: jobs)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeArrayHeader(count: jobs.count)
        for job in jobs { try job.encode(to: &writer) }
    }
}
