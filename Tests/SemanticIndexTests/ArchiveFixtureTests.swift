// The test support's cass archives (CassArchiveFixture, built from CassArchiveSchema) read back through
// the job's own reader: given contents arrive exactly, quotes and all, in order with ids 1, 2, …; the
// synthetic archive spreads its messages over conversations and roles; an existing file is refused.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticIndex

@Suite("cass archive fixtures")
struct ArchiveFixtureTests {
    @Test("given contents read back exactly, in order")
    func contentsReadBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        let contents = ["it's a 'quoted' text", "two \"double\" quotes; DROP TABLE messages; --", "ünïcödé and 京都", ""]
        try CassArchiveFixture.create(at: path, contents: contents)

        let archive = try CassArchive(path: path)
        #expect(try archive.countMessages() == contents.count)
        let messages = try archive.messages(after: nil, limit: 10)
        #expect(messages.map(\.content) == contents)
        #expect(messages.map(\.id) == [1, 2, 3, 4])
        #expect(messages.allSatisfy { $0.role == "user" && $0.agentID == 1 && $0.sourceID == "local" && $0.workspaceID == nil })
        #expect(messages.map(\.createdAt) == [1_700_000_001_000, 1_700_000_002_000, 1_700_000_003_000, 1_700_000_004_000])
    }

    @Test("the synthetic archive spreads messages over ten conversations and four roles")
    func syntheticArchive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        try CassArchiveFixture.create(at: path, messageCount: 40)
        let messages = try CassArchive(path: path).messages(after: nil, limit: 100)
        #expect(messages.count == 40)
        #expect(Set(messages.map(\.role)) == ["user", "assistant", "tool", "system"])
        #expect(messages[6].content == "message 7 about tokenizers and topic 7")
    }

    @Test("an existing file is refused and left alone")
    func existingFileRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        try Data("not mine".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: FixtureError.self) { try CassArchiveFixture.create(at: path, contents: ["a"]) }
        #expect("\(error!)".contains("the file exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("not mine".utf8))
    }
}
