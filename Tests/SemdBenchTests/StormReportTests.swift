// The storm benchmark's verdict and report without running it: it passes only when the served
// throughput under the storm keeps its share, semd is alive, few lines were logged (scaled to 15 s),
// no served request failed and the storm clients were refused at all; /proc's counters are read the
// way the kernel writes them (a command name with spaces and parentheses included); a log's lines
// are counted across one rotation.
import Foundation
import Testing
@testable import semd_bench

@Suite struct StormReportTests {
    func phase(texts: Int, seconds: Double = 15, refusals: Int = 0, logLines: Int = 0, semdTicks: UInt64 = 1500) -> StormPhase {
        var phase = StormPhase()
        phase.seconds = seconds
        phase.servedRequests = texts / 8
        phase.servedTexts = texts
        phase.refusals = refusals
        phase.logLines = logLines
        phase.semdTicks = semdTicks
        phase.machineBusyTicks = 2800
        phase.machineTotalTicks = 3000
        return phase
    }

    func report(quiet: StormPhase, storm: StormPhase, daemonFailure: String? = nil) -> StormReport {
        StormReport(setup: StormSetup(), quiet: quiet, storm: storm, daemonFailure: daemonFailure,
                    firstServedError: nil, firstStormFailure: nil)
    }

    @Test func aStormThatKeepsThroughputWithFewLinesPasses() {
        let result = report(quiet: phase(texts: 10_665), storm: phase(texts: 9_000, refusals: 1_200, logLines: 3))
        #expect(result.passed, "\(result.failures)")
        #expect(abs(result.ratio - 9_000.0 / 10_665.0) < 1e-12)
        #expect(result.percentOfOneCore(1500, result.storm) == 100)
        #expect(abs(result.othersPercentOfOneCore(result.storm) - 1300.0 / 15.0) < 1e-9)
        #expect(result.jsonLine.hasPrefix(#"{"workload": "storm", "served_clients": 16, "storm_clients": 8, "texts_per_request": 8"#))
        #expect(result.jsonLine.contains(#""storm_log_lines": 3"#) && result.jsonLine.hasSuffix(#""passed": "yes"}"#))
        #expect(result.text().hasSuffix("storm: PASS"))
    }

    @Test func eachBarFailsTheRunOnItsOwn() {
        let quiet = phase(texts: 10_000)
        let slow = report(quiet: quiet, storm: phase(texts: 6_999, refusals: 10))
        #expect(!slow.passed && slow.failures.count == 1 && slow.failures[0].contains("0.70×"))
        let dead = report(quiet: quiet, storm: phase(texts: 9_000, refusals: 10), daemonFailure: "exited during the run (status 9)")
        #expect(!dead.passed && dead.failures == ["semd: exited during the run (status 9)"])
        let chatty = report(quiet: quiet, storm: phase(texts: 9_000, refusals: 10, logLines: 101))
        #expect(!chatty.passed && chatty.failures.count == 1 && chatty.failures[0].contains("101 log lines"))
        // The line bar is per 15 s: 130 lines in 20 s is 97.5 per 15 s.
        let longer = report(quiet: phase(texts: 10_000, seconds: 20), storm: phase(texts: 9_000, seconds: 20, refusals: 10, logLines: 130))
        #expect(longer.passed, "\(longer.failures)")
        let noStorm = report(quiet: quiet, storm: phase(texts: 10_000, refusals: 0))
        #expect(!noStorm.passed && noStorm.failures[0].contains("never refused"))
        var failing = phase(texts: 9_000, refusals: 10)
        failing.servedErrors = 2
        let errors = report(quiet: quiet, storm: failing)
        #expect(!errors.passed && errors.failures == ["2 served requests failed"])
        #expect(errors.text().hasSuffix("storm: FAIL"))
    }

    @Test func processAndMachineTicksAreReadAsTheKernelWritesThem() {
        let stat = "4242 (semd (worker) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 30 10 7 0 100 0 0"
        #expect(SystemSample.processTicks(statLine: stat) == 1234 + 567)
        #expect(SystemSample.processTicks(statLine: "garbage") == nil)
        let machine = "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n"
        let ticks = SystemSample.machineTicks(statText: machine)
        #expect(ticks?.busy == 100 + 5 + 50 + 3 + 2 + 1 && ticks?.total == 161 + 1000 + 20)
    }

    @Test func logLinesAreCountedAcrossOneRotation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storm-log-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("semd.log").path
        try "one\ntwo\n".write(toFile: log, atomically: false, encoding: .utf8)
        let counter = LogLineCounter(path: log)
        let handle = try #require(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        handle.write(Data("three\n".utf8))
        try handle.close()
        #expect(counter.linesAdded() == 1)
        // Rotated: the old file (with one more line) is the previous one now, and a new file has two.
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        try "four\nfive\n".write(toFile: log, atomically: false, encoding: .utf8)
        #expect(counter.linesAdded() == 3)
    }
}
