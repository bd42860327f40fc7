// BadInputTests: every bad input a job can meet ends as a clear error in the report (and in the job
// row whenever the archive can still record it), the runner returns normally, and no partial or
// temporary file is left behind: missing or non-SQLite archive, missing or unwritable index directory,
// locked archive, corrupt or unsupported existing index, orphan WAL, duplicate ids, failing embedders.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing
@testable import SemanticIndex

#if canImport(Glibc)
import Glibc
#endif

@Suite("Bad input")
struct BadInputTests {
    func twoMessageSandbox() throws -> JobSandbox {
        try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
    }

    @Test("a missing archive: submission fails clearly and nothing is created")
    func missingDatabase() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        let missing = sandbox.directory.path("nope/agent_search.db").path
        let error = #expect(throws: ArchiveError.self) { try JobStore(databasePath: missing) }
        #expect(error == .databaseMissing(path: missing))
        #expect(error?.description.contains("no database at") == true)

        // The archive disappears between submission and run.
        let job = try JobStore.submit(sandbox.request())
        try FileManager.default.removeItem(atPath: sandbox.databasePath)
        let report = await EmbeddingJobRunner().run(job)
        #expect(report.passes.map(\.failure) == [.archive(.databaseMissing(path: sandbox.databasePath))])
        #expect(!FileManager.default.fileExists(atPath: sandbox.databasePath))
        #expect(directoryEntries(sandbox.indexPath).isEmpty)
    }

    @Test("a file that is not SQLite")
    func notSQLite() throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: sandbox.databasePath))
        let error = #expect(throws: ArchiveError.self) { try JobStore(databasePath: sandbox.databasePath) }
        #expect(error?.description.contains("is not an SQLite database") == true)
    }

    @Test("a missing index directory fails the pass and creates nothing")
    func missingIndexDirectory() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        var request = sandbox.request()
        request.indexPath = sandbox.directory.path("no-such-dir").path
        let report = try await sandbox.run(request)
        #expect(report.passes[0].failure == .indexDirectoryMissing(path: request.indexPath))
        #expect(!FileManager.default.fileExists(atPath: request.indexPath))
        let row = try #require(try sandbox.jobs().first)
        #expect(row.status == .failed && row.errorMessage?.contains("does not exist") == true)
    }

    @Test("vector_index that is a file, not a directory")
    func indexDirectoryIsAFile() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        FileManager.default.createFile(atPath: sandbox.vectorIndex, contents: Data("x".utf8))
        let report = try await sandbox.run(sandbox.request())
        guard case .indexDirectoryNotWritable(let path, let reason)? = report.passes[0].failure else {
            Issue.record("expected indexDirectoryNotWritable, got \(report.passes[0].outcome)")
            return
        }
        #expect(path == sandbox.vectorIndex && reason == "Not a directory")
        #expect(try sandbox.jobs().first?.status == .failed)
    }

    @Test("a read-only index directory fails before any embedding", .enabled(if: geteuid() != 0))
    func readOnlyIndexDirectory() async throws {
        let sandbox = try twoMessageSandbox()
        defer {
            chmod(sandbox.vectorIndex, 0o755)
            sandbox.directory.remove()
        }
        try FileManager.default.createDirectory(atPath: sandbox.vectorIndex, withIntermediateDirectories: true)
        chmod(sandbox.vectorIndex, 0o555)
        let report = try await sandbox.run(sandbox.request())
        #expect(report.passes[0].failure == .indexDirectoryNotWritable(path: sandbox.vectorIndex, reason: "Permission denied"))
        #expect(directoryEntries(sandbox.vectorIndex).isEmpty)
    }

    @Test("an archive locked by another writer: a clear error, and the runner returns")
    func lockedDatabase() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        let job = try JobStore.submit(sandbox.request())
        let holder = try CassFixtureDatabase.open(sandbox.databasePath)
        try holder.execute("BEGIN EXCLUSIVE")
        var runner = EmbeddingJobRunner()
        runner.busyTimeout = .milliseconds(100)
        let report = await runner.run(job)
        try holder.execute("ROLLBACK")
        guard case .archive(.locked(let path, _))? = report.passes[0].failure else {
            Issue.record("expected a locked archive, got \(report.passes[0].outcome)")
            return
        }
        #expect(path == sandbox.databasePath)
        #expect(report.passes[0].failure?.description.contains("stayed locked by another process") == true)
        #expect(directoryEntries(sandbox.indexPath).isEmpty)
        // Once the lock is gone the same job can run.
        #expect(await runner.run(job).passes[0].summary?.publication == .written)
    }

    @Test("a corrupt existing index fails the pass and is left exactly as it was")
    func corruptIndex() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        _ = try await sandbox.run(sandbox.request())
        var bytes = try fileBytes(sandbox.hashIndex)
        bytes[40] ^= 0xFF  // the dimension: the header CRC no longer matches
        try Data(bytes).write(to: URL(fileURLWithPath: sandbox.hashIndex))

        let report = try await sandbox.run(sandbox.request())
        guard case .index(.corrupt(let path, let problem))? = report.passes[0].failure else {
            Issue.record("expected a corrupt index, got \(report.passes[0].outcome)")
            return
        }
        #expect(path == sandbox.hashIndex && problem.contains("header checksum"))
        #expect(report.passes[0].failure?.description.contains("remove it and resubmit") == true)
        #expect(try fileBytes(sandbox.hashIndex) == bytes)
        #expect(leftoverTemporaryFiles(sandbox.vectorIndex).isEmpty)
        #expect(try sandbox.jobs().first?.errorMessage?.contains("is corrupt") == true)

        // Version 2 (which the reference never writes) is refused the same way.
        bytes[4] = 2
        try Data(bytes).write(to: URL(fileURLWithPath: sandbox.hashIndex))
        let v2 = try await sandbox.run(sandbox.request())
        #expect(v2.passes[0].failure == .index(.unsupportedVersion(path: sandbox.hashIndex, version: 2)))
    }

    @Test("an orphan WAL sidecar stops a fresh index before any work")
    func orphanWAL() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.vectorIndex, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: sandbox.hashIndex + ".wal", contents: Data())
        let report = try await sandbox.run(sandbox.request())
        #expect(report.passes[0].failure == .index(.writeAheadLogInTheWay(path: sandbox.hashIndex + ".wal")))
        #expect(directoryEntries(sandbox.vectorIndex) == ["index-fnv1a-384.fsvi.wal"])
        #expect(try sandbox.jobs().first?.completedDocuments == 0, "failed before embedding anything")
    }

    @Test("duplicate document ids fail the pass and write nothing")
    func duplicateDocumentIDs() async throws {
        // A damaged archive whose conversations table lost its primary key: one message joins twice.
        let sandbox = try JobSandbox { path in
            FileManager.default.createFile(atPath: path, contents: Data())
            let fixture = try CassFixtureDatabase.open(path)
            try fixture.execute("""
                CREATE TABLE conversations (id INTEGER, agent_id INTEGER, workspace_id INTEGER, source_id TEXT);
                CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER, role TEXT, created_at INTEGER,
                    content TEXT);
                INSERT INTO conversations VALUES (1, 1, NULL, 'local'), (1, 1, NULL, 'local');
                INSERT INTO messages VALUES (5, 1, 'user', 10, 'the same words twice');
                """)
            return fixture
        }
        defer { sandbox.directory.remove() }
        let report = try await sandbox.run(sandbox.request())
        guard case .duplicateDocumentID(let id, 5, 5)? = report.passes[0].failure else {
            Issue.record("expected duplicate ids, got \(report.passes[0].outcome)")
            return
        }
        #expect(id.hasPrefix("m|5|0|1|0|2346092776|0|10|"))
        #expect(directoryEntries(sandbox.vectorIndex).isEmpty)
        #expect(try sandbox.jobs().first?.errorMessage?.contains("same document id") == true)
    }

    @Test("a failing or misbehaving quality embedder fails its pass; the hash index stands")
    func failingEmbedder() async throws {
        let sandbox = try twoMessageSandbox()
        defer { sandbox.directory.remove() }
        struct Boom: Error, CustomStringConvertible { var description: String { "out of memory" } }
        let throwing = QualityEmbedder(identity: fakeQuality.identity) { _ in throw Boom() }
        let report = try await sandbox.run(sandbox.request(twoTier: true), runner: EmbeddingJobRunner(quality: throwing))
        #expect(report.passes[0].summary?.publication == .written)
        #expect(report.passes[1].failure == .embedderFailed(model: "minilm", reason: "out of memory"))

        let wrongDimension = QualityEmbedder(identity: fakeQuality.identity) { texts in texts.map { _ in [1, 2, 3] } }
        let second = try await sandbox.run(sandbox.request(quality: "minilm"), runner: EmbeddingJobRunner(quality: wrongDimension))
        #expect(second.passes[0].failure?.description.contains("a 3-d vector, the index holds 16-d vectors") == true)

        let tooFew = QualityEmbedder(identity: fakeQuality.identity) { _ in [] }
        let third = try await sandbox.run(sandbox.request(quality: "minilm"), runner: EmbeddingJobRunner(quality: tooFew))
        #expect(third.passes[0].failure == .embedderOutput(model: "minilm", problem: "0 vectors for 2 texts"))
        let nonFinite = QualityEmbedder(identity: fakeQuality.identity) { texts in
            texts.map { _ in [Float](repeating: .nan, count: 16) }
        }
        let fourth = try await sandbox.run(sandbox.request(quality: "minilm"), runner: EmbeddingJobRunner(quality: nonFinite))
        #expect(fourth.passes[0].failure == .embedderOutput(model: "minilm", problem: "a vector with non-finite values"))

        #expect(directoryEntries(sandbox.vectorIndex) == ["index-fnv1a-384.fsvi"])
        #expect(try sandbox.jobs().filter { $0.modelID == "minilm" }.allSatisfy { $0.status == .failed })
    }

    @Test("a message whose hash tokens cancel has no vector: counted, not stored, and no rewrite next time")
    func zeroHashVector() async throws {
        var words: [Int: (String, Bool)] = [:]
        var pair: (String, String)?
        for number in 0..<5_000 {
            let word = "w\(number)", hash = FNV1a64.hash(word.utf8)
            let bucket = Int(hash % 384), positive = hash >> 63 == 1
            if let (other, otherPositive) = words[bucket], otherPositive != positive { pair = (other, word); break }
            words[bucket] = (word, positive)
        }
        let (first, second) = try #require(pair)
        let sandbox = try JobSandbox { path in
            let fixture = try CassFixtureDatabase.twoMessageArchive(at: path)
            try fixture.addMessage(id: 3, conversationID: 1, role: "user", createdAt: 5, content: "\(first) \(second)")
            return fixture
        }
        defer { sandbox.directory.remove() }
        let summary = try #require(try await sandbox.run(sandbox.request()).passes[0].summary)
        #expect(summary.documentsWithoutVector == 1 && summary.recordCount == 2 && summary.messagesRead == 3)
        let again = try #require(try await sandbox.run(sandbox.request()).passes[0].summary)
        #expect(again.publication == .unchanged && again.documentsWithoutVector == 1)
    }
}
