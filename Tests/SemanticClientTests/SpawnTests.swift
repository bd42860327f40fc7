// Starting a process detached (new session, /dev/null stdin, output to the log, nothing else
// inherited, reaped), finding semd, and what the client does when starting it fails.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticClient
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpawnTests {
    @Test func detachedProcessRunsInItsOwnSessionWithOnlyStandardDescriptors() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-spawn")
        defer { scratch.remove() }
        let log = scratch.path("child.log").path
        // A descriptor this process leaves inheritable must not reach the child (numbered high, so it
        // cannot be mistaken for the one `ls` opens to list the directory).
        let opened = open("/dev/null", O_RDONLY)
        let leaked = fcntl(opened, F_DUPFD, 200)
        close(opened)
        defer { close(leaked) }
        #expect(leaked >= 200)
        let script = """
            read -r line; echo "stdin=[$line]"; echo "pid=$$"; \
            echo "sid=$(cut -d' ' -f6 /proc/$$/stat)"; echo "fds=$(ls /proc/$$/fd | tr '\\n' ' ')"; echo oops >&2
            """
        let pid = try DetachedProcess.spawn(executable: "/bin/sh", arguments: ["-c", script], logFile: log)
        // A detached child announces nothing to us: its exit is polled (exitStatus reaps it).
        let status = try await offPool { () -> Int32 in
            var status: Int32?
            try Poll.blockUntil("the detached child exits", within: .seconds(30)) {
                status = DetachedProcess.exitStatus(of: pid)
                return status != nil
            }
            return status ?? -1
        }
        #expect(status == 0)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("stdin=[]"), "stdin is /dev/null")
        #expect(output.contains("pid=\(pid)") && output.contains("sid=\(pid)"), "the child leads its own session: \(output)")
        #expect(output.contains("oops"), "stderr goes to the log too")
        let fds = output.split(separator: "\n").first { $0.hasPrefix("fds=") }?.dropFirst(4)
            .split(separator: " ").compactMap { Int($0) } ?? []
        // 0, 1, 2, and the descriptor `ls` opens for /proc/$$/fd itself (if any).
        #expect(!fds.contains(Int(leaked)), "\(fds)")
        #expect(fds.filter { $0 > 2 }.count <= 1, "\(fds)")
        var attributes = stat()
        #expect(stat(log, &attributes) == 0 && attributes.st_mode & 0o777 == 0o600)
    }

    @Test func aPlantedLogFileIsRefusedAndLeftAlone() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-spawn")
        defer { scratch.remove() }
        let victim = scratch.path("victim").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        // A symlink, and a hard link, at the log's path: both would make the daemon write elsewhere.
        let symbolic = scratch.path("symbolic.log").path, hard = scratch.path("hard.log").path
        #expect(symlink(victim, symbolic) == 0 && link(victim, hard) == 0)
        for log in [symbolic, hard] {
            #expect(throws: SpawnError.self) { try DetachedProcess.spawn(executable: "/bin/true", arguments: [], logFile: log) }
        }
        if geteuid() == 0 {
            // Another user's file (only root can make one here).
            let foreign = scratch.path("foreign.log").path
            _ = FileManager.default.createFile(atPath: foreign, contents: Data())
            #expect(chown(foreign, 65534, 65534) == 0)
            let error = #expect(throws: SpawnError.self) {
                try DetachedProcess.spawn(executable: "/bin/true", arguments: [], logFile: foreign)
            }
            #expect(error?.message.contains("of your own") == true)
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
    }

    @Test func spawnReportsAMissingExecutable() {
        #expect(throws: SpawnError.self) {
            try DetachedProcess.spawn(executable: "/nonexistent/semd", arguments: [], logFile: "/tmp/x.log")
        }
    }

    @Test func daemonIsLookedForBesideTheExecutableThenOnPath() {
        let candidates = DaemonLauncher.daemonExecutableCandidates(environment: ["PATH": "/opt/a:/opt/b"])
        #expect(candidates.suffix(2) == ["/opt/a/semd", "/opt/b/semd"])
        if let running = DaemonLauncher.runningExecutable() {
            #expect(candidates.first == ((running as NSString).deletingLastPathComponent as NSString).appendingPathComponent("semd"))
        }
    }

    @Test func aDaemonThatExitsAtOnceIsASpawnFailureAndTheCallFallsBack() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-spawn")
        defer { scratch.remove() }
        var configuration = tinyConfiguration(socket: scratch.path("s.sock").path)
        configuration.spawnDaemon = true
        configuration.daemonExecutable = "/bin/false"
        let failing = configuration
        let result = try await offPool { try SemanticClient(configuration: failing).embed(["hello"]) }
        guard case .inProcess(.spawnFailed(let message)) = result.servedBy else {
            Issue.record("served by \(result.servedBy)")
            return
        }
        #expect(message.contains("exited with status 1") && message.contains("s.log"))
        // The guard was released: another client can take it at once.
        let guardLock = try LockFile.acquireSpawnGuard(at: configuration.paths.spawnGuard, timeout: .milliseconds(100))
        guardLock.release()

        configuration.daemonExecutable = scratch.path("missing-semd").path
        let missingConfiguration = configuration
        let missing = try await offPool { try SemanticClient(configuration: missingConfiguration).embed(["hello"]) }
        #expect(missing.servedBy.reason?.tag == "spawn-failed")

        configuration.policy = .daemonOnly
        let strict = configuration
        guard case .failure(.unavailable) = try await outcome({ try SemanticClient(configuration: strict).embed(["hello"]) }) else {
            Issue.record("daemon-only fell back")
            return
        }
    }

    @Test func startDaemonIsANoOpWhenOneRuns() async throws {
        try await withTinyDaemon { daemon in
            var configuration = tinyConfiguration(socket: daemon.socket)
            configuration.daemonExecutable = "/bin/false"  // would fail if it were started
            let client = SemanticClient(configuration: configuration)
            let launch = try await offPool { try client.startDaemon(readyTimeout: .seconds(30)) }
            #expect(launch == .alreadyRunning)
        }
    }
}
