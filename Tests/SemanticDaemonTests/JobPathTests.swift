// What a job request may name: the refusals of JobRequestPaths through a live in-process daemon. A
// relative path, a FIFO (which would block the daemon on open), a directory, an archive on a read-only
// file system or one the user cannot write, an index path that is a file or missing: each is an error
// answer naming the path, the daemon keeps serving, and no database or directory is ever created.
import Foundation
import SemanticClient
import SemanticIndex
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon
@testable import SemanticService
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct JobPathTests {
    /// Submits a hash job and returns the error message, or nil when it was accepted.
    func submit(_ connection: AsyncConnection, db: String, index: String) async throws -> String? {
        let answer = try await connection.send(.submitEmbeddingJob(dbPath: db, indexPath: index, twoTier: false,
                                                                   fastModel: nil, qualityModel: nil))
        switch answer.response {
        case .jobSubmitted: return nil
        case .error(let error): return error.message
        default: throw FixtureError.malformed("\(answer)")
        }
    }

    @Test func requestsNamingUnusablePathsAreRefusedAndNothingIsCreated() async throws {
        try await RunningDaemon.with { running in
            let connection = try await running.connect()
            let index = running.scratch.path("data").path
            try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
            let database = running.scratch.path("archive.db").path
            try CassArchiveFixture.create(at: database, messageCount: 3)

            let relative = try await submit(connection, db: "archive.db", index: index)
            #expect(relative?.contains("db_path must be an absolute path") == true, "\(relative ?? "accepted")")
            let relativeIndex = try await submit(connection, db: database, index: "data")
            #expect(relativeIndex?.contains("index_path must be an absolute path") == true, "\(relativeIndex ?? "accepted")")

            let fifo = running.scratch.path("fifo.db").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let fifoAnswer = try await submit(connection, db: fifo, index: index)
            #expect(fifoAnswer?.contains("is not a regular file") == true, "\(fifoAnswer ?? "accepted")")
            let directoryAnswer = try await submit(connection, db: index, index: index)
            #expect(directoryAnswer?.contains("is not a regular file") == true, "\(directoryAnswer ?? "accepted")")

            let missing = running.scratch.path("none/agent_search.db").path
            let missingAnswer = try await submit(connection, db: missing, index: index)
            #expect(missingAnswer?.contains("semd never creates an archive") == true, "\(missingAnswer ?? "accepted")")
            let status = try await connection.send(.embeddingJobStatus(dbPath: missing))
            let cancel = try await connection.send(.cancelEmbeddingJob(dbPath: missing, modelID: nil))
            if case .error = status.response {} else { Issue.record("status of a missing archive: \(status)") }
            if case .error = cancel.response {} else { Issue.record("cancel of a missing archive: \(cancel)") }
            #expect(!FileManager.default.fileExists(atPath: missing), "no database was created")
            #expect(!FileManager.default.fileExists(atPath: running.scratch.path("none").path))

            let fileAsIndex = running.scratch.path("index-file").path
            FileManager.default.createFile(atPath: fileAsIndex, contents: Data("x".utf8))
            let indexAnswer = try await submit(connection, db: database, index: fileAsIndex)
            #expect(indexAnswer?.contains("is not a directory") == true, "\(indexAnswer ?? "accepted")")
            // A missing index directory is refused at submit with the client's own sentence (it used
            // to be accepted and then fail inside the job), and is not created.
            let missingIndex = running.scratch.path("no-such/data").path
            let missingIndexAnswer = try await submit(connection, db: database, index: missingIndex)
            #expect(missingIndexAnswer == "failed to submit job: " + JobIndexDirectoryProblem.missing(path: missingIndex).description,
                    "\(missingIndexAnswer ?? "accepted")")
            #expect(!FileManager.default.fileExists(atPath: running.scratch.path("no-such").path))

            // Still serving, and a good request is accepted.
            #expect(try await submit(connection, db: database, index: index) == nil)
            let health = try await connection.send(.health)
            if case .health = health.response {} else { Issue.record("\(health)") }
        }
    }

    /// An archive the daemon's user cannot write: on a read-only file system when the tests run as root
    /// (root ignores file modes, not EROFS), else a file mode of 0444.
    @Test func anArchiveTheUserCannotWriteIsRefused() async throws {
        try await RunningDaemon.with { running in
            let connection = try await running.connect()
            let index = running.scratch.path("data").path
            try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
            let mount = ScratchMount.make(in: running.scratch.url, bytes: 1 << 20)
            defer { mount?.remove() }
            let database: String
            if let mount {
                database = mount.path + "/archive.db"
                try CassArchiveFixture.create(at: database, messageCount: 3)
                #expect(mount.makeReadOnly())
            } else {
                try #require(geteuid() != 0, "root without a tmpfs cannot make a file unwritable")
                database = running.scratch.path("archive.db").path
                try CassArchiveFixture.create(at: database, messageCount: 3)
                chmod(database, 0o444)
            }
            let answer = try await submit(connection, db: database, index: index)
            #expect(answer?.contains("cannot read and write \(database)") == true, "\(answer ?? "accepted")")
            #expect(try FileManager.default.contentsOfDirectory(atPath: index).isEmpty)
        }
    }
}
