// RepeatedWarnings on a clock the tests set: the first event of a kind is logged in full, the rest of
// its interval only counted, one summary per interval after it with every event in the count, each
// place on its own, quiet again after an interval without events, and every pending count written
// when the daemon stops.
import Foundation
import Logging
import SemanticTestSupport
import Testing
@testable import SemanticDaemon

@Suite struct RepeatedWarningsTests {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    /// The counts of every summary line of `log`, and the number of detail lines (`detail` in them).
    func tally(_ log: CapturedLog, detail: String) -> (details: Int, summarised: Int) {
        var details = 0, summarised = 0
        for line in log.all {
            if line.contains(detail) { details += 1; continue }
            guard let range = line.range(of: "refused ") else { continue }
            let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)
            summarised += Int(number) ?? 0
        }
        return (details, summarised)
    }

    @Test func aThousandRefusalsInOneIntervalAreOneLineThenOneSummary() {
        let log = CapturedLog(echoing: nil)
        let warnings = RepeatedWarnings(logger: log.logger, interval: .seconds(10))
        for index in 0..<1000 {
            warnings.record(.refusedConnection, at: "cass socket", now: at(Double(index) * 0.005), "refused connection \(index)")
        }
        #expect(log.all == ["warning refused connection 0"])
        warnings.flush(now: at(9.9))
        #expect(log.all.count == 1, "nothing is due before the interval has passed")
        warnings.flush(now: at(10))
        #expect(log.all.count == 2)
        #expect(log.all.last == "warning refused 999 connections over the connection limit on the cass socket in the last 10 s")
        let counts = tally(log, detail: "refused connection")
        #expect(counts.details + counts.summarised == 1000)
    }

    @Test func aStormThatGoesOnWritesOneSummaryPerIntervalAndLosesNoCount() {
        let log = CapturedLog(echoing: nil)
        let warnings = RepeatedWarnings(logger: log.logger, interval: .seconds(10))
        var recorded = 0
        // 60 s of 200 refusals a second, with the daemon's flush once a second.
        for tick in 0..<6000 {
            let now = at(Double(tick) * 0.01)
            warnings.record(.refusedConnection, now: now, "refused connection \(tick)")
            warnings.record(.refusedConnection, now: now, "refused connection \(tick)b")
            recorded += 2
            if tick % 100 == 0 { warnings.flush(now: now) }
        }
        warnings.flushAll(now: at(60))
        #expect(log.all.count <= 8, "\(log.all)")
        let counts = tally(log, detail: "refused connection")
        #expect(counts.details == 1)
        #expect(counts.details + counts.summarised == recorded)
    }

    @Test func eachPlaceAndKindHasItsOwnFirstLine() {
        let log = CapturedLog(echoing: nil)
        let warnings = RepeatedWarnings(logger: log.logger)
        warnings.record(.refusedPeer, at: "cass socket", now: at(0), "refused a connection on the cass socket")
        warnings.record(.refusedPeer, at: "xf socket", now: at(0.1), "refused a connection on the xf socket")
        warnings.record(.timedOutRequest, now: at(0.2), "request timed out")
        warnings.record(.refusedPeer, at: "cass socket", now: at(0.3), "refused a connection on the cass socket again")
        #expect(log.all == ["info refused a connection on the cass socket", "info refused a connection on the xf socket",
                            "warning request timed out"])
        warnings.flushAll(now: at(2))
        #expect(log.all.last == "info closed 1 connection of other users unread on the cass socket in the last 2.0 s")
    }

    @Test func aKindIsQuietAgainAfterAnIntervalWithoutEvents() {
        let log = CapturedLog(echoing: nil)
        let warnings = RepeatedWarnings(logger: log.logger, interval: .seconds(10))
        warnings.record(.oversizedFrame, now: at(0), "frame too large 1")
        warnings.flush(now: at(10))
        #expect(log.all.count == 1, "no summary of nothing")
        warnings.record(.oversizedFrame, now: at(11), "frame too large 2")
        #expect(log.all == ["warning frame too large 1", "warning frame too large 2"])
    }

    @Test func anEventAfterTheIntervalIsSummarisedAtOnceWithTheOnesBeforeIt() {
        let log = CapturedLog(echoing: nil)
        let warnings = RepeatedWarnings(logger: log.logger, interval: .seconds(10))
        warnings.record(.unrecognisedFrame, now: at(0), "garbage 0")
        warnings.record(.unrecognisedFrame, now: at(1), "garbage 1")
        warnings.record(.unrecognisedFrame, now: at(12), "garbage 2")
        #expect(log.all == ["warning garbage 0",
                            "warning answered 2 first frames that were neither a cass nor an xf envelope as cass in the last 12 s"])
    }

    @Test func countsAreGroupedByThousands() {
        #expect(RepeatedWarnings.grouped(0) == "0")
        #expect(RepeatedWarnings.grouped(999) == "999")
        #expect(RepeatedWarnings.grouped(12_345) == "12,345")
        #expect(RepeatedWarnings.grouped(1_234_567) == "1,234,567")
    }
}
