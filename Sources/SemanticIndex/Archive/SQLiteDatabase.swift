// SQLiteDatabase: the little of SQLite's C API the archive reader and the job table need: open an
// EXISTING file (never create one), a busy timeout, prepared statements with bound values, typed
// column reads, and result codes turned into ArchiveError cases a user can act on.
// One connection, used by one task at a time (the job store adds its own lock); never logs.
import CSQLite

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case null
}

final class SQLiteDatabase {
    enum Access { case readOnly, readWrite }

    /// The path as the caller spelled it (used in messages).
    let path: String
    private let handle: OpaquePointer

    /// Opens the database at `path`, which must exist; waits up to `busyTimeout` for locks.
    init(path: String, access: Access, busyTimeout: Duration) throws(ArchiveError) {
        self.path = path
        var isDirectory = false
        guard fileExists(path, isDirectory: &isDirectory) else { throw .databaseMissing(path: path) }
        guard !isDirectory else { throw .notADatabase(path: path, detail: "it is a directory") }

        var opened: OpaquePointer?
        let flags = (access == .readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw ArchiveError.classify(code: code, message: message, path: path, operation: "open")
        }
        handle = opened
        let (seconds, attoseconds) = busyTimeout.components
        sqlite3_busy_timeout(handle, Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000))
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs SQL that returns no rows (one or more statements).
    func execute(_ sql: String, operation: String) throws(ArchiveError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw ArchiveError.classify(code: code, message: message, path: path, operation: operation)
        }
    }

    /// Prepares one statement with its parameters bound in order (`?1`, `?2`, …).
    func prepare(_ sql: String, _ values: [SQLiteValue] = [],
                 operation: String) throws(ArchiveError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw ArchiveError.classify(code: code, message: String(cString: sqlite3_errmsg(handle)),
                                        path: path, operation: operation)
        }
        let prepared = SQLiteStatement(statement: statement, database: self, operation: operation)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .integer(let number): sqlite3_bind_int64(statement, position, number)
            case .text(let text): sqlite3_bind_text(statement, position, text, -1, transientDestructor)
            case .null: sqlite3_bind_null(statement, position)
            }
        }
        return prepared
    }

    /// Runs a statement that returns no rows and says how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue] = [], operation: String) throws(ArchiveError) -> Int {
        let statement = try prepare(sql, values, operation: operation)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    func inTransaction<Result>(operation: String,
                               _ body: () throws(ArchiveError) -> Result) throws(ArchiveError) -> Result {
        try execute("BEGIN IMMEDIATE", operation: operation)
        do {
            let result = try body()
            try execute("COMMIT", operation: operation)
            return result
        } catch {
            try? execute("ROLLBACK", operation: operation)
            throw error
        }
    }

    fileprivate func failure(_ code: Int32, operation: String) -> ArchiveError {
        ArchiveError.classify(code: code, message: String(cString: sqlite3_errmsg(handle)),
                              path: path, operation: operation)
    }
}

/// A prepared statement; finalised when released.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private let database: SQLiteDatabase  // keeps the connection open while the statement lives
    private let operation: String

    fileprivate init(statement: OpaquePointer, database: SQLiteDatabase, operation: String) {
        self.statement = statement
        self.database = database
        self.operation = operation
    }

    deinit { sqlite3_finalize(statement) }

    /// Advances to the next row: true when a row is available, false when done.
    func step() throws(ArchiveError) -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.failure(code, operation: operation)
        }
    }

    /// The storage class of column `index` in the current row.
    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_NULL }
    func isInteger(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_INTEGER }
    func isText(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_TEXT }

    func integer(_ index: Int32) -> Int64 { sqlite3_column_int64(statement, index) }

    func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column's value as text, or nil for NULL.
    func optionalText(_ index: Int32) -> String? { isNull(index) ? nil : text(index) }
}

/// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
