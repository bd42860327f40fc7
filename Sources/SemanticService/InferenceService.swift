// The protocol-free service every door calls: embed and rerank with an explicit `RequestContext`,
// health and status, background embedding jobs, and the shutdown request. Typed requests in, typed
// results and `ServiceError`s out; the doors (cass v1, xf, HTTP, and any later protocol) only decode,
// call this, and encode. It owns the model store, the one inference scheduler and the one ledger.
// Never sees a socket, a frame or a wire type.
import Foundation
import Logging
import SemanticCore
import SemanticIndex
import SemanticRuntime
import Synchronization

/// Health as every door reports it.
public struct ServiceHealth: Sendable, Equatable {
    public let uptimeSeconds: UInt64
    /// The default embedder is loaded.
    public let ready: Bool
    public let memoryBytes: UInt64
    /// Models loaded now (the built-in hash embedder counts).
    public let modelsLoaded: Int
}

/// Status as every door reports it, from the ledger and the model store at one moment.
public struct ServiceStatus: Sendable {
    public let uptimeSeconds: UInt64
    public let memoryBytes: UInt64
    public let models: [HostedModelState]
    public let totals: RequestTotals
    /// Requests being answered now, every door.
    public let inFlight: Int
    /// Requests waiting for the inference lanes.
    public let queuedRequests: Int
}

public final class InferenceService: Sendable {
    public let models: ModelStore
    public let ledger: ServiceLedger
    /// Background embedding jobs; nil when this service runs none.
    public let jobs: JobService?
    let scheduler: ServiceScheduler
    let embedding: EmbeddingPath
    let reranking: RerankPath
    let started = ContinuousClock.now
    private let lastActivity = Mutex(ContinuousClock.now)
    private let onShutdownRequest: @Sendable () -> Void

    /// `runsJobs`: start the background job worker (its log lines go to `logger`).
    /// `onShutdownRequest`: called when a client asks the daemon to stop.
    /// `catalog`: the models served, when they are more than `registry`'s (user models: `semd --model`
    /// and the models file); nil serves `registry` alone.
    public init(registry: ModelRegistry, modelsRoot: ModelsRoot, engineConfiguration: EngineConfiguration = .init(),
                schedulerConfiguration: InferenceSchedulerConfiguration = .init(), metrics: DaemonMetrics = DaemonMetrics(),
                runsJobs: Bool = false, logger: Logger = Logger(label: "semd.service"), catalog: ModelCatalog? = nil,
                onShutdownRequest: @escaping @Sendable () -> Void = {}) {
        let ledger = ServiceLedger(metrics: metrics)
        let store = ModelStore(registry: registry, modelsRoot: modelsRoot, engineConfiguration: engineConfiguration,
                               ledger: ledger, catalog: catalog)
        let pauses = PauseForwarder()
        let scheduler = ServiceScheduler(configuration: schedulerConfiguration, ledger: ledger) { kind, sequences, lane in
            // The background lane runs on one engine thread: its own, at the lowest CPU priority, and
            // pauses between encoder blocks while client requests run.
            if lane == .background {
                return try BatchRunner.run(kind, sequences, store: store, threads: 1, pausePoint: { pauses.pause() })
            }
            return try BatchRunner.run(kind, sequences, store: store, threads: nil, pausePoint: nil)
        }
        pauses.scheduler = scheduler
        self.models = store
        self.ledger = ledger
        self.scheduler = scheduler
        embedding = EmbeddingPath(store: store, scheduler: scheduler, ledger: ledger)
        reranking = RerankPath(store: store, scheduler: scheduler, ledger: ledger)
        jobs = runsJobs ? JobService(embedding: embedding, logger: logger) : nil
        self.onShutdownRequest = onShutdownRequest
    }

    // MARK: Inference

    /// Embeds the request's texts with the embedder it names.
    public func embed(_ request: EmbedRequest, context: RequestContext) async throws(ServiceError) -> EmbedResult {
        try await embedding.embed(request, context: context)
    }

    /// Scores each document against the query with the reranker the request names.
    public func rerank(_ request: RerankRequest, context: RequestContext) async throws(ServiceError) -> RerankResult {
        try await reranking.rerank(request, context: context)
    }

    // MARK: Health and status

    public var uptimeSeconds: UInt64 { UInt64(max(0, (ContinuousClock.now - started).components.seconds)) }

    public func health() -> ServiceHealth {
        ServiceHealth(uptimeSeconds: uptimeSeconds, ready: models.isReady, memoryBytes: ProcessResources.residentBytes(),
                      modelsLoaded: models.states().count { $0.loaded })
    }

    public func status() -> ServiceStatus {
        ServiceStatus(uptimeSeconds: uptimeSeconds, memoryBytes: ProcessResources.residentBytes(), models: models.states(),
                      totals: ledger.totals, inFlight: ledger.inFlight(), queuedRequests: scheduler.queuedRequests)
    }

    /// Refreshes the metrics that are read rather than counted (queue depth, memory, model states);
    /// call before exposing them.
    public func refreshMetrics() {
        ledger.metrics.refresh(queuedRequests: scheduler.queuedRequests, ready: models.isReady, models: models.states())
    }

    // MARK: Activity and life

    /// A request of `door` was decoded now: the ledger counts it, and the idle timeout counts from the
    /// last one.
    public func requestArrived(through door: Door) {
        lastActivity.withLock { $0 = .now }
        ledger.recordArrival(door: door)
    }

    public var lastActivityInstant: ContinuousClock.Instant { lastActivity.withLock { $0 } }

    /// A client asked the daemon to stop.
    public func requestShutdown() { onShutdownRequest() }

    /// Loads and warms the default models (blocks its thread; see `ModelStore.warmUp`).
    public func warmUp(preloadReranker: Bool) { models.warmUp(preloadReranker: preloadReranker) }

    /// Stops the inference lanes; waiting requests fail with `shuttingDown`. Stop the jobs first.
    public func stop() { scheduler.stop() }

    /// Blocks until no inference batch is running (see `InferenceScheduler.waitUntilIdle`).
    public func waitUntilIdle() { scheduler.waitUntilIdle() }

    /// Requests waiting for the inference lanes (not running).
    public var queuedRequests: Int { scheduler.queuedRequests }
}
