// What the client refuses before sending anything, with the daemon's own sentence: a job whose index
// directory does not exist or is not a directory (`JobIndexDirectoryProblem`, Docs/JOBS.md). A fake daemon on a real socket proves nothing was sent.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticClient

@Suite struct ClientRefusalTests {
    @Test func aJobWhoseIndexDirectoryIsMissingIsRefusedBeforeAnythingIsSent() async throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let scratch = try TemporaryDirectory(prefix: "semd-client-job")
        defer { scratch.remove() }
        let database = scratch.path("archive.db").path
        try CassArchiveFixture.create(at: database, messageCount: 1)
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let missing = scratch.path("no-such/data").path
        let refused = try await outcome { try client.submitEmbeddingJob(dbPath: database, indexPath: missing) }
        #expect(refused == .failure(.invalidRequest(JobIndexDirectoryProblem.missing(path: missing).description)))
        #expect(JobIndexDirectoryProblem.missing(path: missing).description.contains("mkdir -p \(missing)"))
        let file = scratch.path("a-file").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let notADirectory = try await outcome { try client.submitEmbeddingJob(dbPath: database, indexPath: file) }
        #expect(notADirectory == .failure(.invalidRequest(JobIndexDirectoryProblem.notADirectory(path: file).description)))
        #expect(fake.connections == 0, "nothing was sent")
        #expect(!FileManager.default.fileExists(atPath: missing), "nothing was created")
    }
}

/// An empty text, query or document is served on the daemon path and the in-process path alike, with the
/// same values (Docs/PROTOCOL.md §7): the client refuses nothing the engine embeds.
@Suite struct ClientEmptyTextTests {
    @Test func anEmptyTextIsEmbeddedAndScoredOnEveryPath() async throws {
        try await withTinyDaemon { daemon in
            let texts = ["a text", ""]
            let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
            for policy in [ServingPolicy.daemonOnly, .inProcessOnly] {
                let client = SemanticClient(configuration: tinyConfiguration(socket: daemon.socket, policy: policy))
                let embedded = try await offPool { try client.embed(texts) }
                #expect(embedded.embeddings.count == 2, "\(policy)")
                for (vector, reference) in zip(embedded.embeddings, expected) {
                    #expect(compare(vector, reference).withinEmbeddingTolerance, "\(policy)")
                }
                let query = try await offPool { try client.rerank(query: "", documents: ["a document"]) }
                let document = try await offPool { try client.rerank(query: "a query", documents: ["", "a document"]) }
                #expect(query.scores.count == 1 && document.scores.count == 2, "\(policy)")
                #expect((query.scores + document.scores).allSatisfy { $0.isFinite }, "\(policy)")
            }
        }
    }
}
