// EmbeddingJobError: why one pass of an embedding job failed, in a sentence that goes into the job row's
// error_message: what was wrong, where, and what to do. Wraps archive and index errors with their own
// messages. Only describes failures; the runner decides what happens next.

public enum EmbeddingJobError: Error, Equatable, CustomStringConvertible {
    case archive(ArchiveError)
    case index(FSVIError)
    /// The pass names a model the worker cannot embed with.
    case unsupportedModel(name: String)
    /// The pass needs the quality embedder but the runner was given none.
    case qualityEmbedderUnavailable(name: String)
    /// `index_path` does not exist or is not a directory.
    case indexDirectoryMissing(path: String)
    /// `<index_path>/vector_index` cannot be created or written.
    case indexDirectoryNotWritable(path: String, reason: String)
    /// Two messages produced the same document id, so the index cannot hold both.
    case duplicateDocumentID(documentID: String, firstMessageID: Int64, secondMessageID: Int64)
    /// The embedder threw.
    case embedderFailed(model: String, reason: String)
    /// The embedder returned the wrong number of vectors, a wrong dimension or non-finite values.
    case embedderOutput(model: String, problem: String)

    public var description: String {
        switch self {
        case .archive(let error): return error.description
        case .index(let error): return error.description
        case .unsupportedModel(let name):
            return "unsupported semantic model '\(name)' for the embedding worker; "
                + "it supports only minilm (all-MiniLM-L6-v2) and hash (fnv1a-384)"
        case .qualityEmbedderUnavailable(let name):
            return "the '\(name)' pass needs the MiniLM embedder, which is not loaded; "
                + "install it with `semctl models install minilm` and resubmit the job"
        case .indexDirectoryMissing(let path):
            return "the index directory \(path) does not exist or is not a directory; create it or fix the job's index_path"
        case .indexDirectoryNotWritable(let path, let reason):
            return "cannot write vector indexes into \(path) (\(reason)); make it writable by the daemon's user"
        case .duplicateDocumentID(let documentID, let first, let second):
            return "messages \(first) and \(second) have the same document id \(documentID); "
                + "an index cannot hold both, so nothing was written"
        case .embedderFailed(let model, let reason):
            return "the \(model) embedder failed: \(reason)"
        case .embedderOutput(let model, let problem):
            return "the \(model) embedder returned unusable vectors: \(problem)"
        }
    }
}
