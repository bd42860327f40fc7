// The built semctl refuses, before starting or asking any daemon, what every door refuses: an empty
// text (an argument, or an empty line of standard input) for embed and rerank (Docs/PROTOCOL.md §7),
// and `jobs submit --index DIR` when DIR does not exist (Docs/JOBS.md). Each is exit 2 with one
// sentence that says what to do, and no daemon is started.
import Foundation
import SemanticTestSupport
import Testing

@Suite struct SemctlRefusalTests {
    @Test func emptyTextsAndAMissingIndexDirectoryAreRefusedWithoutADaemon() async throws {
        try await DaemonSandbox.with { sandbox in
            let cases: [(arguments: [String], input: String?, says: String)] = [
                (["embed", ""], nil, "text 0 (counting from 0) is empty"),
                (["embed", "--format", "jsonl"], "first line\n\nthird line\n", "text 1 (counting from 0) is empty"),
                (["rerank", "", "a document"], nil, "the query is empty"),
                (["rerank", "a query", "a document", ""], nil, "document 1 (counting from 0) is empty"),
            ]
            for item in cases {
                let output = try await sandbox.run(item.arguments, input: item.input)
                #expect(output.status == 2 && output.standardError.contains(item.says)
                        && output.standardError.contains("Docs/PROTOCOL.md §7"), "\(item.arguments): \(output)")
            }

            let database = sandbox.scratch.path("archive.db").path
            try CassArchiveFixture.create(at: database, messageCount: 2)
            let missing = sandbox.scratch.path("no-such-data").path
            let submit = try await sandbox.run(["jobs", "submit", "--db", database, "--index", missing])
            #expect(submit.status == 2 && submit.standardError.contains("the index directory \(missing) does not exist")
                    && submit.standardError.contains("mkdir -p \(missing)"), "\(submit)")
            #expect(!FileManager.default.fileExists(atPath: missing), "nothing was created")
            #expect(!sandbox.socketEntryExists && sandbox.daemonProcesses().isEmpty, "no daemon was started")
        }
    }
}
