// CassArchiveTests: reading a cass-schema fixture archive in id order and in chunks, the type mapping
// of the embedding query, document ids exactly as specified (§5 and the two-message example), and the
// archive errors a job reports (missing file, not SQLite, not a cass archive, locked, bad rows).
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticIndex

@Suite("cass archive")
struct CassArchiveTests {
    @Test("crc32 of source ids and the document id of the worker test's message")
    func documentIDs() {
        #expect(CRC32.checksum("local".utf8) == 2_346_092_776)
        let message = CassMessage(id: 41, createdAt: 1_700_000_000_000, agentID: 7, workspaceID: 9, sourceID: "local",
                                  role: "assistant", content: "the original semantic content")
        let id = DocumentIdentity.documentID(of: message, canonicalText: Canonicalizer.canonicalize(message.content))
        #expect(id == "m|41|0|7|9|2346092776|1|1700000000000|e5c7838bbb37838025763922829e9f00447e3d942abbdbfea23301f02ba0916c")
        #expect(id?.utf8.count == 102)
    }

    @Test("roles, clamping, NULLs and negative ids")
    func identityRules() {
        #expect(["user", "assistant", "agent", "system", "tool", "Assistant", "other"].map(DocumentIdentity.roleCode)
                == [0, 1, 1, 2, 3, 0, 0])
        #expect(DocumentIdentity.clampedToUInt32(-5) == 0)
        #expect(DocumentIdentity.clampedToUInt32(Int64(UInt32.max) + 10) == UInt32.max)
        let bare = CassMessage(id: 3, createdAt: nil, agentID: -1, workspaceID: nil, sourceID: nil, role: "x", content: "")
        #expect(DocumentIdentity.documentID(of: bare, canonicalText: "hi")?.hasPrefix("m|3|0|0|0|2346092776|0|0|") == true)
        var negative = bare
        negative.id = -1
        #expect(DocumentIdentity.documentID(of: negative, canonicalText: "hi") == nil)
        var negativeTime = bare
        negativeTime.createdAt = -1_000
        #expect(DocumentIdentity.documentID(of: negativeTime, canonicalText: "hi")?.contains("|0|-1000|") == true)
    }

    @Test("the two-message archive reads back with the specified document ids")
    func twoMessages() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        _ = try CassFixtureDatabase.twoMessageArchive(at: path)
        let archive = try CassArchive(path: path)
        #expect(try archive.countMessages() == 2)
        let messages = try archive.messages(after: nil, limit: 10)
        #expect(messages.map(\.id) == [1, 2])
        #expect(messages[0].workspaceID == nil && messages[1].workspaceID == 3 && messages[0].sourceID == "local")
        let ids = messages.map { DocumentIdentity.documentID(of: $0, canonicalText: Canonicalizer.canonicalize($0.content))! }
        #expect(ids == [
            "m|1|0|1|0|2346092776|0|1700000000000|e20dc54b106e355733b2febd8de45d2840246f17a98f2a27415286059489c71a",
            "m|2|0|1|3|2346092776|1|1700000001000|63ece35581d408c396c4322b5a3f1408603bdd33661fcd53b28448f4fd58e0b8",
        ])
        #expect(Canonicalizer.canonicalize(messages[1].content) == "Bold and italic with a link")
        #expect(ids.map { FSVIFormat.documentHash(of: $0) } == [0x1df6_1ceb_d24e_db71, 0xbd20_e2ec_e344_5e02])
    }

    @Test("chunks cover every joined message once, in id order, negative ids first")
    func chunks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        let fixture = try CassFixtureDatabase(creatingAt: path)
        try fixture.addConversation(id: 1)
        for id in [-4, 1, 2, 3, 5, 8, 13, 21, 34] {
            try fixture.addMessage(id: Int64(id), conversationID: 1, index: Int64(id + 10), role: "user",
                                   createdAt: nil, content: "message \(id)")
        }
        try fixture.execute("PRAGMA foreign_keys = OFF; INSERT INTO messages(id, conversation_id, idx, role, content) VALUES (99, 42, 0, 'user', 'orphan')")
        let archive = try CassArchive(path: path)
        var chunks = archive.messageChunks(of: 3)
        var seen: [[Int64]] = []
        while let chunk = try chunks.next() { seen.append(chunk.map(\.id)) }
        #expect(seen == [[-4, 1, 2], [3, 5, 8], [13, 21, 34]])
        #expect(try archive.countMessages() == 9, "a message without a conversation is not counted")
    }

    @Test("missing, not SQLite, empty SQLite, a directory")
    func openErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path("missing.db").path
        #expect(throws: ArchiveError.databaseMissing(path: missing)) { try CassArchive(path: missing) }
        #expect(!FileManager.default.fileExists(atPath: missing), "never creates the archive")

        let text = directory.path("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        let notSQLite = #expect(throws: ArchiveError.self) { try CassArchive(path: text).countMessages() }
        if case .notADatabase(let path, let detail)? = notSQLite {
            #expect(path == text && detail.contains("not a database"))
        } else {
            Issue.record("expected notADatabase, got \(String(describing: notSQLite))")
        }

        let empty = directory.path("empty.db").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        let notCass = #expect(throws: ArchiveError.self) { try CassArchive(path: empty).countMessages() }
        #expect(notCass?.description.contains("is not a cass archive (no such table") == true)
        #expect(throws: ArchiveError.self) { try CassArchive(path: directory.url.path) }
    }

    @Test("a malformed row names the message")
    func malformedRows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        let fixture = try CassFixtureDatabase(creatingAt: path)
        try fixture.addConversation(id: 1)
        try fixture.execute("INSERT INTO messages(id, conversation_id, idx, role, content) VALUES (7, 1, 0, 'user', x'00ff')")
        #expect(throws: ArchiveError.malformedMessage(path: path, messageID: 7, problem: "content is not text")) {
            try CassArchive(path: path).messages(after: nil, limit: 10)
        }
    }

    @Test("a database locked by another writer fails after the busy timeout")
    func locked() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        let fixture = try CassFixtureDatabase.twoMessageArchive(at: path)
        try fixture.execute("BEGIN EXCLUSIVE")
        defer { try? fixture.execute("ROLLBACK") }
        let archive = try CassArchive(path: path, busyTimeout: .milliseconds(50))
        #expect(throws: ArchiveError.locked(path: path, operation: "count the messages")) {
            try archive.countMessages()
        }
    }
}
