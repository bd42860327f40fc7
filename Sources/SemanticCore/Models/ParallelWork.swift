// Spreads one call's work over the engine's threads with DispatchQueue.concurrentPerform: contiguous
// slices of rows or columns, or a shared counter of independent items. It decides nothing about maths.
import Dispatch
import Synchronization

struct ParallelWork: Sendable {
    let threads: Int

    /// Runs body(part) for part in 0..<parts, concurrently when parts > 1.
    @inline(__always)
    func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            body(0)
        } else {
            // The parts write disjoint slices of the caller's buffers; that discipline, not the type
            // system, is what makes sharing the closure safe.
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
            }
        }
    }

    /// Splits 0..<count into at most `threads` contiguous ranges of at least `minimum` elements
    /// (ranges start on multiples of `alignment`) and runs body on each concurrently.
    @inline(__always)
    func forEachRange(count: Int, minimum: Int, alignment: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = Swift.max(1, Swift.min(threads, count / Swift.max(minimum, 1)))
        if parts == 1 {
            body(0..<count)
            return
        }
        run(parts: parts) { part in
            let lower = Self.boundary(part, parts: parts, count: count, alignment: alignment)
            let upper = Self.boundary(part + 1, parts: parts, count: count, alignment: alignment)
            if lower < upper { body(lower..<upper) }
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
