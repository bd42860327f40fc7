// The one ledger of what the service did: requests by door and operation with their outcomes,
// requests in flight, inference batches, and each model's loads and use. Every reader takes its
// figures from here — cass Status, xf Status, the heartbeat behind `semctl status`, and Prometheus
// (the ledger forwards each record to `DaemonMetrics`, whose backend the caller chooses). Counting
// only: it never answers a request, runs a model or touches a connection.
import Foundation
import Synchronization

/// Batches the inference scheduler ran, since start.
public struct BatchStatistics: Sendable, Equatable {
    public var batches = 0
    public var requests = 0
    public var items = 0
    /// Batches that carried more than one request.
    public var mergedBatches = 0
    public var largestBatchRequests = 0
    public var largestBatchTokens = 0
    /// Times background work paused at a pause point for interactive work.
    public var backgroundPauses = 0
    /// Requests run on their caller's thread (`RequestContext.mayRunInline`), counted in `batches` too.
    public var inlineBatches = 0

    public init() {}
}

/// One batch as the scheduler ran it.
public struct BatchRecord: Sendable, Equatable {
    public var requests: Int
    public var items: Int
    public var tokens: Int
    public var ranInline: Bool
}

/// One model's use so far.
public struct ModelUsage: Sendable, Equatable {
    /// Unix seconds when the model finished loading (the daemon's start for built-in models).
    public var loadedAt: UInt64
    public var requestsServed: UInt64 = 0
    /// Unix seconds of the last request, 0 when never used.
    public var lastUsed: UInt64 = 0
}

/// How a request ended, as the ledger counts it.
public enum RequestOutcome: Sendable, Equatable {
    /// Answered (labelled `ok` in the metrics).
    case ok
    /// Answered, with the door's own label for it (HTTP: its status code, `200`).
    case success(label: String)
    /// An error answer; `code` is the door's own name for it (`InvalidInput`, `UNKNOWN_MODEL`, `400`, …).
    case error(code: String)

    var label: String {
        switch self {
        case .ok: return "ok"
        case .success(let label): return label
        case .error(let code): return code
        }
    }
}

/// What the requests of every door came to, read at one moment.
public struct RequestTotals: Sendable, Equatable {
    /// Decoded requests of every door.
    public var requests: UInt64 = 0
    public var embedRequests: UInt64 = 0
    public var rerankRequests: UInt64 = 0
    /// Error answers, frames that did not decode included.
    public var errors: UInt64 = 0
}

public final class ServiceLedger: Sendable {
    private struct State {
        var totals = RequestTotals()
        var requestsByDoor: [Door: UInt64] = [:]
        var inFlightByDoor: [Door: Int] = [:]
        var batches = BatchStatistics()
        var models: [String: ModelUsage] = [:]
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> UInt64
    /// Where each record is also sent, for Prometheus.
    public let metrics: DaemonMetrics

    public init(metrics: DaemonMetrics = DaemonMetrics(),
                clock: @escaping @Sendable () -> UInt64 = { UInt64(max(0, Date().timeIntervalSince1970)) }) {
        self.metrics = metrics
        self.clock = clock
    }

    // MARK: Requests

    /// A request of `door` was decoded: it counts from now (a Status answer counts itself).
    public func recordArrival(door: Door) {
        state.withLock { state in
            state.totals.requests += 1
            state.requestsByDoor[door, default: 0] += 1
        }
    }

    /// One answered request of `door` (counted at its arrival). `operation` is the door's name for it
    /// (`Embed`, `/v1/embeddings`); `kind` says whether it was an embedding or rerank request.
    public func recordRequest(door: Door, operation: String, kind: RequestKind = .other, outcome: RequestOutcome,
                              duration: Duration) {
        state.withLock { state in
            switch kind {
            case .embed: state.totals.embedRequests += 1
            case .rerank: state.totals.rerankRequests += 1
            case .other: break
            }
            if case .error = outcome { state.totals.errors += 1 }
        }
        metrics.recordRequest(endpoint: operation, dialect: door.name, status: outcome.label, duration: duration)
    }

    /// A frame of `door` that did not decode into a request: an error, not a request.
    public func recordUndecodable(door: Door, code: String, duration: Duration) {
        state.withLock { $0.totals.errors += 1 }
        metrics.recordRequest(endpoint: "Undecodable", dialect: door.name, status: code, duration: duration)
    }

    /// Runs `body` counted as in flight for `door`.
    public func whileInFlight<Result, Failure: Error>(door: Door, _ body: () async throws(Failure) -> Result)
        async throws(Failure) -> Result {
        beginInFlight(door: door)
        defer { endInFlight(door: door) }
        return try await body()
    }

    /// One more request of `door` is being answered; each call is followed by one `endInFlight`.
    public func beginInFlight(door: Door) { changeInFlight(door: door, by: 1) }

    /// A request `beginInFlight` counted has been answered.
    public func endInFlight(door: Door) { changeInFlight(door: door, by: -1) }

    private func changeInFlight(door: Door, by change: Int) {
        let count = state.withLock { state -> Int in
            state.inFlightByDoor[door, default: 0] += change
            return state.inFlightByDoor[door, default: 0]
        }
        metrics.setInFlight(count, dialect: door.name)
    }

    public var totals: RequestTotals { state.withLock { $0.totals } }

    /// Decoded requests of `door` so far.
    public func requests(of door: Door) -> UInt64 { state.withLock { $0.requestsByDoor[door] ?? 0 } }

    /// Requests being answered now, of `door` or (nil) of every door.
    public func inFlight(_ door: Door? = nil) -> Int {
        state.withLock { state in
            if let door { return state.inFlightByDoor[door] ?? 0 }
            return state.inFlightByDoor.values.reduce(0, +)
        }
    }

    // MARK: Batches

    func recordBatch(_ batch: BatchRecord) {
        state.withLock { state in
            state.batches.batches += 1
            state.batches.requests += batch.requests
            state.batches.items += batch.items
            if batch.requests > 1 { state.batches.mergedBatches += 1 }
            if batch.ranInline { state.batches.inlineBatches += 1 }
            state.batches.largestBatchRequests = max(state.batches.largestBatchRequests, batch.requests)
            state.batches.largestBatchTokens = max(state.batches.largestBatchTokens, batch.tokens)
        }
        metrics.recordBatch(texts: batch.items, tokens: batch.tokens)
    }

    func recordBackgroundPause() { state.withLock { $0.batches.backgroundPauses += 1 } }

    public var batchStatistics: BatchStatistics { state.withLock { $0.batches } }

    // MARK: Models

    /// The model `id` finished loading now (keeps its counts when it was loaded before).
    public func recordLoad(of id: String) {
        let now = clock()
        state.withLock { state in
            if state.models[id] == nil { state.models[id] = ModelUsage(loadedAt: now) } else { state.models[id]?.loadedAt = now }
        }
    }

    /// The model `id` answered one request now.
    public func recordUse(of id: String) {
        let now = clock()
        state.withLock { state in
            var usage = state.models[id] ?? ModelUsage(loadedAt: now)
            usage.requestsServed += 1
            usage.lastUsed = now
            state.models[id] = usage
        }
    }

    public func usage(of id: String) -> ModelUsage? { state.withLock { $0.models[id] } }
}

/// What a request asked for, as the totals count it.
public enum RequestKind: Sendable {
    case embed
    case rerank
    case other
}
