// The log of a daemon a client started (`<socket name>.log` beside the socket), with a small cap:
// however many lines the daemon writes, neither the log nor the one previous file passes the cap, and
// `semctl logs` prints the newest lines, reaching into the previous file when the current one is short.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing

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
}
