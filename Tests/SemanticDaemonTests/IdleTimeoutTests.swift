// The idle timeout and clock jumps. The decision (`IdleTimeout`) takes instants of one monotonic
// clock and nothing else: no Date, no wall time, so a step of the wall clock cannot reach it. The
// daemon instantiates it on ContinuousClock (CLOCK_BOOTTIME on Linux, which settimeofday and NTP
// steps do not move). These tests drive the decision with a clock the test moves by hand.
import Foundation
import Testing
@testable import SemanticDaemon

/// A monotonic clock moved by hand.
final class ManualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private(set) var now = Instant(offset: .zero)
    var minimumResolution: Duration { .nanoseconds(1) }
    func advance(by duration: Duration) { now = now.advanced(by: duration) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws { now = max(now, deadline) }
}

@Suite struct IdleTimeoutTests {
    @Test func theDaemonStopsAfterExactlyTheLimitOfMonotonicIdleTime() {
        let clock = ManualClock()
        let idle = IdleTimeout<ManualClock>(limit: .seconds(60))
        let lastRequest = clock.now
        var stoppedAfter: Duration?
        // The daemon's watcher checks once a second.
        for _ in 1...120 {
            clock.advance(by: .seconds(1))
            if idle.hasExpired(now: clock.now, lastActivity: lastRequest, openConnections: 0) {
                stoppedAfter = lastRequest.duration(to: clock.now)
                break
            }
        }
        #expect(stoppedAfter == .seconds(60))
        #expect(!idle.hasExpired(now: clock.now, lastActivity: lastRequest, openConnections: 1),
                "an open connection keeps the daemon up")
        #expect(!idle.hasExpired(now: clock.now, lastActivity: clock.now, openConnections: 0),
                "a request just now restarts the count")
    }

    @Test func onContinuousClockAFreshRequestIsNeverIdle() {
        // What the daemon runs: instants of ContinuousClock, as InferenceService records them.
        let idle = IdleTimeout<ContinuousClock>(limit: .seconds(3600))
        let recorded = ContinuousClock.now
        #expect(!idle.hasExpired(now: .now, lastActivity: recorded, openConnections: 0))
        #expect(idle.hasExpired(now: recorded.advanced(by: .seconds(3600)), lastActivity: recorded, openConnections: 0))
        #expect(!idle.hasExpired(now: recorded.advanced(by: .seconds(3599)), lastActivity: recorded, openConnections: 0))
    }
}
