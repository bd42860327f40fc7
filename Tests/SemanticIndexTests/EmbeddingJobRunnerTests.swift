// EmbeddingJobRunnerTests: whole jobs over fixture archives: the two-message index byte for byte,
// incremental runs (unchanged -> nothing written, edits, removals, rebuild of an incompatible index),
// pass planning and model resolution, and every bad input ending as a clear error in the job row and
// the report, with no partial file left behind.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing
@testable import SemanticIndex

/// A temporary data directory with an archive in it.
struct JobSandbox {
    let directory: TemporaryDirectory
    let databasePath: String
    let indexPath: String
    var vectorIndex: String { indexPath + "/vector_index" }
    var hashIndex: String { vectorIndex + "/index-fnv1a-384.fsvi" }

    init(archive: (String) throws -> CassFixtureDatabase) throws {
        directory = try TemporaryDirectory(prefix: "semd-jobs")
        databasePath = directory.path("agent_search.db").path
        indexPath = directory.path("data").path
        try FileManager.default.createDirectory(atPath: indexPath, withIntermediateDirectories: true)
        _ = try archive(databasePath)
    }

    func request(twoTier: Bool = false, fast: String? = nil, quality: String? = nil) -> EmbeddingJobRequest {
        EmbeddingJobRequest(databasePath: databasePath, indexPath: indexPath, twoTier: twoTier,
                            fastModel: fast, qualityModel: quality)
    }

    /// Submits and runs a job the way the daemon will.
    func run(_ request: EmbeddingJobRequest, runner: EmbeddingJobRunner = EmbeddingJobRunner(),
             cancellation: JobCancellation = JobCancellation(),
             progress: (@Sendable (EmbeddingProgress) -> Void)? = nil) async throws -> EmbeddingJobReport {
        let job = try JobStore.submit(request)
        return await runner.run(job, cancellation: cancellation, progress: progress)
    }

    func jobs() throws -> [EmbeddingJobRecord] { try JobStore(databasePath: databasePath).jobs() }
}

extension EmbeddingPassReport {
    var summary: EmbeddingPassSummary? {
        if case .completed(let summary) = outcome { return summary }
        return nil
    }
    var failure: EmbeddingJobError? {
        if case .failed(let error) = outcome { return error }
        return nil
    }
}

/// A deterministic stand-in for MiniLM: 16-d vectors derived from the text's hash.
let fakeQuality = QualityEmbedder(
    identity: FSVIIdentity(embedderID: "minilm-384", revision: "test-quality-v1", dimension: 16),
    embed: { texts in
        texts.map { text in
            let hash = FNV1a64.hash(text.utf8)
            return (0..<16).map { Float((hash >> UInt64($0 * 4)) & 0xF) - 7.5 }
        }
    })

@Suite("Embedding job runner")
struct EmbeddingJobRunnerTests {
    @Test("the two-message archive gives the specified index-fnv1a-384.fsvi, byte for byte")
    func twoMessageIndex() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
        defer { sandbox.directory.remove() }
        let report = try await sandbox.run(sandbox.request())
        let summary = try #require(report.passes.first?.summary)
        #expect(summary.publication == .written && summary.embeddedDocuments == 2 && summary.recordCount == 2)
        let bytes = try fileBytes(sandbox.hashIndex)
        #expect(bytes.count == 1856)
        #expect(sha256Hex(bytes) == "d0f2872fdf5d08060efc044cca30e0cc2d27c424b6b40f819038a69db081bdb6")
        // The same bytes are kept as a fixture for end-to-end tests of the daemon.
        #expect(bytes == Array(try Fixtures.data("index/two-message-index-fnv1a-384.fsvi")))
        let headerAndRecords = "4653564901000900666e7631612d3338341500686173682d666e7631612d6d6f64756c61722d7631"
            + "800100000101000002000000000000004001000000000000 e9f392c1 71db4ed2eb1cf61d 00000000 6500 0000"
            + "025e44e3ece220bd 65000000 6500 0000"
        #expect(hexString(bytes[0..<100]) == headerAndRecords.replacingOccurrences(of: " ", with: ""))
        let reader = try IndependentFSVIReader(bytes: bytes)
        #expect(reader.records[0].vector.filter { $0 != 0 }.count == 6)
        #expect(reader.records[1].vector.filter { $0 != 0 }.allSatisfy { abs($0) == 0.447265625 })
        #expect(directoryEntries(sandbox.vectorIndex) == ["index-fnv1a-384.fsvi"])

        let row = try #require(try sandbox.jobs().first)
        #expect(row.modelID == "hash" && row.status == .completed && row.totalDocuments == 2 && row.completedDocuments == 2)
    }

    @Test("an unchanged archive writes nothing; an edit re-embeds one message; removals shrink the index")
    func incremental() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
        defer { sandbox.directory.remove() }
        _ = try await sandbox.run(sandbox.request())
        let before = try FileManager.default.attributesOfItem(atPath: sandbox.hashIndex)

        let again = try #require(try await sandbox.run(sandbox.request()).passes.first?.summary)
        #expect(again.publication == .unchanged && again.retainedDocuments == 2 && again.embeddedDocuments == 0)
        let after = try FileManager.default.attributesOfItem(atPath: sandbox.hashIndex)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int, "same inode: not rewritten")

        let keptBefore = try IndependentFSVIReader(path: sandbox.hashIndex).records.first { $0.documentID.hasPrefix("m|1|") }
        let fixture = try CassFixtureDatabase.open(sandbox.databasePath)
        try fixture.execute("UPDATE messages SET content = 'an edited message' WHERE id = 2")
        let edited = try #require(try await sandbox.run(sandbox.request()).passes.first?.summary)
        #expect(edited.publication == .written && edited.retainedDocuments == 1 && edited.embeddedDocuments == 1)
        let file = try FSVIFile(path: sandbox.hashIndex)
        try file.validateFully()
        #expect(file.recordCount == 2 && file.tombstoneCount == 0 && file.header.compactionGeneration == 2)
        let keptAfter = try IndependentFSVIReader(path: sandbox.hashIndex).records.first { $0.documentID.hasPrefix("m|1|") }
        #expect(keptAfter == keptBefore, "the unchanged message's record is carried over as it was")

        try fixture.execute("DELETE FROM messages")
        let emptied = try #require(try await sandbox.run(sandbox.request()).passes.first?.summary)
        #expect(emptied.publication == .written && emptied.recordCount == 0)
        let emptyBytes = try fileBytes(sandbox.hashIndex)
        #expect(emptyBytes.count == 128 && emptyBytes[45] == 3, "an empty index, generation 3")
    }

    @Test("an empty archive creates no file; acknowledgements and negative ids are skipped but counted")
    func nothingToEmbed() async throws {
        let sandbox = try JobSandbox { path in
            let fixture = try CassFixtureDatabase(creatingAt: path)
            try fixture.addConversation(id: 1)
            try fixture.addMessage(id: 1, conversationID: 1, role: "user", createdAt: 1, content: "  thank   you  ")
            try fixture.addMessage(id: -2, conversationID: 1, index: 9, role: "user", createdAt: 1, content: "real text")
            return fixture
        }
        defer { sandbox.directory.remove() }
        let summary = try #require(try await sandbox.run(sandbox.request()).passes.first?.summary)
        #expect(summary.publication == .noIndex && summary.skippedMessages == 2 && summary.messagesRead == 2)
        #expect(directoryEntries(sandbox.vectorIndex).isEmpty)
        #expect(try sandbox.jobs().first?.completedDocuments == 2)
    }

    @Test("an index with another revision label or dimension is rebuilt, not reused")
    func incompatibleIndexIsRebuilt() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
        defer { sandbox.directory.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.vectorIndex, withIntermediateDirectories: true)
        var foreign = try FSVIWriter(identity: FSVIIdentity(embedderID: "fnv1a-384", revision: "someone-else-v9", dimension: 384))
        try foreign.append(documentID: "m|1|0|1|0|2346092776|0|1700000000000|e20dc54b106e355733b2febd8de45d2840246f17a98f2a27415286059489c71a",
                           vector: [Float](repeating: 1, count: 384))
        try IndexPublisher.publish(foreign, at: sandbox.hashIndex, replacing: nil)

        let summary = try #require(try await sandbox.run(sandbox.request()).passes.first?.summary)
        #expect(summary.publication == .written && summary.embeddedDocuments == 2 && summary.retainedDocuments == 0)
        let file = try FSVIFile(path: sandbox.hashIndex)
        #expect(file.identity == .hash384 && file.header.compactionGeneration == 2)
    }

    @Test("pass planning and embedder resolution")
    func planning() throws {
        let request = EmbeddingJobRequest(databasePath: "a.db", indexPath: "/d", twoTier: true)
        #expect(request.passes == [EmbeddingPass(modelName: "hash", isSemantic: false),
                                   EmbeddingPass(modelName: "minilm", isSemantic: true)])
        #expect(EmbeddingJobRequest(databasePath: "a", indexPath: "/d", twoTier: true, fastModel: "minilm").passes[0]
                == EmbeddingPass(modelName: "minilm", isSemantic: false))
        #expect(EmbeddingJobRequest(databasePath: "a", indexPath: "/d", twoTier: false).passes
                == [EmbeddingPass(modelName: "hash", isSemantic: false)])
        #expect(EmbeddingJobRequest(databasePath: "a", indexPath: "/d", twoTier: false, fastModel: "HASH", qualityModel: nil).passes
                == [EmbeddingPass(modelName: "HASH", isSemantic: true)])
        #expect(EmbeddingJobRequest(databasePath: "a", indexPath: "/d/", twoTier: false).vectorIndexDirectory == "/d/vector_index")

        #expect(try EmbeddingPass(modelName: "minilm", isSemantic: false).resolveEmbedder() == .hash)
        for name in ["hash", "HASH", "fnv1a-384", "FNV1A-384"] {
            #expect(try EmbeddingPass(modelName: name, isSemantic: true).resolveEmbedder() == .hash)
        }
        for name in ["minilm", "MiniLM", "minilm-384", "all-MiniLM-L6-v2", "fastembed"] {
            #expect(try EmbeddingPass(modelName: name, isSemantic: true).resolveEmbedder() == .quality)
        }
        for name in ["snowflake-arctic-s", "nomic-embed", "hash-384"] {
            #expect(throws: EmbeddingJobError.unsupportedModel(name: name)) {
                try EmbeddingPass(modelName: name, isSemantic: true).resolveEmbedder()
            }
        }
    }

    @Test("an unsupported model fails its pass with a clear message; the other pass still runs")
    func unsupportedModel() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
        defer { sandbox.directory.remove() }
        let report = try await sandbox.run(sandbox.request(twoTier: true, quality: "nomic-embed"))
        #expect(report.passes[0].summary?.publication == .written)
        #expect(report.passes[1].failure == .unsupportedModel(name: "nomic-embed"))
        let rows = try sandbox.jobs()
        #expect(rows.map(\.status) == [.failed, .completed])
        #expect(rows[0].errorMessage?.contains("unsupported semantic model 'nomic-embed'") == true)
        #expect(rows[0].errorMessage?.contains("supports only minilm") == true)
    }

    @Test("the quality pass without a quality embedder fails clearly")
    func qualityUnavailable() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
        defer { sandbox.directory.remove() }
        let report = try await sandbox.run(sandbox.request(quality: "minilm"))
        #expect(report.passes[0].failure == .qualityEmbedderUnavailable(name: "minilm"))
        #expect(try sandbox.jobs()[0].errorMessage?.contains("not loaded") == true)
    }

    @Test("the quality pass writes index-minilm-384.fsvi with the embedder's own label")
    func qualityPass() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.twoMessageArchive(at: $0) }
        defer { sandbox.directory.remove() }
        let report = try await sandbox.run(sandbox.request(twoTier: true), runner: EmbeddingJobRunner(quality: fakeQuality))
        #expect(report.passes.map { $0.summary?.publication } == [.written, .written])
        let reader = try IndependentFSVIReader(path: sandbox.vectorIndex + "/index-minilm-384.fsvi")
        #expect(reader.embedderID == "minilm-384" && reader.revision == "test-quality-v1" && reader.dimension == 16)
        #expect(QualityEmbedder.miniLM { _ in [] }.identity.revision.hasPrefix("semd-minilm-f32-v1:c9745ed1"))
    }
}

extension CassFixtureDatabase {
    /// Opens an existing fixture for changes.
    static func open(_ path: String) throws -> CassFixtureDatabase {
        CassFixtureDatabase(database: try SQLiteDatabase(path: path, access: .readWrite, busyTimeout: .seconds(5)),
                            path: path)
    }
}
