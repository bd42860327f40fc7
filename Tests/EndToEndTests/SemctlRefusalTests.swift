// The built semctl refuses, before starting or asking any daemon, what every door refuses:
// `jobs submit --index DIR` when DIR does not exist (Docs/JOBS.md). It is exit 2 with one sentence
// that says what to do, and no daemon is started.
import Foundation
import SemanticTestSupport
import Testing

@Suite struct SemctlRefusalTests {
    @Test func aMissingIndexDirectoryIsRefusedWithoutADaemon() async throws {
        try await DaemonSandbox.with { sandbox in
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
