// Spreads one call's work over the engine's threads: contiguous slices of rows or columns, or a shared
// counter of independent items, run by the caller and the spinning helpers (SpinningPool), or with
// DispatchQueue.concurrentPerform when those are busy. It decides nothing about maths.
import Dispatch
import Synchronization

struct ParallelWork: Sendable {
    let threads: Int

    /// Runs body(part) for part in 0..<parts, concurrently when parts > 1.
    @inline(__always)
    func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            body(0)
        } else if !SpinningPool.shared.run(parts: parts, body) {
            // The parts write disjoint slices of the caller's buffers; that discipline, not the type
            // system, is what makes sharing the closure safe.
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
            }
        }
    }

    /// Splits 0..<count into contiguous ranges of at least `minimum` elements (starting on multiples of
    /// `alignment`), at most `piecesPerThread` per thread, and runs body on each concurrently. With more
    /// pieces than threads the workers pull pieces as they finish, so a thread the OS preempts holds back
    /// one piece rather than half of the work.
    @inline(__always)
    func forEachRange(count: Int, minimum: Int, alignment: Int = 1, piecesPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = Swift.max(1, Swift.min(threads * piecesPerThread, count / Swift.max(minimum, 1)))
        if parts == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let piece = { (part: Int) in
                let lower = Self.boundary(part, parts: parts, count: count, alignment: alignment)
                let upper = Self.boundary(part + 1, parts: parts, count: count, alignment: alignment)
                if lower < upper { body(lower..<upper) }
            }
            if parts <= threads {
                run(parts: parts, piece)
            } else {
                forEachItem(count: parts) { part, _ in piece(part) }
            }
        }
    }

    /// Runs body(item, worker) for every item in 0..<count, each worker pulling the next item from a
    /// shared counter (for items of uneven cost, such as attention heads of sequences of different lengths).
    @inline(__always)
    func forEachItem(count: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        let workers = Swift.min(threads, count)
        if workers <= 1 {
            for item in 0..<count { body(item, 0) }
            return
        }
        let next = Atomic<Int>(0)
        run(parts: workers) { worker in
            while true {
                let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if item >= count { break }
                body(item, worker)
            }
        }
    }

    private static func boundary(_ part: Int, parts: Int, count: Int, alignment: Int) -> Int {
        if part >= parts { return count }
        let raw = count * part / parts
        return Swift.min(count, (raw + alignment / 2) / alignment * alignment)
    }
}

/// Carries a value the caller guarantees is used safely across threads.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
