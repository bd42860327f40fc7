// JobStoreTests: the `embedding_jobs` table: schema and defaults, one active row per (database, model),
// claiming, progress, outcomes, cancelling queued and running rows, listing newest first, and recovery
// of rows a stopped daemon left running.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticIndex

@Suite("Job store")
struct JobStoreTests {
    func withStore(_ body: (JobStore, String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        _ = try CassFixtureDatabase.twoMessageArchive(at: path)
        try body(try JobStore(databasePath: path), path)
    }

    @Test("the table has the reference's columns, defaults and partial unique index")
    func schema() throws {
        try withStore { store, path in
            let id = try store.submit(modelID: "hash")
            let record = try #require(try store.job(id: id))
            #expect(record.status == .pending && record.totalDocuments == 0 && record.completedDocuments == 0)
            #expect(record.databasePath == path && record.modelID == "hash" && record.errorMessage == nil)
            #expect(record.createdAt.count == 19 && record.createdAt.dropFirst(10).hasPrefix(" "), "\(record.createdAt)")
            #expect(record.startedAt == nil && record.completedAt == nil)
            _ = try JobStore(databasePath: path)  // creating the table again is harmless
            let database = try SQLiteDatabase(path: path, access: .readWrite, busyTimeout: .seconds(1))
            #expect(throws: ArchiveError.self) {
                try database.run("INSERT INTO embedding_jobs(db_path, model_id) VALUES(?1, 'hash')", [.text(path)],
                                 operation: "insert a second active row")
            }
        }
    }

    @Test("submitting twice reuses the active row; a finished row makes room for a new one")
    func submitReuse() throws {
        try withStore { store, _ in
            let first = try store.submit(modelID: "hash")
            #expect(try store.submit(modelID: "hash") == first)
            #expect(try store.submit(modelID: "minilm") != first)
            #expect(try store.claim(jobID: first, modelID: "hash", totalDocuments: 2) == .started(jobID: first))
            #expect(try store.complete(jobID: first, completedDocuments: 2))
            let second = try store.submit(modelID: "hash")
            #expect(second > first)
            #expect(try store.jobs().map(\.id) == [second, second - 1, first], "newest first")
        }
    }

    @Test("a request is submitted to the archive it names")
    func submitRequest() throws {
        try withStore { store, path in
            let request = EmbeddingJobRequest(databasePath: path, indexPath: "/data", twoTier: true)
            let job = try store.submit(request)
            #expect(job.passes.map(\.pass.modelName) == ["hash", "minilm"])
            #expect(try JobStore.submit(request).passes.map(\.jobID) == job.passes.map(\.jobID), "active rows are reused")
            var elsewhere = request
            elsewhere.databasePath = path + ".other"
            #expect(throws: ArchiveError.requestForAnotherArchive(storePath: path, requestPath: path + ".other")) {
                try store.submit(elsewhere)
            }
        }
    }

    @Test("claim, progress, complete")
    func lifecycle() throws {
        try withStore { store, _ in
            let id = try store.submit(modelID: "hash")
            #expect(try store.claim(jobID: id, modelID: "hash", totalDocuments: 300) == .started(jobID: id))
            var record = try #require(try store.job(id: id))
            #expect(record.status == .running && record.totalDocuments == 300 && record.startedAt != nil)
            #expect(try store.recordProgress(jobID: id, completedDocuments: 128))
            #expect(try store.job(id: id)?.completedDocuments == 128)
            #expect(try store.complete(jobID: id, completedDocuments: 300))
            record = try #require(try store.job(id: id))
            #expect(record.status == .completed && record.completedDocuments == 300 && record.completedAt != nil)
            #expect(try !store.recordProgress(jobID: id, completedDocuments: 1), "a finished row takes no progress")
        }
    }

    @Test("fail keeps the message and the time")
    func failure() throws {
        try withStore { store, _ in
            let id = try store.submit(modelID: "minilm")
            try store.fail(jobID: id, message: "the minilm embedder failed: boom")
            let record = try #require(try store.job(id: id))
            #expect(record.status == .failed && record.errorMessage == "the minilm embedder failed: boom")
            #expect(record.completedAt != nil)
        }
    }

    @Test("cancel reaches queued and running rows, by model or all, without completed_at")
    func cancel() throws {
        try withStore { store, _ in
            let hash = try store.submit(modelID: "hash")
            let minilm = try store.submit(modelID: "minilm")
            #expect(try store.claim(jobID: hash, modelID: "hash", totalDocuments: 2) == .started(jobID: hash))
            #expect(try store.cancel(modelID: "minilm") == 1)
            #expect(try store.claim(jobID: minilm, modelID: "minilm", totalDocuments: 2) == .cancelled,
                    "a queued job cancelled before it ran never starts")
            #expect(try store.cancel() == 1)
            #expect(try !store.recordProgress(jobID: hash, completedDocuments: 1), "the runner sees the cancel")
            #expect(try store.jobs().allSatisfy { $0.status == .cancelled && $0.completedAt == nil })
            #expect(try store.cancel() == 0)
        }
    }

    @Test("rows left running by a stopped daemon become failed and can be submitted again")
    func recovery() throws {
        try withStore { store, path in
            let id = try store.submit(modelID: "hash")
            _ = try store.claim(jobID: id, modelID: "hash", totalDocuments: 2)
            let pending = try store.submit(modelID: "minilm")
            // The daemon stops; a new one opens the archive.
            let restarted = try JobStore(databasePath: path)
            #expect(try restarted.recoverInterruptedJobs() == 1)
            let record = try #require(try restarted.job(id: id))
            #expect(record.status == .failed && record.errorMessage == JobStore.interruptedMessage)
            #expect(try restarted.job(id: pending)?.status == .pending)
            let again = try restarted.submit(modelID: "hash")
            #expect(again != id)
            #expect(try restarted.claim(jobID: id, modelID: "hash", totalDocuments: 2) == .started(jobID: again),
                    "claiming the failed row runs the new active row instead")
        }
    }

    @Test("a read-only archive cannot hold job rows: a clear error")
    func readOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("archive.db").path
        _ = try CassFixtureDatabase.twoMessageArchive(at: path)
        let database = try SQLiteDatabase(path: path, access: .readOnly, busyTimeout: .seconds(1))
        let error = #expect(throws: ArchiveError.self) {
            try database.run("CREATE TABLE x(y)", operation: "create the embedding_jobs table")
        }
        #expect(error == .readOnly(path: path, operation: "create the embedding_jobs table"))
        #expect(error?.description.contains("read-only") == true)
    }
}
