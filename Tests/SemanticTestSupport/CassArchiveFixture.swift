// Small cass-schema archives for the programs outside SemanticIndex that need one (the daemon and
// end-to-end tests, semd-bench's JW workload and soak jobs): `CassArchiveSchema`'s tables, agent 1, and
// messages with the given or synthetic contents; and another writer that holds one locked.
// Writes only the file it is given, which must not exist yet.
import CSQLite
import Foundation
import SemanticIndex

public enum CassArchiveFixture {
    /// Creates an archive at `path` with `count` synthetic messages over 10 conversations, in mixed roles.
    public static func create(at path: String, messageCount count: Int) throws {
        let roles = ["user", "assistant", "tool", "system"]
        let messages = (1...max(1, count)).map { id in
            Message(conversation: 1 + id % 10, role: roles[id % 4],
                    content: "message \(id) about \(["vectors", "indexes", "daemons", "tokenizers"][id % 4]) and topic \(id % 37)")
        }
        try create(at: path, messages: messages)
    }

    /// Creates an archive at `path` holding `contents` as user messages of one conversation, in order.
    public static func create(at path: String, contents: [String]) throws {
        try create(at: path, messages: contents.map { Message(conversation: 1, role: "user", content: $0) })
    }

    /// One message to write: its conversation (1-based; conversations are created as needed), role and text.
    public struct Message: Sendable {
        public var conversation: Int
        public var role: String
        public var content: String

        public init(conversation: Int, role: String, content: String) {
            self.conversation = conversation
            self.role = role
            self.content = content
        }
    }

    /// Creates an archive at `path` holding `messages`, with ids 1, 2, … and a millisecond timestamp
    /// each, in one transaction. Values are bound, never spliced into the SQL.
    public static func create(at path: String, messages: [Message]) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw FixtureError.malformed("cannot create the archive \(path): the file exists")
        }
        var opened: OpaquePointer?
        guard sqlite3_open(path, &opened) == SQLITE_OK, let database = opened else {
            sqlite3_close(opened)
            throw FixtureError.malformed("cannot create the archive \(path)")
        }
        defer { sqlite3_close(database) }
        func execute(_ sql: String) throws {
            var message: UnsafeMutablePointer<CChar>?
            guard sqlite3_exec(database, sql, nil, nil, &message) == SQLITE_OK else {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(database))
                sqlite3_free(message)
                throw FixtureError.malformed("cannot fill the archive \(path): \(text)")
            }
        }
        try execute(CassArchiveSchema.creationSQL
            + "INSERT INTO agents(id, slug, name, kind, created_at, updated_at) VALUES (1, 'agent-1', 'agent-1', 'cli', 0, 0);"
            + "BEGIN;")
        let conversations = Set(messages.map(\.conversation)).sorted()
        for conversation in conversations {
            try execute("INSERT INTO conversations(id, agent_id, source_path) VALUES (\(conversation), 1, '/c/\(conversation)');")
        }
        let insert = try Statement(database, path: path,
            "INSERT INTO messages(id, conversation_id, idx, role, created_at, content) VALUES (?1, ?2, ?1, ?3, ?4, ?5)")
        for (offset, message) in messages.enumerated() {
            let id = Int64(offset + 1)
            try insert.run([.integer(id), .integer(Int64(message.conversation)), .text(message.role),
                            .integer(1_700_000_000_000 + id * 1000), .text(message.content)])
        }
        try execute("COMMIT;")
    }

    /// A prepared statement run once per row with bound values.
    private final class Statement {
        enum Value { case integer(Int64), text(String) }

        private let statement: OpaquePointer
        private let database: OpaquePointer
        private let path: String

        init(_ database: OpaquePointer, path: String, _ sql: String) throws {
            var prepared: OpaquePointer?
            guard sqlite3_prepare_v2(database, sql, -1, &prepared, nil) == SQLITE_OK, let prepared else {
                throw FixtureError.malformed("cannot prepare \(sql) on \(path): \(String(cString: sqlite3_errmsg(database)))")
            }
            self.statement = prepared
            self.database = database
            self.path = path
        }

        deinit { sqlite3_finalize(statement) }

        func run(_ values: [Value]) throws {
            sqlite3_reset(statement)
            for (offset, value) in values.enumerated() {
                let index = Int32(offset + 1)
                switch value {
                case .integer(let number): sqlite3_bind_int64(statement, index, number)
                case .text(let text): sqlite3_bind_text(statement, index, text, -1, transientDestructor)
                }
            }
            guard sqlite3_step(statement) == SQLITE_DONE else {
                throw FixtureError.malformed("cannot add a message to \(path): \(String(cString: sqlite3_errmsg(database)))")
            }
        }
    }

    /// Another writer: a connection holding `BEGIN EXCLUSIVE` on the archive until `release()`.
    public final class ExclusiveWriter: @unchecked Sendable {
        private var database: OpaquePointer?

        public init(path: String) throws {
            guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
                  sqlite3_exec(database, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK else {
                sqlite3_close(database)
                throw FixtureError.malformed("cannot lock \(path) exclusively")
            }
        }

        /// Rolls back and closes: the archive is free again.
        public func release() {
            guard let database else { return }
            sqlite3_exec(database, "ROLLBACK", nil, nil, nil)
            sqlite3_close(database)
            self.database = nil
        }

        deinit { release() }
    }
}

/// SQLITE_TRANSIENT: SQLite copies a bound text before the call returns.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
