// When each model was loaded, how many requests it served and when it was last used, for the xf
// dialect's Status (`loaded_at`, `requests_served`, `last_used`, unix seconds). Bookkeeping only:
// it never loads or runs a model.
import Foundation
import Synchronization

/// One model's use so far.
public struct ModelUsage: Sendable, Equatable {
    /// Unix seconds when the model finished loading (the daemon's start for built-in models).
    public var loadedAt: UInt64
    public var requestsServed: UInt64 = 0
    /// Unix seconds of the last request, 0 when never used.
    public var lastUsed: UInt64 = 0
}

public final class ModelUsageLedger: Sendable {
    private let entries = Mutex<[String: ModelUsage]>([:])
    private let clock: @Sendable () -> UInt64

    public init(clock: @escaping @Sendable () -> UInt64 = { UInt64(max(0, Date().timeIntervalSince1970)) }) {
        self.clock = clock
    }

    /// The model `id` finished loading now (keeps its counts when it was loaded before).
    public func recordLoad(of id: String) {
        let now = clock()
        entries.withLock { entries in
            if entries[id] == nil { entries[id] = ModelUsage(loadedAt: now) } else { entries[id]?.loadedAt = now }
        }
    }

    /// The model `id` answered one request now.
    public func recordUse(of id: String) {
        let now = clock()
        entries.withLock { entries in
            var usage = entries[id] ?? ModelUsage(loadedAt: now)
            usage.requestsServed += 1
            usage.lastUsed = now
            entries[id] = usage
        }
    }

    public func usage(of id: String) -> ModelUsage? { entries.withLock { $0[id] } }
}
