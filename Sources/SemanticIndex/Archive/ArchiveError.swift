// ArchiveError: what can go wrong opening or reading a cass archive database or its job table, with
// SQLite result codes sorted into the cases a user can act on (missing, not SQLite, locked, read-only,
// not a cass archive, a malformed row). Only describes failures; never retries or recovers.
import CSQLite

public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// No file at the path. semd never creates an archive.
    case databaseMissing(path: String)
    /// The file is not an SQLite database (or is damaged beyond reading).
    case notADatabase(path: String, detail: String)
    /// Another connection held a lock for longer than the busy timeout.
    case locked(path: String, operation: String)
    /// The database (or its directory) cannot be written, so the job table cannot be kept.
    case readOnly(path: String, operation: String)
    /// An SQLite database without the cass tables the job needs.
    case notACassArchive(path: String, detail: String)
    /// A message row the reader cannot turn into a document.
    case malformedMessage(path: String, messageID: Int64, problem: String)
    /// Another worker is running the same (database, model) pass.
    case jobAlreadyRunning(path: String, modelID: String, jobID: Int64)
    /// A job request naming another archive was submitted to this archive's job table.
    case requestForAnotherArchive(storePath: String, requestPath: String)
    /// Any other SQLite failure.
    case sqlite(path: String, operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .databaseMissing(let path):
            return "no database at \(path); check the path (semd never creates an archive)"
        case .notADatabase(let path, let detail):
            return "\(path) is not an SQLite database (\(detail)); point the job at a cass archive"
        case .locked(let path, let operation):
            return "the database \(path) stayed locked by another process while trying to \(operation); "
                + "retry when the other writer (for example `cass index`) is done"
        case .readOnly(let path, let operation):
            return "cannot \(operation): the database \(path) is read-only; "
                + "make it and its directory writable by the daemon's user"
        case .notACassArchive(let path, let detail):
            return "\(path) is not a cass archive (\(detail)); it needs the messages and conversations tables"
        case .malformedMessage(let path, let messageID, let problem):
            return "message \(messageID) in \(path) cannot be embedded: \(problem)"
        case .jobAlreadyRunning(let path, let modelID, let jobID):
            return "job \(jobID) for '\(modelID)' on \(path) is already running; cancel it or wait for it"
        case .requestForAnotherArchive(let storePath, let requestPath):
            return "a job for \(requestPath) cannot be recorded in the job table of \(storePath); "
                + "submit it to the archive it names"
        case .sqlite(let path, let operation, let code, let message):
            return "SQLite error \(code) while trying to \(operation) in \(path): \(message)"
        }
    }

    /// Sorts an SQLite result code (primary or extended) into a case.
    static func classify(code: Int32, message: String, path: String, operation: String) -> ArchiveError {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: return .locked(path: path, operation: operation)
        case SQLITE_NOTADB: return .notADatabase(path: path, detail: message)
        case SQLITE_CORRUPT: return .notADatabase(path: path, detail: "damaged: \(message)")
        case SQLITE_READONLY: return .readOnly(path: path, operation: operation)
        case SQLITE_CANTOPEN: return .sqlite(path: path, operation: operation, code: code,
                                             message: "\(message) (check the file's permissions)")
        case SQLITE_ERROR where message.hasPrefix("no such table") || message.hasPrefix("no such column"):
            return .notACassArchive(path: path, detail: message)
        default: return .sqlite(path: path, operation: operation, code: code, message: message)
        }
    }
}
