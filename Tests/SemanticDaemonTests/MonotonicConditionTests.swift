// The scheduler's condition variable: timed waits end on the monotonic clock, and a broadcast wakes
// a waiter before its timeout.
import Foundation
import Synchronization
import Testing
@testable import SemanticDaemon

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

    @Test func aBroadcastWakesAWaiterBeforeItsTimeout() async throws {
        let condition = MonotonicCondition()
        let flag = Mutex(false)
        let waiter = Thread {
            condition.lock()
            let deadline = ContinuousClock.now + .seconds(120)
            while !flag.withLock({ $0 }), ContinuousClock.now < deadline {
                condition.wait(for: ContinuousClock.now.duration(to: deadline))
            }
            condition.unlock()
            flag.withLock { $0 = false }  // tells the test the waiter returned
        }
        waiter.start()
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        condition.lock()
        flag.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
        try await eventually { !flag.withLock { $0 } }
        #expect(ContinuousClock.now - start < .seconds(60))
    }
}
