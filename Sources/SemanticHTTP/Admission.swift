// Bounds the embed and rerank requests the listener answers at once: one more than the limit is
// refused at once (429 with Retry-After) instead of queueing without bound. Lock-free.
import Synchronization

final class Admission: Sendable {
    let limit: Int
    let retryAfterSeconds: Int
    private let count = Atomic<Int>(0)

    init(limit: Int, retryAfterSeconds: Int) {
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Requests admitted now.
    var current: Int { count.load(ordering: .relaxed) }

    /// Takes a slot, or throws 429 when every slot is taken. Each `enter()` that returns is followed
    /// by one `leave()` when the answer is ready.
    func enter() throws(APIError) {
        let admitted = count.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        guard admitted <= limit else {
            count.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            throw .busy(limit: limit, retryAfter: retryAfterSeconds)
        }
    }

    func leave() {
        count.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }
}
