// JobStore: the `embedding_jobs` table inside a cass archive, with the reference implementation's
// columns, states and partial unique index (one active row per database and model). Rows are inserted
// `pending` when a job is submitted, so a cancel reaches queued jobs too; a row is claimed (`running`)
// only if it is still pending. Never reads messages and never touches index files.
import Foundation

/// A job row's status. Unknown strings written by other programs are kept as they are.
public struct EmbeddingJobStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pending = EmbeddingJobStatus(rawValue: "pending")
    public static let running = EmbeddingJobStatus(rawValue: "running")
    public static let completed = EmbeddingJobStatus(rawValue: "completed")
    public static let failed = EmbeddingJobStatus(rawValue: "failed")
    public static let cancelled = EmbeddingJobStatus(rawValue: "cancelled")

    /// Pending or running: the states the unique index allows once per (database, model).
    public var isActive: Bool { self == .pending || self == .running }
    public var description: String { rawValue }
}

/// One row of `embedding_jobs`.
public struct EmbeddingJobRecord: Sendable, Equatable {
    public var id: Int64
    /// The database path exactly as the client sent it.
    public var databasePath: String
    /// The pass's model name as the client sent it (`hash`, `minilm`, …), not the embedder id.
    public var modelID: String
    public var status: EmbeddingJobStatus
    public var totalDocuments: Int64
    public var completedDocuments: Int64
    public var errorMessage: String?
    /// UTC `YYYY-MM-DD HH:MM:SS`, as SQLite's `datetime('now')` writes it.
    public var createdAt: String
    public var startedAt: String?
    public var completedAt: String?
}

/// What claiming a submitted row found.
public enum JobClaim: Sendable, Equatable {
    /// The row is now `running` (possibly a fresh row, when the submitted one had already finished).
    case started(jobID: Int64)
    /// The row was cancelled while it waited.
    case cancelled
}

/// The job table of one archive. Safe to share: every operation holds the store's lock.
public final class JobStore: @unchecked Sendable {  // the connection is only used under `lock`
    /// The database path, used both to open the file and as the rows' `db_path` key.
    public let databasePath: String
    private let database: SQLiteDatabase
    private let lock = NSLock()

    /// The reason written into rows found `running` when the daemon starts.
    public static let interruptedMessage =
        "interrupted: the daemon stopped while this job was running; submit the job again to finish it"

    /// Opens the archive at `databasePath` (which must exist) and creates the job table if missing.
    public init(databasePath: String, busyTimeout: Duration = .seconds(10)) throws(ArchiveError) {
        self.databasePath = databasePath
        database = try SQLiteDatabase(path: databasePath, access: .readWrite, busyTimeout: busyTimeout)
        try database.execute("""
            CREATE TABLE IF NOT EXISTS embedding_jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                db_path TEXT NOT NULL,
                model_id TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',
                total_docs INTEGER NOT NULL DEFAULT 0,
                completed_docs INTEGER NOT NULL DEFAULT 0,
                error_message TEXT,
                created_at TEXT NOT NULL DEFAULT (datetime('now')),
                started_at TEXT,
                completed_at TEXT
            );
            CREATE UNIQUE INDEX IF NOT EXISTS idx_embedding_jobs_active
                ON embedding_jobs(db_path, model_id) WHERE status IN ('pending','running');
            """, operation: "create the embedding_jobs table")
    }

    private func locked<Result>(_ body: () throws(ArchiveError) -> Result) throws(ArchiveError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - Submitting and claiming

    /// The active row for `modelID`, or a new `pending` one (the reference's upsert, without a total).
    public func submit(modelID: String) throws(ArchiveError) -> Int64 {
        try locked { () throws(ArchiveError) in
            try database.inTransaction(operation: "submit an embedding job") { () throws(ArchiveError) in
                if let active = try activeJobID(modelID: modelID) { return active }
                try database.run("INSERT INTO embedding_jobs(db_path, model_id, total_docs) VALUES(?1, ?2, 0)",
                                 [.text(databasePath), .text(modelID)], operation: "submit an embedding job")
                return try activeJobID(modelID: modelID)!
            }
        }
    }

    private func activeJobID(modelID: String) throws(ArchiveError) -> Int64? {
        let rows = try database.prepare("""
            SELECT id FROM embedding_jobs WHERE db_path = ?1 AND model_id = ?2
            AND status IN ('pending','running') ORDER BY id DESC LIMIT 1
            """, [.text(databasePath), .text(modelID)], operation: "find the active embedding job")
        return try rows.step() ? rows.integer(0) : nil
    }

    /// Marks the submitted row `jobID` running with `totalDocuments`. A cancelled row stays cancelled;
    /// a row that already finished (the same job was submitted twice) is replaced by a fresh one.
    public func claim(jobID: Int64, modelID: String, totalDocuments: Int) throws(ArchiveError) -> JobClaim {
        try locked { () throws(ArchiveError) in
            try database.inTransaction(operation: "start an embedding job") { () throws(ArchiveError) in
                var target = jobID
                switch try status(ofRow: jobID) {
                case .cancelled?:
                    return .cancelled
                case .pending?:
                    break
                default:
                    if let active = try activeJobID(modelID: modelID) {
                        if try status(ofRow: active) == .running {
                            throw ArchiveError.jobAlreadyRunning(path: databasePath, modelID: modelID, jobID: active)
                        }
                        target = active
                    } else {
                        try database.run(
                            "INSERT INTO embedding_jobs(db_path, model_id, total_docs) VALUES(?1, ?2, 0)",
                            [.text(databasePath), .text(modelID)], operation: "start an embedding job")
                        target = try activeJobID(modelID: modelID)!
                    }
                }
                try database.run("""
                    UPDATE embedding_jobs SET status = 'running', started_at = datetime('now'),
                    total_docs = ?2, completed_docs = 0, error_message = NULL WHERE id = ?1
                    """, [.integer(target), .integer(Int64(totalDocuments))], operation: "start an embedding job")
                return .started(jobID: target)
            }
        }
    }

    private func status(ofRow jobID: Int64) throws(ArchiveError) -> EmbeddingJobStatus? {
        let rows = try database.prepare("SELECT status FROM embedding_jobs WHERE id = ?1", [.integer(jobID)],
                                        operation: "read an embedding job")
        return try rows.step() ? EmbeddingJobStatus(rawValue: rows.text(0)) : nil
    }

    // MARK: - Progress and outcome

    /// Records progress of a running row; false when the row is no longer running (it was cancelled).
    public func recordProgress(jobID: Int64, completedDocuments: Int) throws(ArchiveError) -> Bool {
        try locked { () throws(ArchiveError) in
            try database.run("""
                UPDATE embedding_jobs SET completed_docs = ?2, total_docs = MAX(total_docs, ?2)
                WHERE id = ?1 AND status = 'running'
                """, [.integer(jobID), .integer(Int64(completedDocuments))],
                operation: "record embedding progress") == 1
        }
    }

    /// Marks a running row completed; false when it was cancelled in the meantime.
    @discardableResult
    public func complete(jobID: Int64, completedDocuments: Int) throws(ArchiveError) -> Bool {
        try locked { () throws(ArchiveError) in
            try database.run("""
                UPDATE embedding_jobs SET status = 'completed', completed_at = datetime('now'),
                completed_docs = ?2, total_docs = MAX(total_docs, ?2) WHERE id = ?1 AND status = 'running'
                """, [.integer(jobID), .integer(Int64(completedDocuments))],
                operation: "complete an embedding job") == 1
        }
    }

    /// Marks an active row failed with `message`.
    public func fail(jobID: Int64, message: String) throws(ArchiveError) {
        _ = try locked { () throws(ArchiveError) in
            try database.run("""
                UPDATE embedding_jobs SET status = 'failed', error_message = ?2, completed_at = datetime('now')
                WHERE id = ?1 AND status IN ('pending','running')
                """, [.integer(jobID), .text(message)], operation: "record an embedding job's failure")
        }
    }

    /// Cancels every active row of this database (only `modelID`'s when given); returns how many.
    /// Like the reference, `completed_at` stays empty for cancelled rows.
    @discardableResult
    public func cancel(modelID: String? = nil) throws(ArchiveError) -> Int {
        try locked { () throws(ArchiveError) in
            var sql = "UPDATE embedding_jobs SET status = 'cancelled' WHERE db_path = ?1 "
                + "AND status IN ('pending','running')"
            var values: [SQLiteValue] = [.text(databasePath)]
            if let modelID {
                sql += " AND model_id = ?2"
                values.append(.text(modelID))
            }
            return try database.run(sql, values, operation: "cancel embedding jobs")
        }
    }

    /// Cancels the given rows if they are still active; returns how many.
    @discardableResult
    public func cancel(jobIDs: [Int64]) throws(ArchiveError) -> Int {
        try locked { () throws(ArchiveError) in
            var cancelled = 0
            for jobID in jobIDs {
                cancelled += try database.run(
                    "UPDATE embedding_jobs SET status = 'cancelled' WHERE id = ?1 AND status IN ('pending','running')",
                    [.integer(jobID)], operation: "cancel embedding jobs")
            }
            return cancelled
        }
    }

    /// Call once when the daemon starts using this archive: rows left `running` by a daemon that
    /// stopped become `failed` with `interruptedMessage`. Returns how many.
    @discardableResult
    public func recoverInterruptedJobs() throws(ArchiveError) -> Int {
        try locked { () throws(ArchiveError) in
            try database.run("""
                UPDATE embedding_jobs SET status = 'failed', error_message = ?1, completed_at = datetime('now')
                WHERE status = 'running'
                """, [.text(Self.interruptedMessage)], operation: "recover interrupted embedding jobs")
        }
    }

    // MARK: - Listing

    /// Every row for this database path, newest first.
    public func jobs() throws(ArchiveError) -> [EmbeddingJobRecord] {
        try locked { () throws(ArchiveError) in
            try records(where: "db_path = ?1", [.text(databasePath)])
        }
    }

    /// One row by id.
    public func job(id: Int64) throws(ArchiveError) -> EmbeddingJobRecord? {
        try locked { () throws(ArchiveError) in
            try records(where: "id = ?1", [.integer(id)]).first
        }
    }

    private func records(where condition: String, _ values: [SQLiteValue]) throws(ArchiveError) -> [EmbeddingJobRecord] {
        let rows = try database.prepare("""
            SELECT id, db_path, model_id, status, total_docs, completed_docs, error_message, created_at,
            started_at, completed_at FROM embedding_jobs WHERE \(condition) ORDER BY id DESC
            """, values, operation: "list embedding jobs")
        var records: [EmbeddingJobRecord] = []
        while try rows.step() {
            records.append(EmbeddingJobRecord(
                id: rows.integer(0), databasePath: rows.text(1), modelID: rows.text(2),
                status: EmbeddingJobStatus(rawValue: rows.text(3)), totalDocuments: rows.integer(4),
                completedDocuments: rows.integer(5), errorMessage: rows.optionalText(6),
                createdAt: rows.text(7), startedAt: rows.optionalText(8), completedAt: rows.optionalText(9)))
        }
        return records
    }
}
