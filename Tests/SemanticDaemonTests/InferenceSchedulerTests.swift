// The inference queue: merging, budgets, priorities, order, error isolation and shutdown. The
// batch function holds the first batch (item 0) behind a gate, so the tests decide what is queued
// behind it instead of relying on timing.
import CSemdSystem
import Foundation
import SemanticTestSupport
import Synchronization
import Testing
@testable import SemanticService

/// Records every batch the scheduler runs.
final class BatchLog: Sendable {
    let batches = Mutex<[[Int]]>([])
    func record(_ items: [Int]) { batches.withLock { $0.append(items) } }
    var all: [[Int]] { batches.withLock { $0 } }
}

/// Holds a batch that contains item 0 until the test opens it.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func wait() { semaphore.wait() }
    func open() { semaphore.signal() }
}

@Suite struct InferenceSchedulerTests {
    typealias Scheduler = InferenceScheduler<String, Int, Int>

    func makeScheduler(_ log: BatchLog, gate: Gate? = nil, configure: (inout Scheduler.Configuration) -> Void = { _ in })
        -> Scheduler {
        var configuration = Scheduler.Configuration()
        configure(&configuration)
        return Scheduler(configuration: configuration) { key, items, _ in
            log.record(items)
            if items.contains(0) { gate?.wait() }
            if items.contains(-1) { throw SchedulerError.stopped }
            return items.map { key == "double" ? $0 * 2 : $0 + 1000 }
        }
    }

    /// Submits `items` in a task of its own and waits until the request is queued (or running).
    func enqueue(_ scheduler: Scheduler, key: String = "k", _ items: [Int], tokens: Int = 1,
                 priority: SchedulerPriority = .interactive) async throws -> Task<[Int], Error> {
        let before = scheduler.queuedRequests
        let task = Task { try await scheduler.submit(key: key, items: items, tokens: tokens, priority: priority) }
        try await eventually { scheduler.queuedRequests > before }
        return task
    }

    /// Starts the gated blocker batch and waits until the worker is running it.
    func block(_ scheduler: Scheduler, _ log: BatchLog, key: String = "k") async throws -> Task<[Int], Error> {
        let task = Task { try await scheduler.submit(key: key, items: [0], tokens: 1) }
        try await eventually { log.all.count == 1 }
        return task
    }

    @Test func aLoneRequestGetsItsOutputs() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log)
        defer { scheduler.stop() }
        #expect(try await scheduler.submit(key: "double", items: [1, 2, 3], tokens: 3) == [2, 4, 6])
        #expect(try await scheduler.submit(key: "double", items: [], tokens: 0) == [])
        #expect(scheduler.ledger.batchStatistics.batches == 1)
        #expect(log.all == [[1, 2, 3]])
    }

    @Test func requestsQueuedWhileBusyAreMergedAndSplitBackInOrder() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate)
        defer { scheduler.stop() }
        let blocker = try await block(scheduler, log, key: "double")
        var waiting: [(Int, Task<[Int], Error>)] = []
        for request in 1...8 {
            waiting.append((request, try await enqueue(scheduler, key: "double", [request, request * 10], tokens: 2)))
        }
        gate.open()
        #expect(try await blocker.value == [0])
        for (request, task) in waiting { #expect(try await task.value == [request * 2, request * 20]) }
        #expect(log.all == [[0], (1...8).flatMap { [$0, $0 * 10] }])
        let statistics = scheduler.ledger.batchStatistics
        #expect(statistics.requests == 9 && statistics.batches == 2 && statistics.mergedBatches == 1)
        #expect(statistics.largestBatchRequests == 8)
    }

    // MARK: Inline execution for a lone client

    /// The threads batches ran on (the lane's is a dedicated thread, never the caller's).
    final class ThreadLog: Sendable {
        private let names = Mutex<[String]>([])
        func withLock<T>(_ body: (inout [String]) -> T) -> T { names.withLock { body(&$0) } }
    }

    /// A scheduler whose batches record the thread they ran on.
    func makeThreadRecordingScheduler(_ threads: ThreadLog, gate: Gate? = nil,
                                      configure: (inout Scheduler.Configuration) -> Void = { _ in }) -> Scheduler {
        var configuration = Scheduler.Configuration()
        configure(&configuration)
        return Scheduler(configuration: configuration, name: "lane") { _, items, _ in
            threads.withLock { $0.append(String(describing: pthread_self())) }
            if items.contains(0) { gate?.wait() }
            return items.map { $0 + 1000 }
        }
    }

    @Test func anIdleLaneRunsAnInlineRequestOnTheCallersThread() async throws {
        let threads = ThreadLog()
        let scheduler = makeThreadRecordingScheduler(threads)
        defer { scheduler.stop() }
        #expect(try await scheduler.submit(key: "k", items: [1, 2], tokens: 2, mayRunInline: true) == [1001, 1002])
        #expect(try await scheduler.submit(key: "k", items: [3], tokens: 1) == [1003])
        #expect(try await scheduler.submit(key: "k", items: [4], tokens: 1) == [1004])
        // the inline batch ran elsewhere than the lane's two
        let ran = threads.withLock { $0 }
        #expect(ran.count == 3 && ran[1] == ran[2] && ran[0] != ran[1])
        let statistics = scheduler.ledger.batchStatistics
        #expect(statistics.inlineBatches == 1 && statistics.batches == 3 && statistics.requests == 3)
    }

    @Test func aBusyLaneOrTooManyTokensOrNoPermissionMeansTheQueue() async throws {
        let threads = ThreadLog()
        let gate = Gate()
        let scheduler = makeThreadRecordingScheduler(threads, gate: gate) { $0.maxInlineTokens = 8 }
        defer { scheduler.stop() }
        // over the inline token limit, and without permission: the lane runs them
        #expect(try await scheduler.submit(key: "k", items: [1], tokens: 9, mayRunInline: true) == [1001])
        #expect(try await scheduler.submit(key: "k", items: [2], tokens: 1) == [1002])
        // the lane is running a batch: an inline request waits for it and runs on the lane after it
        let blocker = Task { try await scheduler.submit(key: "k", items: [0], tokens: 1) }
        try await eventually { threads.withLock { $0.count } == 3 }
        let queued = Task { try await scheduler.submit(key: "k", items: [3], tokens: 1, mayRunInline: true) }
        try await eventually { scheduler.queuedRequests == 1 }
        gate.open()
        #expect(try await blocker.value == [1000])
        #expect(try await queued.value == [1003])
        #expect(Set(threads.withLock { $0 }).count == 1)  // all on the lane's thread
        #expect(scheduler.ledger.batchStatistics.inlineBatches == 0)
    }

    /// After a batch that served several requests their clients are about to return and merge: the
    /// next request queues for them even when it may run inline.
    @Test func afterAMergedBatchTheNextRequestQueues() async throws {
        let threads = ThreadLog()
        let gate = Gate()
        let scheduler = makeThreadRecordingScheduler(threads, gate: gate) { $0.maxWait = .zero }
        defer { scheduler.stop() }
        let blocker = Task { try await scheduler.submit(key: "k", items: [0], tokens: 1) }
        try await eventually { threads.withLock { $0.count } == 1 }
        let a = Task { try await scheduler.submit(key: "k", items: [1], tokens: 1) }
        try await eventually { scheduler.queuedRequests == 1 }
        let b = Task { try await scheduler.submit(key: "k", items: [2], tokens: 1) }
        try await eventually { scheduler.queuedRequests == 2 }
        gate.open()
        _ = try await (blocker.value, a.value, b.value)
        #expect(scheduler.ledger.batchStatistics.mergedBatches == 1)
        #expect(try await scheduler.submit(key: "k", items: [3], tokens: 1, mayRunInline: true) == [1003])
        #expect(scheduler.ledger.batchStatistics.inlineBatches == 0)
        // that batch served one request: the next lone request runs inline
        #expect(try await scheduler.submit(key: "k", items: [4], tokens: 1, mayRunInline: true) == [1004])
        #expect(scheduler.ledger.batchStatistics.inlineBatches == 1)
    }

    /// After stop, `waitUntilIdle` returns only once the batch still running has ended.
    @Test func waitUntilIdleWaitsForTheRunningBatchAfterStop() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate)
        let blocker = try await block(scheduler, log)
        scheduler.stop()
        let idle = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            scheduler.waitUntilIdle()
            idle.signal()
        }
        // A negative check with a window: nothing marks the waiter as blocked inside waitUntilIdle (it
        // waits on the scheduler's own condition variable), so a wrong early return is caught by its
        // signal arriving within 0.3 s.
        #expect(idle.wait(timeout: .now() + 0.3) == .timedOut)
        gate.open()
        #expect(idle.wait(timeout: .now() + 60) == .success)
        #expect(try await blocker.value == [1000])
    }

    @Test func differentKeysNeverShareABatch() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate)
        defer { scheduler.stop() }
        let blocker = try await block(scheduler, log, key: "double")
        let a = try await enqueue(scheduler, key: "double", [1])
        let b = try await enqueue(scheduler, key: "plus", [1])
        let c = try await enqueue(scheduler, key: "double", [2])
        gate.open()
        #expect(try await blocker.value == [0])
        #expect(try await a.value == [2])
        #expect(try await b.value == [1001])
        #expect(try await c.value == [4])
        #expect(log.all == [[0], [1, 2], [1]])
    }

    @Test func theTokenBudgetSplitsBatchesButAnOversizedRequestStillRuns() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate) { $0.maxBatchTokens = 10 }
        defer { scheduler.stop() }
        let blocker = try await block(scheduler, log)
        let a = try await enqueue(scheduler, [1], tokens: 6)
        let b = try await enqueue(scheduler, [2], tokens: 4)
        let c = try await enqueue(scheduler, [3], tokens: 6)
        let huge = try await enqueue(scheduler, [4], tokens: 50)
        gate.open()
        for task in [blocker, a, b, c, huge] { _ = try await task.value }
        #expect(log.all == [[0], [1, 2], [3], [4]])
    }

    /// Background work runs on a lane of its own: an interactive request is answered while a
    /// background batch is still running, and the background work finishes afterwards.
    @Test func interactiveWorkDoesNotWaitForBackgroundWork() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate)
        defer { scheduler.stop() }
        let background = Task { try await scheduler.submit(key: "k", items: [0], tokens: 1, priority: .background) }
        try await eventually { log.all.count == 1 }
        let interactive = try await scheduler.submit(key: "k", items: [2], tokens: 1)
        #expect(interactive == [1002])
        #expect(log.all == [[0], [2]])
        gate.open()
        #expect(try await background.value == [1000])
    }

    #if os(Linux)
    /// The background lane's thread runs at niceness 19, the interactive lane's at the process's.
    @Test func theBackgroundLaneRunsAtTheLowestCPUPriority() async throws {
        let process = semd_thread_niceness()
        let scheduler = InferenceScheduler<String, Int, Int32> { _, items, _ in
            items.map { _ in semd_thread_niceness() }
        }
        defer { scheduler.stop() }
        let background = try await scheduler.submit(key: "k", items: [1], tokens: 1, priority: .background)
        let interactive = try await scheduler.submit(key: "k", items: [1], tokens: 1)
        #expect(background == [19])
        #expect(interactive == [process])
    }
    #endif

    @Test func backgroundRequestsMergeWithinTheirBudgetInArrivalOrder() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate) { $0.maxBackgroundBatchTokens = 4 }
        defer { scheduler.stop() }
        let blocker = Task { try await scheduler.submit(key: "k", items: [0], tokens: 1, priority: .background) }
        try await eventually { log.all.count == 1 }
        let a = try await enqueue(scheduler, [1], tokens: 2, priority: .background)
        let b = try await enqueue(scheduler, [2], tokens: 2, priority: .background)
        let c = try await enqueue(scheduler, [3], tokens: 2, priority: .background)
        gate.open()
        for task in [blocker, a, b, c] { _ = try await task.value }
        #expect(log.all == [[0], [1, 2], [3]])
    }

    @Test func oneBadRequestDoesNotFailThoseMergedWithIt() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate)
        defer { scheduler.stop() }
        let blocker = try await block(scheduler, log)
        let good = try await enqueue(scheduler, [5])
        let bad = try await enqueue(scheduler, [-1])
        gate.open()
        _ = try await blocker.value
        #expect(try await good.value == [1005])
        await #expect(throws: SchedulerError.stopped) { try await bad.value }
        // The merged batch failed, then each request ran alone.
        #expect(log.all == [[0], [5, -1], [5], [-1]])
    }

    @Test func announcedRequestsAreWaitedFor() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log) { $0.maxWait = .seconds(60) }
        defer { scheduler.stop() }
        scheduler.announce()
        scheduler.announce()
        let a = Task { try await scheduler.submit(key: "k", items: [1], tokens: 1, announced: true) }
        try await eventually { scheduler.queuedRequests == 1 }
        let b = Task { try await scheduler.submit(key: "k", items: [2], tokens: 1, announced: true) }
        _ = try await (a.value, b.value)
        #expect(log.all == [[1, 2]])
    }

    @Test func aWithdrawnAnnouncementDoesNotHoldTheQueue() async throws {
        let log = BatchLog()
        let scheduler = makeScheduler(log) { $0.maxWait = .seconds(60) }
        defer { scheduler.stop() }
        scheduler.announce()
        scheduler.announce()
        let a = Task { try await scheduler.submit(key: "k", items: [1], tokens: 1, announced: true) }
        try await eventually { scheduler.queuedRequests == 1 }
        scheduler.withdrawAnnouncement()
        #expect(try await a.value == [1001])
    }

    /// Closed-loop clients: after a batch that served three requests, the lane holds the next batch
    /// open (up to maxWait) until as many are back, so they keep sharing one batch instead of
    /// splitting into a lone request and the rest.
    @Test func clientsComingBackAfterAMergedBatchAreWaitedFor() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate) { $0.maxWait = .seconds(60) }
        defer { scheduler.stop() }
        let blocker = try await block(scheduler, log)
        let first = [try await enqueue(scheduler, [1]), try await enqueue(scheduler, [2]), try await enqueue(scheduler, [3])]
        gate.open()
        _ = try await blocker.value
        for task in first { _ = try await task.value }
        #expect(log.all == [[0], [1, 2, 3]])
        let comingBack = [try await enqueue(scheduler, [4]), try await enqueue(scheduler, [5])]
        #expect(log.all.count == 2)  // 4 and 5 wait for the third client
        let third = Task { try await scheduler.submit(key: "k", items: [6], tokens: 1) }
        for task in comingBack + [third] { _ = try await task.value }
        #expect(log.all == [[0], [1, 2, 3], [4, 5, 6]])
    }

    /// Background work pauses at its pause points while an interactive batch runs, resumes when it
    /// ends, and never pauses longer than its limit.
    @Test func backgroundWorkPausesWhileInteractiveWorkRuns() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate)
        defer { scheduler.stop() }
        scheduler.pauseForInteractiveWork(limit: .seconds(60))  // nothing interactive: returns at once
        #expect(scheduler.ledger.batchStatistics.backgroundPauses == 0)

        let blocker = try await block(scheduler, log)
        let resumed = Mutex(false)
        let background = Thread {
            scheduler.pauseForInteractiveWork(limit: .seconds(60))
            resumed.withLock { $0 = true }
        }
        background.start()
        try await eventually { scheduler.ledger.batchStatistics.backgroundPauses == 1 }
        #expect(!resumed.withLock { $0 })
        // The event that proves the background pause could have ended and did not: a second pause,
        // begun after it under the same interactive work, ends by its own (50 ms) limit, while the
        // first (limit 60 s) goes on.
        let start = ContinuousClock.now
        scheduler.pauseForInteractiveWork(limit: .milliseconds(50))  // the limit ends a pause
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        #expect(!resumed.withLock { $0 })
        gate.open()
        _ = try await blocker.value
        try await eventually { resumed.withLock { $0 } }
        #expect(scheduler.ledger.batchStatistics.backgroundPauses == 2)
    }

    /// With maxWait zero the lane never holds a batch open.
    @Test func aZeroMaxWaitRunsEveryBatchAtOnce() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate) { $0.maxWait = .zero }
        defer { scheduler.stop() }
        let blocker = try await block(scheduler, log)
        let first = [try await enqueue(scheduler, [1]), try await enqueue(scheduler, [2])]
        gate.open()
        _ = try await blocker.value
        for task in first { _ = try await task.value }
        #expect(try await scheduler.submit(key: "k", items: [3], tokens: 1) == [1003])
        #expect(log.all == [[0], [1, 2], [3]])
    }

    @Test func aFullQueueRefusesAndStopFailsWhatWaits() async throws {
        let log = BatchLog()
        let gate = Gate()
        let scheduler = makeScheduler(log, gate: gate) { $0.maxQueuedRequests = 1 }
        let blocker = try await block(scheduler, log)
        let queued = try await enqueue(scheduler, [1])
        await #expect(throws: SchedulerError.overloaded(queued: 1)) {
            try await scheduler.submit(key: "k", items: [2], tokens: 1)
        }
        scheduler.stop()
        await #expect(throws: SchedulerError.stopped) { try await queued.value }
        gate.open()
        #expect(try await blocker.value == [1000])
        await #expect(throws: SchedulerError.stopped) { try await scheduler.submit(key: "k", items: [3], tokens: 1) }
    }
}
