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
        "EmbeddingJobDetail", fields: ["job_id", "model_id", "status", "total_docs", "completed_docs", "error_message"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(jobID:modelID:status:totalDocuments:completedDocuments:errorMessage:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(jobID, modelID, status, totalDocuments, completedDocuments, errorMessage)
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
        self = try readStruct(&reader, Self.fields, Self.init(jobs:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(jobs)
    }
}
