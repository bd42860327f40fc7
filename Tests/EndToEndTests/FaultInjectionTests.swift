// Faults injected into real semd processes, each with its defined outcome (Docs/RELIABILITY.md,
// "Fault injection"): a daemon SIGKILLed while a request waits on it is replaced (or fallen back from)
// with the same vectors; a SIGSTOPped daemon is timed out and fallen back from, and no second daemon
// is spawned while it holds the run lock; a read-only or full index file system fails the job with
// its reason and leaves no partial file; an archive locked by another writer is waited for, then
// refused clearly; a model file truncated or rewritten under a running daemon does not reach it.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension DaemonSandbox {
    /// Server-side connections of `socket` (listening socket excluded) in /proc/net/unix: they appear
    /// the moment a client connects, accepted or not, so a stopped daemon's queued clients count too.
    func connectedSockets(at socket: String) -> Int {
        // Read to the end: String(contentsOfFile:) reads a /proc file in one read of about a page, and
        // in a full test run (hundreds of sockets) this socket's lines lay beyond it and went unseen.
        guard let handle = FileHandle(forReadingAtPath: "/proc/net/unix"), let data = try? handle.readToEnd() else { return 0 }
        try? handle.close()
        let table = String(decoding: data, as: UTF8.self)
        return table.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // Flags 00010000 mark the listening socket; the others are accepted or still queued (02).
            return fields.count >= 8 && fields[7] == socket && fields[3] != "00010000"
        }.count
    }

    /// `semctl jobs status --json` for `database`: the jobs' dictionaries.
    func jobRows(_ database: String) async throws -> [[String: Any]] {
        let output = try await run(["jobs", "status", "--json", "--db", database])
        guard output.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
              let jobs = object["jobs"] as? [[String: Any]] else { throw SandboxError.failed("jobs status", output) }
        return jobs
    }

    /// Waits until every job of `database` has finished; returns the rows.
    func finishedJobRows(_ database: String) async throws -> [[String: Any]] {
        // The daemon is another process: its jobs' ends are polled through semctl.
        var rows: [[String: Any]] = []
        try await Poll.until("the jobs of \(database) finish", within: .seconds(300), every: .milliseconds(200)) {
            rows = try await jobRows(database)
            return !rows.isEmpty && rows.allSatisfy { !["pending", "running"].contains($0["status"] as? String ?? "") }
        }
        return rows
    }

    /// Every entry under `directory`, recursively (relative paths).
    func entries(under directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }
}

@Suite(.serialized) struct FaultInjectionTests {
    /// SIGKILL while the client's request sits unanswered at a stopped daemon: with spawning on, a new
    /// daemon answers; with it off, the in-process engine does; the vectors are the same either way.
    @Test func aDaemonKilledWhileARequestWaitsOnItIsReplacedWithTheSameVectors() async throws {
        try await DaemonSandbox.with { sandbox in
            let reference = try await sandbox.embed("hello")
            #expect(reference.servedBy == "daemon")
            for (round, environment) in [[:], ["SEMD_NO_SPAWN": "1"]].enumerated() {
                let daemon = try #require(sandbox.daemonProcesses().first)
                let socket = sandbox.paths.privateSocket
                // Freeze the daemon so the request is surely in flight (written, unanswered) when it dies.
                kill(daemon, SIGSTOP)
                // Counted once every thread has stopped: a connection of the previous client that the
                // daemon was still closing cannot vanish from the count after that.
                let stopped = await Poll.holds(within: .seconds(60)) { Subprocess.isStopped(daemon) }
                #expect(stopped, "the daemon stopped")
                let before = sandbox.connectedSockets(at: socket)
                let client = Task { try await sandbox.embed("hello", environment: environment) }
                let connected = await Poll.holds(within: .seconds(60)) { sandbox.connectedSockets(at: socket) > before }
                #expect(connected, "the client reached the stopped daemon")
                // Its request is written: the bytes wait unread at the stopped daemon's end.
                let written = await Poll.holds(within: .seconds(60)) { try UnixSocketQueues.hasUnreadData(at: socket) }
                #expect(written, "the client's request reached the stopped daemon")
                kill(daemon, SIGKILL)
                let answer = try await client.value
                #expect(maxDifference(answer.embeddings, reference.embeddings) <= sameVectorTolerance)
                #expect(await Poll.holds(within: .seconds(10)) { !Subprocess.isAlive(daemon) })
                if round == 0 {
                    #expect(answer.servedBy == "daemon", "a new daemon was spawned and answered")
                    let now = sandbox.daemonProcesses()
                    #expect(now.count == 1 && now.first != daemon, "\(now)")
                } else {
                    #expect(answer.servedBy == "in-process", "spawning off: the in-process engine answered")
                    #expect(sandbox.daemonProcesses().isEmpty)
                }
            }
        }
    }

    @Test func aStoppedDaemonIsTimedOutAndFallenBackFromWithoutASecondDaemon() async throws {
        try await DaemonSandbox.with { sandbox in
            let reference = try await sandbox.embed("hello")
            let daemon = try #require(sandbox.daemonProcesses().first)
            kill(daemon, SIGSTOP)
            defer { kill(daemon, SIGCONT) }
            // A 3 s request deadline, three attempts: the client gives up on the daemon, never spawns
            // a second one (the first still holds the run lock), and answers in-process.
            let output = try await sandbox.run(["embed", "--json", "-v", "hello"],
                                               environment: ["SEMD_REQUEST_TIMEOUT_MS": "3000"])
            #expect(output.status == 0, "\(output)")
            let answer = try EmbedOutput(json: output.standardOutput)
            #expect(answer.servedBy == "in-process", "\(output)")
            #expect(output.standardError.contains("did not answer within"), "\(output)")
            #expect(maxDifference(answer.embeddings, reference.embeddings) <= sameVectorTolerance)
            // Within its deadline: three timed-out attempts, their backoff, then the in-process model
            // load (generous: the machine may be loaded). Never the sandbox's 300 s request timeout.
            #expect(output.elapsed >= .seconds(3) && output.elapsed < .seconds(120), "\(output.elapsed)")
            #expect(sandbox.daemonProcesses() == [daemon], "no second daemon")
            #expect(LockFile.isHeld(at: sandbox.paths.runLock) == true)
            #expect(sandbox.log.components(separatedBy: "listening on").count - 1 == 1, "\(sandbox.log)")

            // Resumed, the same daemon serves again.
            kill(daemon, SIGCONT)
            let resumed = try await sandbox.embed("hello")
            #expect(resumed.servedBy == "daemon" && sandbox.daemonProcesses() == [daemon])
            #expect(maxDifference(resumed.embeddings, reference.embeddings) <= sameVectorTolerance)
        }
    }

    /// Submits a one-pass hash job for a fresh archive of `messages` messages into `index`; returns the
    /// finished job row.
    func runHashJob(_ sandbox: DaemonSandbox, messages: Int, index: String) async throws -> [String: Any] {
        let database = sandbox.scratch.path("archive-\(UUID().uuidString.prefix(6)).db").path
        try CassArchiveFixture.create(at: database, messageCount: messages)
        let submit = try await sandbox.run(["jobs", "submit", "--db", database, "--index", index])
        guard submit.status == 0 else { throw SandboxError.failed("jobs submit", submit) }
        let rows = try await sandbox.finishedJobRows(database)
        return try #require(rows.first)
    }

    @Test func aReadOnlyIndexFileSystemFailsTheJobWithItsReasonAndTheDaemonServes() async throws {
        try await DaemonSandbox.with { sandbox in
            let mount = ScratchMount.make(in: sandbox.scratch.url, bytes: 1 << 20)
            defer { mount?.remove() }
            let index: String
            if let mount {
                #expect(mount.makeReadOnly())
                index = mount.path
            } else {
                try #require(geteuid() != 0, "root without a tmpfs cannot make a directory unwritable")
                index = sandbox.scratch.path("read-only").path
                try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
                chmod(index, 0o555)
            }
            let row = try await runHashJob(sandbox, messages: 20, index: index)
            #expect(row["status"] as? String == "failed", "\(row)")
            let reason = row["error"] as? String ?? ""
            #expect(reason.contains(index) && (reason.contains("Read-only file system") || reason.contains("Permission denied")),
                    "\(reason)")
            #expect(sandbox.entries(under: index).isEmpty, "nothing was written")
            #expect(try await sandbox.embed("still serving").servedBy == "daemon")
        }
    }

    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func aFullIndexFileSystemFailsTheJobWithItsReasonAndLeavesNoPartialFile() async throws {
        try await DaemonSandbox.with { sandbox in
            // 64 KiB cannot hold an index of 2,000 hash vectors (f16 × 384 = 768 bytes each).
            let mount = try #require(ScratchMount.make(in: sandbox.scratch.url, bytes: 64 << 10))
            defer { mount.remove() }
            let row = try await runHashJob(sandbox, messages: 2_000, index: mount.path)
            #expect(row["status"] as? String == "failed", "\(row)")
            let reason = row["error"] as? String ?? ""
            #expect(reason.contains("No space left on device"), "\(reason)")
            let left = sandbox.entries(under: mount.path)
            #expect(left.allSatisfy { $0 == "vector_index" }, "no partial or temporary file: \(left)")
            #expect(try await sandbox.embed("still serving").servedBy == "daemon")
        }
    }

    @Test func anArchiveLockedByAnotherWriterIsWaitedForThenRefusedClearly() async throws {
        try await DaemonSandbox.with { sandbox in
            let database = sandbox.scratch.path("locked.db").path
            let index = sandbox.scratch.path("data").path
            try CassArchiveFixture.create(at: database, messageCount: 20)
            try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
            _ = try await sandbox.embed("warm up")
            let writer = try CassArchiveFixture.ExclusiveWriter(path: database)
            // The daemon retries for its busy timeout (10 s), then answers with the reason.
            let refused = try await sandbox.run(["jobs", "submit", "--db", database, "--index", index])
            writer.release()
            #expect(refused.status != 0, "\(refused)")
            #expect(refused.standardError.contains("stayed locked by another process"), "\(refused)")
            #expect(refused.elapsed >= .seconds(9), "it waited for the busy timeout first: \(refused.elapsed)")
            #expect(sandbox.entries(under: index).isEmpty)
            // Once the other writer is done, the same job runs; the refused one left no row.
            let again = try await sandbox.run(["jobs", "submit", "--db", database, "--index", index])
            #expect(again.status == 0, "\(again)")
            let rows = try await sandbox.finishedJobRows(database)
            #expect(rows.count == 1 && rows.first?["status"] as? String == "completed", "\(rows)")
            #expect(try await sandbox.embed("still serving").servedBy == "daemon")
        }
    }

    @Test func aModelFileTruncatedOrRewrittenUnderARunningDaemonDoesNotReachIt() async throws {
        try await DaemonSandbox.with { sandbox in
            // A private copy of the model, which this test may damage.
            let link = sandbox.modelsDirectory.appendingPathComponent("all-MiniLM-L6-v2")
            let real = link.resolvingSymlinksInPath()
            try FileManager.default.removeItem(at: link)
            try FileManager.default.createDirectory(at: link, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: real.path) {
                try FileManager.default.copyItem(at: real.appendingPathComponent(name), to: link.appendingPathComponent(name))
            }
            let weights = link.appendingPathComponent("model.safetensors").path
            let reference = try await sandbox.embed("hello")
            let daemon = try #require(sandbox.daemonProcesses().first)

            #expect(truncate(weights, 0) == 0)
            let afterTruncation = try await sandbox.embed("hello")
            #expect(afterTruncation.servedBy == "daemon" && afterTruncation.embeddings == reference.embeddings)

            let garbage = FileHandle(forWritingAtPath: weights)
            try garbage?.write(contentsOf: Data(repeating: 0x7f, count: 1 << 20))
            try garbage?.close()
            let afterRewrite = try await sandbox.embed("hello")
            #expect(afterRewrite.servedBy == "daemon" && afterRewrite.embeddings == reference.embeddings)
            #expect(sandbox.daemonProcesses() == [daemon], "the same daemon answered throughout")
            #expect(!sandbox.log.contains("SIGBUS"))
        }
    }
}
