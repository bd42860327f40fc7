// The engine's spinning fork-join helpers: every part of every section runs exactly once, on the caller
// and the helpers; sections posted after the helpers parked still complete; concurrent callers and
// sections started from inside a section fall back to Dispatch and lose nothing.
import Dispatch
import Foundation
import SemanticTestSupport
import Synchronization
import Testing
@testable import SemanticCore

/// Counts, per part, how many times it ran, and which threads ran parts. (NSLock rather than Mutex:
/// ThreadSanitizer sees pthread locks, not Synchronization's.)
private final class PartLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int]
    private var threads: Set<ObjectIdentifier> = []

    init(parts: Int) { counts = [Int](repeating: 0, count: parts) }

    func record(_ part: Int) {
        let me = ObjectIdentifier(Thread.current)
        lock.withLock {
            counts[part] += 1
            threads.insert(me)
        }
    }

    var eachRanOnce: Bool { lock.withLock { counts.allSatisfy { $0 == 1 } } }
    var threadCount: Int { lock.withLock { threads.count } }
}

@Suite struct SpinningPoolTests {
    @Test func everyPartOfEverySectionRunsExactlyOnce() {
        let pool = SpinningPool(helpers: 2)
        var helped = false
        for round in 0..<5_000 {
            let parts = 2 + round % 7
            let ledger = PartLedger(parts: parts)
            let ran = pool.run(parts: parts) { part in
                // uneven parts, so that helpers take some
                if part % 3 == 0 { for _ in 0..<20 { _ = ledger.threadCount } }
                ledger.record(part)
            }
            #expect(ran)
            #expect(ledger.eachRanOnce, "round \(round)")
            if ledger.threadCount > 1 { helped = true }
        }
        #expect(helped, "no part ever ran on a helper")
    }

    @Test func sectionsAfterTheHelpersParkedStillComplete() throws {
        let pool = SpinningPool(helpers: 1)
        var helped = 0
        for _ in 0..<20 {
            // past the spinning: the helper parks
            try Poll.blockUntil("the helper parks", within: .seconds(60), every: .microseconds(100)) {
                pool.sleepingHelpers >= pool.helpers
            }
            let ledger = PartLedger(parts: 2)
            let tookPartOne = DispatchSemaphore(value: 0)
            #expect(pool.run(parts: 2) { part in
                // the caller's part waits for the helper to wake and take part 1 (if it never does,
                // the caller takes part 1 itself after the timeout, and `helped` says so)
                if part == 0 { _ = tookPartOne.wait(timeout: .now() + 5) }
                if part == 1 { tookPartOne.signal() }
                ledger.record(part)
            })
            #expect(ledger.eachRanOnce)
            if ledger.threadCount > 1 { helped += 1 }
        }
        #expect(helped > 0, "the parked helper never woke for a section")
    }

    @Test func concurrentCallersAndNestedSectionsFallBackAndLoseNothing() {
        let pool = SpinningPool(helpers: 1)
        let fallbacks = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 {
                let ledger = PartLedger(parts: 3)
                let body = { (part: Int) in ledger.record(part) }
                if !pool.run(parts: 3, body) {
                    fallbacks.wrappingAdd(1, ordering: .relaxed)
                    for part in 0..<3 { body(part) }
                }
                if !ledger.eachRanOnce { failures.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)

        // a section started from inside a section: the pool is busy, so the inner one is refused
        let inner = Atomic<Int>(0)
        let outer = pool.run(parts: 2) { _ in
            if !pool.run(parts: 2, { _ in }) { inner.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(outer && inner.load(ordering: .relaxed) == 2)
    }

    /// Helpers beyond a section's parts stay out of it (and park instead of spinning): an engine on
    /// two threads of a many-core machine keeps one helper busy, not all of them.
    @Test func aSectionTakesNoMoreHelpersThanItHasParts() {
        let pool = SpinningPool(helpers: 3)
        let sections = 2_000
        for _ in 0..<sections {
            let ledger = PartLedger(parts: 2)
            #expect(pool.run(parts: 2) { part in
                if part == 0 { for _ in 0..<50 { _ = ledger.threadCount } }
                ledger.record(part)
            })
            #expect(ledger.eachRanOnce)
        }
        // two parts: the caller and at most one helper in each section
        let joins = pool.joins.load(ordering: .relaxed)
        #expect(joins <= sections, "\(joins) helper entries in \(sections) sections")
    }

    @Test func aPoolWithoutHelpersRunsNothing() {
        let pool = SpinningPool(helpers: 0)
        var ran = false
        #expect(!pool.run(parts: 2) { _ in ran = true })
        #expect(!ran)
    }
}
