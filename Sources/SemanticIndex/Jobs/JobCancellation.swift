// JobCancellation: a flag the daemon sets to stop the job that is running now; the runner reads it
// before every pass and every 128-document chunk. (Queued jobs are cancelled through their job rows.)
// Holds one Bool behind a lock; never blocks for longer than a read.
import Foundation

public final class JobCancellation: @unchecked Sendable {  // the flag is only touched under `lock`
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }
}
