// What the client refuses before sending anything, with the daemon's own sentence: an empty text or
// query or document (`EmptyTextRule`, Docs/PROTOCOL.md §7), on the daemon path and the in-process path
// alike, and a job whose index directory does not exist or is not a directory
// (`JobIndexDirectoryProblem`, Docs/JOBS.md). A fake daemon on a real socket proves nothing was sent.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticClient

@Suite struct ClientRefusalTests {
    @Test func anEmptyTextIsRefusedBeforeAnythingIsSentOnEveryPath() async throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        for policy in [ServingPolicy.daemonThenInProcess, .daemonOnly, .inProcessOnly] {
            let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: policy))
            let embed = try await outcome { try client.embed(["a text", ""]) }
            #expect(embed == .failure(.invalidRequest(EmptyTextRule.refusal(texts: ["a text", ""])!)), "\(policy)")
            let query = try await outcome { try client.rerank(query: "", documents: ["a"]) }
            #expect(query == .failure(.invalidRequest(EmptyTextRule.refusal(query: "", documents: ["a"])!)), "\(policy)")
            let document = try await outcome { try client.rerank(query: "q", documents: ["", "a"]) }
            #expect(document == .failure(.invalidRequest(EmptyTextRule.refusal(query: "q", documents: ["", "a"])!)), "\(policy)")
            let logits = try await outcome { try client.rerankLogitsInProcess(query: "q", documents: [""]) }
            #expect(logits == .failure(.invalidRequest(EmptyTextRule.refusal(query: "q", documents: [""])!)), "\(policy)")
        }
        #expect(fake.connections == 0, "nothing was sent")
        // Spaces are not empty: served (here in-process).
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .inProcessOnly))
        let spaces = try await offPool { try client.embed([" "]) }
        #expect(spaces.embeddings.map(\.count) == [16])
    }

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
