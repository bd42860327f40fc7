// Where a connection's serving task runs. Each connection task prefers its channel's event loop as
// its executor, so a request crosses threads only twice: event loop → inference lane → event loop.
// On the concurrency pool it crossed four times (the event loop woke a pool thread for each frame,
// and the answer hopped back to the event loop to be written), which cost a one-text Embed about a
// quarter of a millisecond and a Health round trip half of its time. Work that can block or run
// long leaves the event loop through `onSharedPool` (SemanticService): model loading, job requests (SQLite), and
// frames large enough that decoding and tokenizing them would hold up the other connections.
import NIOCore
import Synchronization

/// Runs Swift concurrency jobs on a SwiftNIO event loop (`Task(executorPreference:)`).
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Frames above this size are answered on the concurrency pool: decoding and tokenizing them takes
/// long enough to delay the other connections' reads on the event loop.
let largeFrameBytes = 64 << 10

/// Waits for `work` or `timeout`, whichever comes first. `work` runs in a task of its own (on
/// `executor`, nil = the pool), so a timeout answers at once; the work itself cannot be interrupted
/// (an engine batch runs to its end) and finishes unobserved.
func firstOf<T: Sendable>(
    _ work: @escaping @Sendable () async -> T, timeout: Duration, eventLoop: any EventLoop, executor: (any TaskExecutor)?
) async -> T? {
    let race = Race<T>()
    return await withCheckedContinuation { continuation in
        race.arm(continuation)
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { race.finish(nil) }
        Task(executorPreference: executor) {
            let value = await work()
            timer.cancel()
            race.finish(value)
        }
    }
}

/// One continuation resumed by the first of two finishers.
private final class Race<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T?, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func finish(_ value: T?) {
        continuation.withLock { pending -> CheckedContinuation<T?, Never>? in
            defer { pending = nil }
            return pending
        }?.resume(returning: value)
    }
}
