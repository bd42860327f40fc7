// What a real semd writes to its log (Docs/SECURITY.md, "What is logged"): at the default info level,
// no document text, whether the request was served, refused, or part of a background job; paths,
// counts, durations and reasons only.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing

@Suite(.serialized) struct SecurityEndToEndTests {
    @Test func theDaemonLogHoldsNoDocumentTextAtInfoLevel() async throws {
        try await DaemonSandbox.with { sandbox in
            let canary = "canary-\(UUID().uuidString.prefix(8)) the secret of the document"
            let served = try await sandbox.embed(canary)
            #expect(served.servedBy == "daemon")
            let refused = try await sandbox.run(["embed", "--model", "no-such-model", canary])
            #expect(refused.status != 0, "\(refused)")
            let batch = try await sandbox.run(["embed", "--format", "jsonl"], input: "\(canary) one\n\(canary) two\n")
            #expect(batch.status == 0, "\(batch)")
            // A background job over an archive: its messages' text must not reach the log either.
            let database = sandbox.scratch.path("archive.db").path, index = sandbox.scratch.path("data").path
            try CassArchiveFixture.create(at: database, messageCount: 20)
            try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
            #expect(try await sandbox.run(["jobs", "submit", "--db", database, "--index", index]).status == 0)
            let rows = try await sandbox.finishedJobRows(database)
            #expect(rows.first?["status"] as? String == "completed", "\(rows)")

            let log = sandbox.log
            #expect(log.contains("listening on") && log.contains("embedding job"), "the log was written: \(log)")
            #expect(!log.contains("canary-"), "document text reached the log:\n\(log)")
            #expect(!log.contains("about vectors") && !log.contains("about daemons"), "archive text reached the log:\n\(log)")
        }
    }
}
