// FSVIError: what can go wrong reading, writing or publishing an FSVI index, each case saying what was
// expected, what was found and what to do. Only describes failures; never recovers from them.

public enum FSVIError: Error, Equatable, CustomStringConvertible {
    /// No file at the path.
    case notFound(path: String)
    /// Another process holds a conflicting `flock` on the file (it is being modified in place).
    case locked(path: String)
    /// The file exists but could not be opened, mapped, created or written.
    case io(path: String, operation: String, reason: String)
    /// The file is not a valid FSVI version 1 index.
    case corrupt(path: String, problem: String)
    /// A well-formed FSVI of another format version (the reference reads and writes version 1 only).
    case unsupportedVersion(path: String, version: UInt16)
    /// The WAL sidecar next to an index is damaged (a reader must refuse it).
    case corruptWriteAheadLog(path: String, problem: String)
    /// A fresh index may not be published while `<index>.wal` exists: it would bind to the new file.
    case writeAheadLogInTheWay(path: String)
    /// The writer was given an identity it cannot store.
    case invalidIdentity(problem: String)
    /// The writer was given a document id or vector it must not store.
    case invalidRecord(documentID: String, problem: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "no vector index at \(path)"
        case .locked(let path):
            return "the vector index \(path) is locked by another process that is modifying it; "
                + "retry when that process is done"
        case .io(let path, let operation, let reason):
            return "cannot \(operation) \(path): \(reason)"
        case .corrupt(let path, let problem):
            return "the vector index \(path) is corrupt (\(problem)); remove it and resubmit the job to rebuild it"
        case .unsupportedVersion(let path, let version):
            return "the vector index \(path) has FSVI format version \(version); only version 1 is supported. "
                + "Remove it and resubmit the job to rebuild it as version 1"
        case .corruptWriteAheadLog(let path, let problem):
            return "the write-ahead log \(path) is corrupt (\(problem)); move it aside to read the index"
        case .writeAheadLogInTheWay(let path):
            return "a write-ahead log \(path) exists without its index; it would bind to a new index, "
                + "so none was written. Remove the .wal file and resubmit the job"
        case .invalidIdentity(let problem):
            return "invalid index identity: \(problem)"
        case .invalidRecord(let documentID, let problem):
            return "cannot store document \(documentID): \(problem)"
        }
    }
}
