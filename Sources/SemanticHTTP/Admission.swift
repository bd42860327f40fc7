// Bounds the embed and rerank requests the listener answers at once: one more than the limit is
// refused at once (429 with Retry-After) instead of queueing without bound. Lock-free. An admitted
// request is in flight for the service's ledger (door `http`) until it leaves.
import SemanticService
import Synchronization

final class Admission: Sendable {
    let limit: Int
    let retryAfterSeconds: Int
    private let count = Atomic<Int>(0)
    let ledger: ServiceLedger

    init(limit: Int, retryAfterSeconds: Int, ledger: ServiceLedger) {
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
        self.ledger = ledger
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
        ledger.beginInFlight(door: .http)
    }

    func leave() {
        count.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        ledger.endInFlight(door: .http)
    }
}
