// CassArchive: reads the messages of a cass archive database for embedding, read-only, in id order and
// in chunks (keyset pagination on messages.id), so neither the whole table nor a long read transaction
// is ever held while a chunk is being embedded. Never writes to the archive.

/// One message row as the embedding job sees it (the join of `messages` and `conversations`).
public struct CassMessage: Sendable, Equatable {
    public var id: Int64
    /// Milliseconds since the epoch, or nil.
    public var createdAt: Int64?
    public var agentID: Int64
    public var workspaceID: Int64?
    /// nil stands for the local machine (`"local"`).
    public var sourceID: String?
    public var role: String
    public var content: String

    public init(id: Int64, createdAt: Int64?, agentID: Int64, workspaceID: Int64?, sourceID: String?,
                role: String, content: String) {
        self.id = id
        self.createdAt = createdAt
        self.agentID = agentID
        self.workspaceID = workspaceID
        self.sourceID = sourceID
        self.role = role
        self.content = content
    }
}

/// A read-only connection to a cass archive. Use from one task at a time.
public final class CassArchive {
    /// The path as the caller gave it.
    public var path: String { database.path }
    private let database: SQLiteDatabase

    /// Opens an existing archive read-only, waiting up to `busyTimeout` whenever a writer holds a lock.
    public init(path: String, busyTimeout: Duration = .seconds(10)) throws(ArchiveError) {
        database = try SQLiteDatabase(path: path, access: .readOnly, busyTimeout: busyTimeout)
    }

    /// How many messages have a conversation (the job's `total_docs`).
    public func countMessages() throws(ArchiveError) -> Int {
        let statement = try database.prepare(
            "SELECT COUNT(*) FROM messages m JOIN conversations c ON m.conversation_id = c.id",
            operation: "count the messages")
        guard try statement.step() else { return 0 }
        return Int(statement.integer(0))
    }

    /// Up to `limit` messages with an id above `lastID` (all ids when nil), in id order.
    public func messages(after lastID: Int64?, limit: Int) throws(ArchiveError) -> [CassMessage] {
        let select = """
            SELECT m.id, m.created_at, COALESCE(c.agent_id, 0), c.workspace_id, c.source_id, m.role, m.content \
            FROM messages m JOIN conversations c ON m.conversation_id = c.id
            """
        let statement = lastID.map { last in
            (sql: select + " WHERE m.id > ?1 ORDER BY m.id LIMIT ?2", values: [SQLiteValue.integer(last)])
        } ?? (sql: select + " ORDER BY m.id LIMIT ?1", values: [])
        let rows = try database.prepare(statement.sql, statement.values + [.integer(Int64(limit))],
                                        operation: "read messages")
        var messages: [CassMessage] = []
        messages.reserveCapacity(min(limit, 4_096))
        while try rows.step() {
            messages.append(try message(from: rows))
        }
        return messages
    }

    /// Every message, `chunkSize` at a time.
    public func messageChunks(of chunkSize: Int) -> MessageChunks {
        MessageChunks(archive: self, chunkSize: chunkSize)
    }

    /// Reads one chunk after another; `next()` returns nil after the last.
    public struct MessageChunks {
        let archive: CassArchive
        let chunkSize: Int
        private var lastID: Int64?
        private var finished = false

        init(archive: CassArchive, chunkSize: Int) {
            precondition(chunkSize > 0, "chunks need at least one message")
            self.archive = archive
            self.chunkSize = chunkSize
        }

        public mutating func next() throws(ArchiveError) -> [CassMessage]? {
            if finished { return nil }
            let chunk = try archive.messages(after: lastID, limit: chunkSize)
            if chunk.count < chunkSize { finished = true }
            guard let last = chunk.last else { return nil }
            lastID = last.id
            return chunk
        }
    }

    private func message(from row: SQLiteStatement) throws(ArchiveError) -> CassMessage {
        let id = row.integer(0)
        func malformed(_ problem: String) -> ArchiveError {
            .malformedMessage(path: path, messageID: id, problem: problem)
        }
        guard row.isNull(1) || row.isInteger(1) else { throw malformed("created_at is not an integer") }
        guard row.isInteger(2) else { throw malformed("the conversation's agent_id is not an integer") }
        guard row.isNull(3) || row.isInteger(3) else {
            throw malformed("the conversation's workspace_id is not an integer")
        }
        guard row.isText(5) else { throw malformed("role is not text") }
        guard row.isText(6) else { throw malformed(row.isNull(6) ? "content is NULL" : "content is not text") }
        return CassMessage(
            id: id,
            createdAt: row.isNull(1) ? nil : row.integer(1),
            agentID: row.integer(2),
            workspaceID: row.isNull(3) ? nil : row.integer(3),
            sourceID: row.optionalText(4),
            role: row.text(5),
            content: row.text(6))
    }
}
