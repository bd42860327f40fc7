// The inference queue: merging, budgets, priorities, order, error isolation and shutdown.
import Foundation
import Synchronization
import Testing
@testable import SemanticDaemon

/// Records every batch the scheduler runs.
final class BatchLog: Sendable {
    let batches = Mutex<[[Int]]>([])
    func record(_ items: [Int]) { batches.withLock { $0.append(items) } }
    var all: [[Int]] { batches.withLock { $0 } }
}

@Suite struct InferenceSchedulerTests {
    typealias Scheduler = InferenceScheduler<String, Int, Int>

    func makeScheduler(_ log: BatchLog, delay: Duration = .zero, configure: (inout Scheduler.Configuration) -> Void = { _ in })
        -> Scheduler {
        var configuration = Scheduler.Configuration()
        configure(&configuration)
        return Scheduler(configuration: configuration) { key, items in
            log.record(items)
            if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) * 1e-18 + Double(delay.components.seconds)) }
            if items.contains(-1) { throw SchedulerError.stopped }
            return items.map { key == "double" ? $0 * 2 : $0 + 1000 }
        }
    }

    @Test func aLoneRequestRunsAtOnceAndGetsItsOutputs() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log)
        defer { scheduler.stop() }
        let started = ContinuousClock.now
        #expect(try await scheduler.submit(key: "double", items: [1, 2, 3], tokens: 3) == [2, 4, 6])
        #expect(ContinuousClock.now - started < .milliseconds(500))
        #expect(try await scheduler.submit(key: "double", items: [], tokens: 0) == [])
        #expect(scheduler.currentStatistics.batches == 1)
    }

    @Test func requestsArrivingWhileBusyAreMergedAndSplitBackInOrder() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log, delay: .milliseconds(50))
        defer { scheduler.stop() }
        // The first request occupies the worker; the next eight queue up behind it.
        async let first = scheduler.submit(key: "double", items: [0], tokens: 1)
        try await Task.sleep(for: .milliseconds(10))
        let outputs = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for request in 1...8 {
                group.addTask { (request, try await scheduler.submit(key: "double", items: [request, request * 10], tokens: 2)) }
            }
            var collected: [Int: [Int]] = [:]
            for try await (request, output) in group { collected[request] = output }
            return collected
        }
        #expect(try await first == [0])
        for request in 1...8 { #expect(outputs[request] == [request * 2, request * 20]) }
        let statistics = scheduler.currentStatistics
        #expect(statistics.requests == 9)
        #expect(statistics.mergedBatches >= 1)
        #expect(statistics.batches <= 3, "8 queued requests should run as one or two batches, ran \(statistics.batches)")
    }

    @Test func differentKeysNeverShareABatch() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log, delay: .milliseconds(30))
        defer { scheduler.stop() }
        async let blocker = scheduler.submit(key: "double", items: [0], tokens: 1)
        try await Task.sleep(for: .milliseconds(10))
        async let a = scheduler.submit(key: "double", items: [1], tokens: 1)
        async let b = scheduler.submit(key: "plus", items: [1], tokens: 1)
        async let c = scheduler.submit(key: "double", items: [2], tokens: 1)
        #expect(try await (blocker, a, b, c) == ([0], [2], [1001], [4]))
        // a and c merge; b runs in its own batch.
        #expect(log.all.contains([1, 2]))
        #expect(log.all.contains([1]))
    }

    @Test func theTokenBudgetSplitsBatchesButAnOversizedRequestStillRuns() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log, delay: .milliseconds(30)) { $0.maxBatchTokens = 10 }
        defer { scheduler.stop() }
        async let blocker = scheduler.submit(key: "k", items: [0], tokens: 1)
        try await Task.sleep(for: .milliseconds(10))
        async let a = scheduler.submit(key: "k", items: [1], tokens: 6)
        try await Task.sleep(for: .milliseconds(2))
        async let b = scheduler.submit(key: "k", items: [2], tokens: 6)
        try await Task.sleep(for: .milliseconds(2))
        async let huge = scheduler.submit(key: "k", items: [3], tokens: 50)
        _ = try await (blocker, a, b, huge)
        #expect(log.all == [[0], [1], [2], [3]])
    }

    @Test func interactiveWorkOvertakesQueuedBackgroundWork() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log, delay: .milliseconds(30))
        defer { scheduler.stop() }
        async let blocker = scheduler.submit(key: "k", items: [0], tokens: 1)
        try await Task.sleep(for: .milliseconds(10))
        async let background = scheduler.submit(key: "k", items: [1], tokens: 1, priority: .background)
        try await Task.sleep(for: .milliseconds(2))
        async let interactive = scheduler.submit(key: "k", items: [2], tokens: 1)
        _ = try await (blocker, background, interactive)
        #expect(log.all == [[0], [2], [1]])
    }

    @Test func oneBadRequestDoesNotFailThoseMergedWithIt() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log, delay: .milliseconds(20))
        defer { scheduler.stop() }
        async let blocker = scheduler.submit(key: "k", items: [0], tokens: 1)
        try await Task.sleep(for: .milliseconds(10))
        async let good = scheduler.submit(key: "k", items: [5], tokens: 1)
        let bad = Task { try await scheduler.submit(key: "k", items: [-1], tokens: 1) }
        #expect(try await good == [1005])
        await #expect(throws: SchedulerError.stopped) { try await bad.value }
        _ = try await blocker
    }

    @Test func announcedRequestsAreWaitedForBriefly() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log) { $0.maxWait = .milliseconds(200) }
        defer { scheduler.stop() }
        scheduler.announce()
        scheduler.announce()
        async let a = scheduler.submit(key: "k", items: [1], tokens: 1, announced: true)
        try await Task.sleep(for: .milliseconds(20))
        async let b = scheduler.submit(key: "k", items: [2], tokens: 1, announced: true)
        _ = try await (a, b)
        #expect(log.all == [[1, 2]])
    }

    @Test func aFullQueueRefusesAndStopFailsWhatWaits() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log, delay: .milliseconds(100)) { $0.maxQueuedRequests = 1 }
        async let running = scheduler.submit(key: "k", items: [0], tokens: 1)
        try await Task.sleep(for: .milliseconds(20))
        let queued = Task { try await scheduler.submit(key: "k", items: [1], tokens: 1) }
        try await Task.sleep(for: .milliseconds(20))
        await #expect(throws: SchedulerError.overloaded(queued: 1)) {
            try await scheduler.submit(key: "k", items: [2], tokens: 1)
        }
        scheduler.stop()
        await #expect(throws: SchedulerError.stopped) { try await queued.value }
        #expect(try await running == [1000])
        await #expect(throws: SchedulerError.stopped) { try await scheduler.submit(key: "k", items: [3], tokens: 1) }
    }
}
