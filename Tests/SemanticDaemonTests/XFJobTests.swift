// xf's job requests over the xf socket, mapped onto semd's embedding jobs: a hash job submitted with
// xf's names runs to completion and is reported in xf's shape (row id, unix times, progress), status
// without a db_path lists every archive seen, cancel answers a count, and a missing or non-cass
// database is DB_NOT_FOUND before anything is written.
import Foundation
import SemanticIndex
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

@Suite(.serialized) struct XFJobTests {
    @Test func aHashJobSubmittedInXFsWordsRunsAndIsReportedInXFsShape() async throws {
        try await RunningDaemon.withXF { running in
            let xfSocket = running.xfSocket
            let database = running.scratch.path("archive.db").path
            let index = running.scratch.path("data").path
            try CassArchiveFixture.create(at: database, messageCount: 30)
            try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
            let before = Int64(Date().timeIntervalSince1970) - 5

            let nothingYet = try await offPool { try xfRequest(.embeddingJobStatus(dbPath: nil), socket: xfSocket) }
            #expect(nothingYet == .jobStatus([]))
            let submitted = try await offPool {
                try xfRequest(.submitEmbeddingJob(dbPath: database, indexPath: index, modelID: "fast", twoTier: false,
                                                  fastModel: "hash-fnv1a-384", qualityModel: nil), socket: xfSocket)
            }
            guard case .jobSubmitted(let jobID, let estimated) = submitted else { Issue.record("\(submitted)"); return }
            #expect(jobID > 0 && estimated == 30)

            // The job service logs each job's end: the harness checks again at every line the daemon logs.
            try await running.waitUntil("the job finished", within: .seconds(120)) {
                let jobs = try running.daemon.service.jobs!.jobs(dbPath: database)
                return !jobs.isEmpty && jobs.allSatisfy { !$0.status.isActive }
            }
            let answer = try await offPool { try xfRequest(.embeddingJobStatus(dbPath: nil), socket: xfSocket) }
            guard case .jobStatus(let finished) = answer else { Issue.record("\(answer)"); return }
            let job = try #require(finished.first, "the job did not finish")
            #expect(finished.count == 1)
            #expect(job.id == jobID && job.dbPath == database && job.modelID == "fnv1a-384" && job.status == "completed",
                    "\(job)")
            #expect(job.totalDocuments == 30 && job.completedDocuments == 30 && job.progressPercent == 100)
            #expect(job.createdAt >= before && job.startedAt >= job.createdAt && job.completedAt >= job.startedAt)
            #expect(job.errorMessage == nil)
            #expect(FileManager.default.fileExists(atPath: index + "/vector_index/index-fnv1a-384.fsvi"))
            // The same rows through the service, by db_path.
            let rows = try running.daemon.service.jobs!.jobs(dbPath: database)
            #expect(rows.map(\.id) == [jobID] && rows[0].status == .completed)

            let cancelled = try await offPool { try xfRequest(.cancelEmbeddingJob(dbPath: database, modelID: "fast"), socket: xfSocket) }
            #expect(cancelled == .jobCancelled(count: 0))
        }
    }

    @Test func missingAndForeignDatabasesAreDBNotFoundAndUnknownModelsAre3() async throws {
        try await RunningDaemon.withXF { running in
            let xfSocket = running.xfSocket
            let missing = running.scratch.path("missing.db").path
            let foreign = running.scratch.path("xf.db").path
            #expect(FileManager.default.createFile(atPath: foreign, contents: Data()))
            let index = running.scratch.url.path
            let answers = try await offPool {
                try [
                    XFRequest.submitEmbeddingJob(dbPath: missing, indexPath: index, modelID: "quality", twoTier: true,
                                                 fastModel: nil, qualityModel: nil),
                    .embeddingJobStatus(dbPath: missing),
                    .cancelEmbeddingJob(dbPath: missing, modelID: nil),
                    .submitEmbeddingJob(dbPath: foreign, indexPath: index, modelID: "fast", twoTier: false, fastModel: nil,
                                        qualityModel: nil),
                    .submitEmbeddingJob(dbPath: foreign, indexPath: index, modelID: "quality", twoTier: true,
                                        fastModel: "hash", qualityModel: "bge-small-en-v1.5"),
                ].map { try xfRequest($0, socket: xfSocket) }
            }
            for answer in answers.prefix(4) {
                guard case .error(let code, let message) = answer else { Issue.record("\(answer)"); continue }
                #expect(code == .databaseNotFound, "\(message)")
            }
            guard case .error(let code, let message) = answers[4] else { Issue.record("\(answers[4])"); return }
            #expect(code == .unknownModel && message.contains("bge-small-en-v1.5"))
            // Nothing was written into the database that is not a cass archive, and nothing was created.
            #expect(try FileManager.default.attributesOfItem(atPath: foreign)[.size] as? Int == 0)
            #expect(!FileManager.default.fileExists(atPath: missing))
        }
    }
}
