// The log of a daemon a client started (`<socket name>.log` beside the socket), with a small cap:
// however many lines the daemon writes, neither the log nor the one previous file passes the cap, and
// `semctl logs` prints the newest lines, reaching into the previous file when the current one is short,
// and `semctl logs --follow` goes on from the rest of the old file into the new one after a rotation.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct LogRotationEndToEndTests {
    @Test func aSpawnedDaemonsLogStaysWithinItsCapAndLogsShowsTheNewestLinesAcrossTheRotation() async throws {
        try await DaemonSandbox.with { sandbox in
            // Debug lines: one per request, so 150 Health requests write several times the cap.
            let environment = ["SEMD_LOG_MAX_SIZE": "4K", "SEMD_LOG_LEVEL": "debug"]
            let start = try await sandbox.run(["start"], environment: environment)
            #expect(start.status == 0 && start.standardOutput.contains("started semd"), "\(start)")
            let ping = try await sandbox.run(["ping", "--count", "150"])
            #expect(ping.status == 0, "\(ping)")
            let stop = try await sandbox.run(["stop"])
            #expect(stop.status == 0, "\(stop)")

            let log = sandbox.paths.logFile
            let previous = DaemonLogFiles.previousPath(of: log)
            for path in [log, previous] {
                let size = try #require((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64, "\(path) exists")
                #expect(size <= 4096, "\(path) is \(size) bytes, past its cap of 4 KiB")
            }
            #expect(!FileManager.default.fileExists(atPath: log + ".2"))
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("stopped"), "the daemon's last line is in the current file")

            // Three lines more than the current file holds: they come from the previous file.
            let current = try #require(DaemonLogFiles.lastLines(of: log, count: 10_000))
            let older = try #require(DaemonLogFiles.lastLines(of: previous, count: 3))
            let logs = try await sandbox.run(["logs", "-n", "\(current.count + 3)"])
            #expect(logs.status == 0, "\(logs)")
            #expect(logs.standardOutput == (older + current).map { $0 + "\n" }.joined(), "\(logs.standardOutput)")
        }
    }

    @Test func logsFollowGoesOnIntoTheNewFileAfterARotation() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-follow")
        defer { scratch.remove() }
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        try "first line\n".write(toFile: paths.logFile, atomically: false, encoding: .utf8)
        let follower = Process()
        follower.executableURL = try BuiltExecutables.url("semctl")
        follower.arguments = ["logs", "--follow", "-n", "5", "--socket", paths.socket]
        let pipe = Pipe()
        follower.standardOutput = pipe
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer {
            // SIGKILL: a child of this test process may inherit a mask that blocks SIGTERM.
            kill(follower.processIdentifier, SIGKILL)
            follower.waitUntilExit()
        }
        let printed = Mutex("")
        let output = pipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(output, &buffer, buffer.count)
                guard count > 0 else { return }
                printed.withLock { $0 += String(decoding: buffer[..<count], as: UTF8.self) }
            }
        }
        try await Poll.until("the first line is printed", within: .seconds(120)) { printed.withLock { $0 } == "first line\n" }
        // A line more in the old file, then the rotation the daemon does: rename, and a new file.
        let old = try #require(FileHandle(forWritingAtPath: paths.logFile))
        try old.seekToEnd()
        old.write(Data("second line\n".utf8))
        try old.close()
        try FileManager.default.moveItem(atPath: paths.logFile, toPath: DaemonLogFiles.previousPath(of: paths.logFile))
        try "third line\n".write(toFile: paths.logFile, atomically: false, encoding: .utf8)
        try await Poll.until("the new file's line is printed", within: .seconds(120)) {
            printed.withLock { $0 }.contains("third line")
        }
        #expect(printed.withLock { $0 } == "first line\nsecond line\nthird line\n")
    }
}
