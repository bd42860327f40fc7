// The test harness's own promises: a poll that gives up names what it awaited and where; a log line
// wakes a waiter at once; an in-process daemon that stops before it is ready fails the start at once
// with its log and leaves nothing behind; a `semd` that exits while it is awaited ends the wait at once
// with its stderr.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import Synchronization
import Testing
@testable import SemanticDaemon

@Suite struct TestHarnessTests {
    @Test func aPollThatGivesUpNamesWhatItAwaitedAndWhere() async throws {
        // The deadline is the thing under test: a condition that never holds.
        let error = await #expect(throws: PollTimeout.self) {
            try await Poll.until("the flag is raised", within: .milliseconds(30)) { false }
        }
        #expect(error?.description.contains("the flag is raised did not happen within") == true, "\(String(describing: error))")
        #expect(error?.location.hasPrefix("SemanticDaemonTests/TestHarnessTests.swift:") == true, "\(String(describing: error))")
        #expect(Poll.blockUntilHolds(within: .milliseconds(30)) { false } == false)
    }

    @Test func aLogLineWakesAWaiter() async throws {
        let log = CapturedLog(label: "harness-test", echoing: nil)
        let raised = Mutex(false)
        let raiser = Task {
            raised.withLock { $0 = true }
            log.logger.info("the flag is up")
        }
        // No polling in this wait: only the line can end it (its deadline is an hour away).
        try await log.waitUntil("the flag is up", within: .seconds(3600)) { raised.withLock { $0 } }
        await raiser.value
        #expect(log.all.contains("info the flag is up"))
    }

    @Test func aDaemonThatStopsBeforeItIsReadyFailsTheStartWithItsLog() async throws {
        try await RunningDaemon.with { first in
            // A second daemon on the first one's socket cannot take the run lock: it stops at once.
            let scratch = try TemporaryDirectory.forDaemon()
            let log = CapturedLog(label: "second", echoing: nil)
            let second = RunningDaemon.makeDaemon(configuration: first.configuration, logger: log.logger)
            let start = ContinuousClock.now
            let error = await #expect(throws: HarnessError.self) {
                _ = try await RunningDaemon(serving: second, in: scratch, log: log)
            }
            #expect(ContinuousClock.now - start < .seconds(300), "it failed at once, not at its deadline")
            #expect(error?.description.contains("stopped before it was ready") == true, "\(String(describing: error))")
            #expect(error?.description.contains("already running") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: scratch.url.path), "the harness removed the directory")
            #expect(DaemonProcess.answersHealth(at: first.socket), "the first daemon still serves")
        }
    }

    @Test func aSemdThatExitsWhileAwaitedEndsTheWaitWithItsStderr() async throws {
        // Refused at once: a non-loopback HTTP listener without an API key.
        let daemon = try DaemonProcess(arguments: ["--no-xf", "--http", "0.0.0.0:0"])
        defer { daemon.stop() }
        let outcome = try await offPool { () -> String in
            do {
                try daemon.waitUntilAnswering(within: .seconds(3600))
                return "answered"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome.contains("semd exited with status") && outcome.contains("without an API key"), "\(outcome)")
    }
}
