// EmbeddingJobReport: what running a job did, pass by pass: the job row, the outcome (completed with
// counts and what happened to the index file, failed with the error, or cancelled), so the daemon can
// answer status requests even when the archive itself could not record them. Pure values.

/// A job whose pending rows exist in the archive, ready for the runner.
public struct SubmittedEmbeddingJob: Sendable, Equatable {
    public var request: EmbeddingJobRequest
    public var passes: [SubmittedPass]

    public init(request: EmbeddingJobRequest, passes: [SubmittedPass]) {
        self.request = request
        self.passes = passes
    }
}

public struct SubmittedPass: Sendable, Equatable {
    public var pass: EmbeddingPass
    /// The `embedding_jobs` row inserted for this pass at submission.
    public var jobID: Int64

    public init(pass: EmbeddingPass, jobID: Int64) {
        self.pass = pass
        self.jobID = jobID
    }
}

/// Progress of the pass that is running, reported after every chunk.
public struct EmbeddingProgress: Sendable, Equatable {
    public var jobID: Int64
    public var pass: EmbeddingPass
    public var completedDocuments: Int
    public var totalDocuments: Int
}

/// What a completed pass did.
public struct EmbeddingPassSummary: Sendable, Equatable {
    /// What happened to the index file.
    public enum Publication: Sendable, Equatable {
        /// A new file was written and renamed into place.
        case written
        /// The index already held exactly these documents: nothing was written.
        case unchanged
        /// No index existed and there was nothing to put in one: no file was created.
        case noIndex
    }

    public var embedderID: String
    /// `<index_path>/vector_index/index-<embedder_id>.fsvi`.
    public var indexFile: String
    public var publication: Publication
    /// Messages read from the archive.
    public var messagesRead: Int
    /// Documents embedded in this pass.
    public var embeddedDocuments: Int
    /// Documents whose vectors were kept from the existing index.
    public var retainedDocuments: Int
    /// Messages skipped: empty after canonicalisation (or a bare acknowledgement), or a negative id.
    public var skippedMessages: Int
    /// Documents whose vector came out all zeros (hash tokens that cancel exactly): not stored.
    public var documentsWithoutVector: Int
    /// Records in the index after the pass (0 when there is no file).
    public var recordCount: Int
}

/// One pass's outcome.
public struct EmbeddingPassReport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case completed(EmbeddingPassSummary)
        case failed(EmbeddingJobError)
        /// Cancelled while queued or running; nothing was written.
        case cancelled
    }

    public var pass: EmbeddingPass
    /// The job row the pass ran under (a fresh row replaces one that had already finished).
    public var jobID: Int64
    public var outcome: Outcome
    /// Set when the outcome could not be written to the job row (for example, the archive is locked).
    public var recordingError: ArchiveError?
}

public struct EmbeddingJobReport: Sendable, Equatable {
    public var passes: [EmbeddingPassReport]

    public var wasCancelled: Bool {
        passes.contains { $0.outcome == .cancelled }
    }
}
