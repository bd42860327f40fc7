// The scheduler's condition variable: timed waits end on the monotonic clock, and a broadcast wakes
// a waiter before its timeout.
import Foundation
import SemanticTestSupport
import Synchronization
import Testing
@testable import SemanticService

@Suite struct MonotonicConditionTests {
    @Test func aTimedWaitEndsAfterItsTimeout() {
        let condition = MonotonicCondition()
        condition.lock()
        let start = ContinuousClock.now
        var woken = true
        while ContinuousClock.now - start < .milliseconds(50) {
            woken = condition.wait(for: .milliseconds(50) - (ContinuousClock.now - start))
        }
        condition.unlock()
        #expect(!woken)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        condition.lock()
        #expect(!condition.wait(for: .zero))  // nothing to wait for
        condition.unlock()
    }

    /// The waiter's only way out is the broadcast (its timeout is an hour), whenever the waiter and
    /// the test get the CPU: no sleep decides the outcome.
    @Test func aBroadcastWakesAWaiterBeforeItsTimeout() async throws {
        let condition = MonotonicCondition()
        let released = Mutex(false), waiting = Mutex(false), returned = Mutex(false)
        let waiter = Thread {
            condition.lock()
            waiting.withLock { $0 = true }
            while !released.withLock({ $0 }) {
                condition.wait(for: .seconds(3600))
            }
            condition.unlock()
            returned.withLock { $0 = true }
        }
        waiter.start()
        try await eventually { waiting.withLock { $0 } }
        condition.lock()  // the waiter holds the lock until it waits, so it is waiting now
        released.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
        try await eventually { returned.withLock { $0 } }
    }
}
