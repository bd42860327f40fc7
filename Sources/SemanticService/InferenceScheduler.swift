// One inference queue for the whole daemon: requests from every connection wait here, and two worker
// threads ("lanes") run them. The interactive lane merges client requests of the same kind into
// token-budgeted batches, so many small requests become a few large GEMMs, served in arrival order.
// The background lane runs job work on a thread of its own at the lowest CPU priority, so the OS gives
// the cores to interactive work the moment it arrives instead of making it wait for a job's batch.
// A batch's results are split back to the requests exactly as if each had run alone. Knows nothing
// of sockets or the wire.
import CSemdSystem
import Foundation

public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    /// The queue holds as many requests as it may.
    case overloaded(queued: Int)
    /// The scheduler was stopped before the request ran.
    case stopped
    /// The batch function returned the wrong number of outputs (a bug, reported rather than trapped).
    case outputCountMismatch(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .overloaded(let queued): return "the inference queue is full (\(queued) requests waiting)"
        case .stopped: return "the daemon is shutting down"
        case .outputCountMismatch(let expected, let got): return "inference returned \(got) outputs for \(expected) inputs"
        }
    }
}

public struct InferenceSchedulerConfiguration: Sendable {
    /// Most tokens merged into one interactive batch (a single larger request still runs, alone).
    public var maxBatchTokens: Int = 16_384
    /// Most tokens in one background batch (callers slice background work to it): bounds the memory
    /// and the time a job's batch holds a core.
    public var maxBackgroundBatchTokens: Int = 512
    /// Niceness of the background lane's thread (19 = lowest; nil = leave it as the process's).
    public var backgroundNiceness: Int32? = 19
    /// How long the interactive lane may hold a batch open for more requests: for announced ones,
    /// and, after a batch that served several requests, for their clients to send their next ones
    /// (counted from the end of that batch). Zero runs every batch at once.
    public var maxWait: Duration = .milliseconds(2)
    /// Requests that may wait at once before new ones are refused as overloaded.
    public var maxQueuedRequests: Int = 4_096
    /// Most tokens a request may have to run on its caller's thread when the lane is idle (see
    /// `submit(inlineWhenIdle:)`); 0 turns that off.
    public var maxInlineTokens: Int = 256

    public init() {}
}

public final class InferenceScheduler<Key: Hashable & Sendable, Item: Sendable, Output: Sendable>: @unchecked Sendable {
    public typealias Configuration = InferenceSchedulerConfiguration

    /// Runs one batch: every item shares `key` and `priority` (the lane running it); returns one
    /// output per item, in order.
    public typealias Execute = @Sendable (_ key: Key, _ items: [Item], _ priority: SchedulerPriority) throws -> [Output]

    private struct Pending {
        let key: Key
        let items: [Item]
        let tokens: Int
        let priority: SchedulerPriority
        let arrived: ContinuousClock.Instant
        let continuation: CheckedContinuation<[Output], Error>
    }

    let configuration: Configuration
    private let execute: Execute
    private let condition = MonotonicCondition()
    private var queue: [Pending] = []
    private var announced = 0
    /// Requests the interactive lane's last batch served, and when it ended: while fewer are waiting,
    /// its clients are likely about to send their next requests (closed-loop clients), so the lane
    /// holds the next batch open for them up to `maxWait` after that end.
    private var lastInteractiveBatchRequests = 0
    private var lastInteractiveBatchEnded = ContinuousClock.now
    /// The interactive lane is running a batch.
    private var interactiveRunning = false
    /// Batches running now, on either lane or inline.
    private var runningBatches = 0
    private var stopped = false
    /// Where every batch and background pause is counted.
    public let ledger: ServiceLedger

    public init(configuration: Configuration = Configuration(), name: String = "semd-inference",
                ledger: ServiceLedger = ServiceLedger(), execute: @escaping Execute) {
        self.configuration = configuration
        self.ledger = ledger
        self.execute = execute
        // The lanes hold the scheduler until `stop()` ends them.
        for lane in [SchedulerPriority.interactive, .background] {
            let thread = Thread { self.workLoop(lane: lane) }
            thread.name = lane == .interactive ? name : name + "-background"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Tells the worker a request is on its way (being decoded or tokenized), so it may wait up to
    /// `maxWait` to merge it. Every announcement must be followed by `submit(announced: true)` or
    /// `withdrawAnnouncement()`.
    public func announce() {
        condition.lock()
        announced += 1
        condition.unlock()
    }

    public func withdrawAnnouncement() {
        condition.lock()
        announced = max(0, announced - 1)
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `items` (costing `tokens` in total) and returns their outputs once a batch has run.
    ///
    /// `mayRunInline`: the caller knows no other client is active (`RequestContext.mayRunInline`). Then an interactive request of at most `maxInlineTokens` runs on the caller's own
    /// thread when the interactive lane is idle, nothing is queued or announced, and the lane's last
    /// batch served one request (several mean their clients are about to return and merge): a lone
    /// client's request then crosses no thread at all. It counts as the lane's batch (background
    /// work pauses for it, the ledger counts it).
    public func submit(key: Key, items: [Item], tokens: Int, priority: SchedulerPriority = .interactive,
                       announced wasAnnounced: Bool = false, mayRunInline: Bool = false) async throws -> [Output] {
        if items.isEmpty {
            if wasAnnounced { withdrawAnnouncement() }
            return []
        }
        if mayRunInline, priority == .interactive, tokens <= configuration.maxInlineTokens, let outputs = try runInlineIfIdle(
            key: key, items: items, tokens: tokens, announced: wasAnnounced) {
            return outputs
        }
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if wasAnnounced { announced = max(0, announced - 1) }
            if stopped {
                condition.unlock()
                continuation.resume(throwing: SchedulerError.stopped)
                return
            }
            if queue.count >= configuration.maxQueuedRequests {
                let count = queue.count
                condition.unlock()
                continuation.resume(throwing: SchedulerError.overloaded(queued: count))
                return
            }
            queue.append(Pending(key: key, items: items, tokens: max(1, tokens), priority: priority,
                                 arrived: .now, continuation: continuation))
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Runs the request on the calling thread if the interactive lane is idle (see `submit`); nil
    /// when it is not, and the request must queue.
    private func runInlineIfIdle(key: Key, items: [Item], tokens: Int, announced wasAnnounced: Bool) throws -> [Output]? {
        condition.lock()
        let othersAnnounced = announced - (wasAnnounced ? 1 : 0)
        guard !stopped, !interactiveRunning, othersAnnounced <= 0, lastInteractiveBatchRequests <= 1,
              !queue.contains(where: { $0.priority == .interactive }) else {
            condition.unlock()
            return nil
        }
        if wasAnnounced { announced = max(0, announced - 1) }
        interactiveRunning = true
        runningBatches += 1
        condition.unlock()
        let outcome = Result { try execute(key, items, .interactive) }
        condition.lock()
        interactiveRunning = false
        runningBatches -= 1
        noteBatchEnded(requests: 1, lane: .interactive)
        condition.broadcast()
        condition.unlock()
        ledger.recordBatch(BatchRecord(requests: 1, items: items.count, tokens: tokens, ranInline: true))
        let outputs = try outcome.get()
        guard outputs.count == items.count else {
            throw SchedulerError.outputCountMismatch(expected: items.count, got: outputs.count)
        }
        return outputs
    }

    /// Called by background work at its pause points (between encoder blocks): blocks while the
    /// interactive lane has work running or waiting, for at most `limit`, so a job hands the cores
    /// (and the memory bandwidth) to client requests within one block rather than one whole batch,
    /// and still advances one block per `limit` under a saturating interactive load.
    public func pauseForInteractiveWork(limit: Duration = .milliseconds(50)) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, interactiveBusy else { return }
        ledger.recordBackgroundPause()
        let deadline = ContinuousClock.now + limit
        while !stopped, interactiveBusy {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { break }
            condition.wait(for: remaining)
        }
    }

    /// Interactive work is running or waiting (lock held).
    private var interactiveBusy: Bool {
        interactiveRunning || queue.contains { $0.priority == .interactive }
    }

    /// Requests waiting (not running).
    public var queuedRequests: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Blocks until no batch is running on either lane or inline. After `stop()`, the daemon waits
    /// here before it returns: a request answered with a Timeout leaves its batch running, and the
    /// process must not exit (tearing down OpenBLAS) under it.
    public func waitUntilIdle() {
        condition.lock()
        while runningBatches > 0 { condition.wait() }
        condition.unlock()
    }

    /// Fails every waiting request with `stopped` and ends the lanes after their current batches.
    public func stop() {
        condition.lock()
        stopped = true
        let abandoned = queue
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
        for pending in abandoned { pending.continuation.resume(throwing: SchedulerError.stopped) }
    }

    private func workLoop(lane: SchedulerPriority) {
        if lane == .background, let niceness = configuration.backgroundNiceness {
            _ = semd_set_thread_niceness(niceness)
        }
        while true {
            condition.lock()
            var batch: [Pending] = []
            while batch.isEmpty {
                if stopped {
                    condition.unlock()
                    return
                }
                guard let headIndex = queue.firstIndex(where: { $0.priority == lane }) else {
                    condition.wait()
                    continue
                }
                let head = queue[headIndex]
                let budget = lane == .interactive ? configuration.maxBatchTokens : configuration.maxBackgroundBatchTokens
                let members = mergeableIndices(startingAt: headIndex, budget: budget)
                let tokens = members.reduce(0) { $0 + queue[$1].tokens }
                let returning = members.count < lastInteractiveBatchRequests
                let deadline = (returning ? max(head.arrived, lastInteractiveBatchEnded) : head.arrived) + configuration.maxWait
                if lane == .interactive && (announced > 0 || returning) && tokens < budget && ContinuousClock.now < deadline {
                    condition.wait(for: ContinuousClock.now.duration(to: deadline))
                    continue
                }
                for index in members.reversed() { batch.insert(queue.remove(at: index), at: 0) }
            }
            if lane == .interactive { interactiveRunning = true }
            runningBatches += 1
            condition.unlock()
            run(batch, lane: lane)
            condition.lock()
            if lane == .interactive { interactiveRunning = false }
            runningBatches -= 1
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The head plus the following requests of the same key and priority that fit the budget, in order.
    private func mergeableIndices(startingAt headIndex: Int, budget: Int) -> [Int] {
        let head = queue[headIndex]
        var indices = [headIndex]
        var tokens = head.tokens
        var index = headIndex + 1
        while index < queue.count {
            let candidate = queue[index]
            if candidate.key == head.key && candidate.priority == head.priority {
                if tokens + candidate.tokens > budget { break }
                tokens += candidate.tokens
                indices.append(index)
            }
            index += 1
        }
        return indices
    }

    /// For the interactive lane, remembers how many requests its last batch served and when it ended
    /// (lock held).
    private func noteBatchEnded(requests: Int, lane: SchedulerPriority) {
        guard lane == .interactive else { return }
        lastInteractiveBatchRequests = requests
        lastInteractiveBatchEnded = .now
    }

    private func run(_ batch: [Pending], lane: SchedulerPriority) {
        let items = batch.flatMap(\.items)
        let tokens = batch.reduce(0) { $0 + $1.tokens }
        let outcome = Result { try execute(batch[0].key, items, lane) }
        // One request's bad input must not fail the others merged with it: run each alone.
        if case .failure = outcome, batch.count > 1 {
            for pending in batch { run([pending], lane: lane) }
            return
        }

        condition.lock()
        noteBatchEnded(requests: batch.count, lane: lane)
        condition.unlock()
        ledger.recordBatch(BatchRecord(requests: batch.count, items: items.count, tokens: tokens, ranInline: false))

        switch outcome {
        case .failure(let error):
            for pending in batch { pending.continuation.resume(throwing: error) }
        case .success(let outputs) where outputs.count != items.count:
            let error = SchedulerError.outputCountMismatch(expected: items.count, got: outputs.count)
            for pending in batch { pending.continuation.resume(throwing: error) }
        case .success(let outputs):
            var offset = 0
            for pending in batch {
                pending.continuation.resume(returning: Array(outputs[offset..<offset + pending.items.count]))
                offset += pending.items.count
            }
        }
    }
}
