// Background embedding jobs through a live daemon with the real MiniLM: submit, progress to
// completion, both tiers' index files, cancel of queued and running jobs, and interactive requests
// answered while a job runs.
import Foundation
import SemanticClient
import SemanticCore
import SemanticIndex
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

@Suite(.serialized) struct DaemonJobTests {
    func jobs(_ connection: AsyncConnection, _ database: String) async throws -> [EmbeddingJobDetail] {
        let answer = try await connection.send(.embeddingJobStatus(dbPath: database))
        guard case .jobStatus(let info) = answer.response else { throw FixtureError.malformed("\(answer)") }
        return info.jobs
    }

    /// Polls the jobs of `database` through the protocol, on the test's kept connection, until every
    /// one has ended. (The job service logs a job's end, but a wait on that would leave the connection
    /// idle past the daemon's read timeout, and the test goes on using it: a client that waits for its
    /// job asks, as this one does.)
    func waitUntilFinished(_ connection: AsyncConnection, _ database: String, timeout: Duration = .seconds(300))
        async throws -> [EmbeddingJobDetail] {
        var current: [EmbeddingJobDetail] = []
        try await Poll.until("the jobs of \(database) finish", within: timeout, every: .milliseconds(100)) {
            current = try await jobs(connection, database)
            return !current.isEmpty && current.allSatisfy { $0.status != "pending" && $0.status != "running" }
        }
        return current
    }

    @Test func aTwoTierJobWritesBothIndexesWhileTheDaemonKeepsServing() async throws {
        let real = try Fixtures.requireRealEmbedder()
        try await RunningDaemon.with(registry: .standard, modelsRoot: real.deletingLastPathComponent()) { running in
            let database = running.scratch.path("archive.db").path
            let index = running.scratch.path("data").path
            try CassArchiveFixture.create(at: database, messageCount: 40)
            try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
            let connection = try await running.connect()

            let submitted = try await connection.send(.submitEmbeddingJob(dbPath: database, indexPath: index, twoTier: true,
                                                                          fastModel: nil, qualityModel: nil))
            guard case .jobSubmitted(let jobID, let message) = submitted.response else { Issue.record("\(submitted)"); return }
            #expect(jobID == submitted.requestID && message == "embedding job submitted")

            // Interactive requests are answered while the job runs.
            let other = try await running.connect()
            let interactive = try await other.send(.embed(texts: ["still serving"], model: "default", dims: nil))
            guard case .embed(let answer) = interactive.response else { Issue.record("\(interactive)"); return }
            #expect(answer.embeddings[0].count == 384)

            let finished = try await waitUntilFinished(connection, database)
            #expect(Set(finished.map(\.modelID)) == ["hash", "minilm"])
            #expect(finished.allSatisfy { $0.status == "completed" && $0.totalDocuments == 40 && $0.completedDocuments == 40 },
                    "\(finished)")
            let hashIndex = try FSVIFile(path: index + "/vector_index/index-fnv1a-384.fsvi")
            let miniLMIndex = try FSVIFile(path: index + "/vector_index/index-minilm-384.fsvi")
            #expect(hashIndex.recordCount == 40 && miniLMIndex.recordCount == 40)
            #expect(miniLMIndex.identity.revision.hasPrefix("semd-minilm-f32-v1:"))
            #expect(hashIndex.identity.revision == "hash-fnv1a-modular-v1")

            // Resubmitting an unchanged archive completes again and keeps every record.
            _ = try await connection.send(.submitEmbeddingJob(dbPath: database, indexPath: index, twoTier: false,
                                                              fastModel: nil, qualityModel: "minilm"))
            let again = try await waitUntilFinished(connection, database)
            #expect(again.first { $0.modelID == "minilm" }?.status == "completed")
            #expect(try FSVIFile(path: index + "/vector_index/index-minilm-384.fsvi").recordCount == 40)
        }
    }

    @Test func queuedAndRunningJobsCanBeCancelled() async throws {
        let real = try Fixtures.requireRealEmbedder()
        try await RunningDaemon.with(registry: .standard, modelsRoot: real.deletingLastPathComponent()) { running in
            let first = running.scratch.path("first.db").path
            let second = running.scratch.path("second.db").path
            try CassArchiveFixture.create(at: first, messageCount: 3000)
            try CassArchiveFixture.create(at: second, messageCount: 10)
            for folder in ["a", "b"] {
                try FileManager.default.createDirectory(at: running.scratch.path(folder), withIntermediateDirectories: true)
            }
            let connection = try await running.connect()
            let one = try await connection.send(.submitEmbeddingJob(dbPath: first, indexPath: running.scratch.path("a").path,
                                                                    twoTier: false, fastModel: nil, qualityModel: "minilm"))
            let two = try await connection.send(.submitEmbeddingJob(dbPath: second, indexPath: running.scratch.path("b").path,
                                                                    twoTier: false, fastModel: nil, qualityModel: "minilm"))
            guard case .jobSubmitted = one.response, case .jobSubmitted = two.response else {
                Issue.record("\(one) \(two)")
                return
            }
            // The second job waits behind the first: cancel it while it is queued.
            let cancelQueued = try await connection.send(.cancelEmbeddingJob(dbPath: second, modelID: nil))
            #expect(cancelQueued.response == .jobCancelled(cancelled: 1, message: "cancelled 1 job(s)"))
            // Cancel the first while it runs.
            // (Nothing announces a job's start: polled.)
            try await Poll.until("the first job runs", within: .seconds(120), every: .milliseconds(50)) {
                try await jobs(connection, first).first?.status == "running"
            }
            let cancelRunning = try await connection.send(.cancelEmbeddingJob(dbPath: first, modelID: "minilm"))
            #expect(cancelRunning.response == .jobCancelled(cancelled: 1, message: "cancelled 1 job(s)"))
            let firstJobs = try await waitUntilFinished(connection, first)
            #expect(firstJobs.first?.status == "cancelled", "\(firstJobs)")
            let secondStatus = try await jobs(connection, second).first?.status
            #expect(secondStatus == "cancelled")
            // No partial index is left behind.
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: running.scratch.path("a/vector_index").path)) ?? []
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}
