// CassFixtureDatabase: builds cass-schema archive databases for the tests (the fresh-schema tables the
// embedding job reads: meta, agents, workspaces, sources, conversations, messages), with helpers to add
// conversations and messages. Test-only; writes only inside the test's temporary directory.
import Foundation
@testable import SemanticIndex

final class CassFixtureDatabase {
    let path: String
    let database: SQLiteDatabase

    /// The cass tables (`CassArchiveSchema`), with foreign keys enforced so a fixture cannot hold rows cass
    /// would refuse.
    static let schema = "PRAGMA foreign_keys = ON;\n" + CassArchiveSchema.creationSQL

    init(database: SQLiteDatabase, path: String) {
        self.database = database
        self.path = path
    }

    /// Creates a new archive at `path` with the cass tables, agent 1 and the `local` source.
    convenience init(creatingAt path: String) throws {
        FileManager.default.createFile(atPath: path, contents: Data())
        self.init(database: try SQLiteDatabase(path: path, access: .readWrite, busyTimeout: .seconds(5)), path: path)
        try database.execute(Self.schema, operation: "create the fixture schema")
        try addAgent(id: 1)
    }

    func addAgent(id: Int64) throws {
        try database.run("INSERT INTO agents(id, slug, name, kind, created_at, updated_at) VALUES(?1, ?2, ?2, 'cli', 0, 0)",
                         [.integer(id), .text("agent-\(id)")], operation: "add an agent")
    }

    func addWorkspace(id: Int64) throws {
        try database.run("INSERT INTO workspaces(id, path) VALUES(?1, ?2)", [.integer(id), .text("/ws/\(id)")],
                         operation: "add a workspace")
    }

    func addSource(id: String) throws {
        try database.run("INSERT INTO sources(id, kind, created_at, updated_at) VALUES(?1, 'ssh', 0, 0)",
                         [.text(id)], operation: "add a source")
    }

    func addConversation(id: Int64, agentID: Int64 = 1, workspaceID: Int64? = nil, sourceID: String = "local") throws {
        try database.run("""
            INSERT INTO conversations(id, agent_id, workspace_id, source_id, external_id, source_path)
            VALUES(?1, ?2, ?3, ?4, ?5, '/tmp/session.jsonl')
            """, [.integer(id), .integer(agentID), workspaceID.map { .integer($0) } ?? .null, .text(sourceID),
                  .text("conversation-\(id)")], operation: "add a conversation")
    }

    func addMessage(id: Int64, conversationID: Int64, index: Int64? = nil, role: String, createdAt: Int64?,
                    content: String) throws {
        try database.run("""
            INSERT INTO messages(id, conversation_id, idx, role, created_at, content) VALUES(?1, ?2, ?3, ?4, ?5, ?6)
            """, [.integer(id), .integer(conversationID), .integer(index ?? id), .text(role),
                  createdAt.map { .integer($0) } ?? .null, .text(content)], operation: "add a message")
    }

    func execute(_ sql: String) throws {
        try database.execute(sql, operation: "change the fixture")
    }

    /// Runs `body` in one transaction (fast bulk inserts).
    func inTransaction(_ body: () throws -> Void) throws {
        try database.execute("BEGIN", operation: "begin")
        try body()
        try database.execute("COMMIT", operation: "commit")
    }

    /// The specification's two-message archive ("Realistic two-message index").
    static func twoMessageArchive(at path: String) throws -> CassFixtureDatabase {
        let fixture = try CassFixtureDatabase(creatingAt: path)
        try fixture.addWorkspace(id: 3)
        try fixture.addConversation(id: 1, agentID: 1, workspaceID: nil)
        try fixture.addConversation(id: 2, agentID: 1, workspaceID: 3)
        try fixture.addMessage(id: 1, conversationID: 1, role: "user", createdAt: 1_700_000_000_000,
                               content: "Hello, World! This is a TEST-123.")
        try fixture.addMessage(id: 2, conversationID: 2, role: "assistant", createdAt: 1_700_000_001_000,
                               content: "**Bold** and _italic_ with a [link](http://x.y)")
        return fixture
    }

    /// A synthetic archive of `count` messages over 50 conversations: mixed roles, markdown, code,
    /// unicode, a few bare acknowledgements (which canonicalise to nothing) and a NULL timestamp.
    static func syntheticArchive(at path: String, messageCount count: Int) throws -> CassFixtureDatabase {
        let fixture = try CassFixtureDatabase(creatingAt: path)
        try fixture.inTransaction {
            try fixture.addAgent(id: 2)
            try fixture.addWorkspace(id: 7)
            try fixture.addSource(id: "laptop")
            for conversation in 1...50 {
                try fixture.addConversation(id: Int64(conversation), agentID: Int64(1 + conversation % 2),
                                            workspaceID: conversation % 3 == 0 ? 7 : nil,
                                            sourceID: conversation % 5 == 0 ? "laptop" : "local")
            }
            let roles = ["user", "assistant", "tool", "system", "agent"]
            for id in 1...count {
                try fixture.addMessage(id: Int64(id), conversationID: Int64(1 + id % 50), role: roles[id % roles.count],
                                       createdAt: id % 97 == 0 ? nil : 1_700_000_000_000 + Int64(id) * 1_000,
                                       content: syntheticContent(id))
            }
        }
        return fixture
    }

    static func syntheticContent(_ id: Int) -> String {
        switch id % 7 {
        case 0: return "Message \(id): the **build** failed on step \(id % 13) with _exit code_ \(id % 5)."
        case 1: return "```swift\nlet value\(id) = compute(\(id))\nprint(value\(id))\n```\nDoes this look right?"
        case 2: return "# Notes \(id)\n- first point about caching\n- second point about [docs](http://x/\(id))"
        case 3: return id % 21 == 3 ? "ok" : "Résumé \(id): naïve café, ΣΊΣΥΦΟΣ and 京都 \(id * 7)"
        case 4: return "> quoted reply \(id)\n\n1. step one\n2. step two \(id)"
        case 5: return String(repeating: "long line \(id) with several words ", count: 1 + id % 80)
        default: return "plain message number \(id) about vectors, indexes and embeddings"
        }
    }
}
