// Small cass-schema archives for tests outside SemanticIndex (the daemon and end-to-end tests): the
// tables an embedding job reads, filled with synthetic messages, and another writer that holds one
// locked. Writes only the file it is given.
import CSQLite
import Foundation

public enum CassArchiveFixture {
    static let schema = """
        CREATE TABLE agents (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, version TEXT,
            kind TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE workspaces (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, display_name TEXT);
        CREATE TABLE sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, host_label TEXT, created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        INSERT INTO sources(id, kind, created_at, updated_at) VALUES ('local', 'local', 0, 0);
        INSERT INTO agents(id, slug, name, kind, created_at, updated_at) VALUES (1, 'agent-1', 'agent-1', 'cli', 0, 0);
        CREATE TABLE conversations (id INTEGER PRIMARY KEY, agent_id INTEGER NOT NULL REFERENCES agents(id),
            workspace_id INTEGER REFERENCES workspaces(id), source_id TEXT NOT NULL DEFAULT 'local',
            external_id TEXT, title TEXT, source_path TEXT NOT NULL, started_at INTEGER);
        CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            idx INTEGER NOT NULL, role TEXT NOT NULL, author TEXT, created_at INTEGER, content TEXT NOT NULL,
            UNIQUE(conversation_id, idx));
        """

    /// Creates an archive at `path` with `count` messages over 10 conversations.
    public static func create(at path: String, messageCount count: Int) throws {
        var database: OpaquePointer?
        guard sqlite3_open(path, &database) == SQLITE_OK, let database else {
            throw FixtureError.malformed("cannot create \(path)")
        }
        defer { sqlite3_close(database) }
        var sql = schema + "BEGIN;"
        for conversation in 1...10 {
            sql += "INSERT INTO conversations(id, agent_id, source_path) VALUES (\(conversation), 1, '/c/\(conversation)');"
        }
        let roles = ["user", "assistant", "tool", "system"]
        for id in 1...max(1, count) {
            let content = "message \(id) about \(["vectors", "indexes", "daemons", "tokenizers"][id % 4]) and topic \(id % 37)"
            sql += "INSERT INTO messages(id, conversation_id, idx, role, created_at, content) VALUES "
                + "(\(id), \(1 + id % 10), \(id), '\(roles[id % 4])', \(1_700_000_000_000 + id * 1000), '\(content)');"
        }
        sql += "COMMIT;"
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(database, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "?"
            sqlite3_free(message)
            throw FixtureError.malformed("cannot fill \(path): \(text)")
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
