// What the daemon measures, through swift-metrics with a factory the caller chooses (semd passes a
// Prometheus factory when the HTTP listener runs; the default records nothing). Every dialect —
// the cass Unix socket, HTTP, and any later one — feeds the same series, told apart by labels.
// Never bootstraps the global MetricsSystem: two daemons in one test process keep their own numbers.
import CoreMetrics
import SemanticRuntime

public final class DaemonMetrics: Sendable {
    /// Metric names, as Prometheus shows them.
    public enum Name {
        /// Counter {endpoint, dialect, status}: requests answered.
        public static let requests = "semd_requests_total"
        /// Histogram {endpoint, dialect}: seconds from decoded request to answer.
        public static let requestDuration = "semd_request_duration_seconds"
        /// Histogram: texts (or query-document pairs) per inference batch.
        public static let batchTexts = "semd_batch_texts"
        /// Histogram: tokens per inference batch.
        public static let batchTokens = "semd_batch_tokens"
        /// Gauge: requests waiting in the inference queue.
        public static let queueDepth = "semd_queue_depth"
        /// Gauge {dialect}: requests being answered now.
        public static let inFlight = "semd_requests_in_flight"
        /// Gauge: resident set size in bytes.
        public static let residentMemory = "semd_resident_memory_bytes"
        /// Gauge {model, kind}: 1 when the model is loaded, 0 otherwise.
        public static let modelLoaded = "semd_model_loaded"
        /// Gauge {model, kind}: 1 when the model's last load failed.
        public static let modelLoadFailed = "semd_model_load_failed"
        /// Gauge: 1 when the default embedder is ready (what /health reports).
        public static let ready = "semd_ready"
    }

    /// Histogram buckets, for a backend that asks (the Prometheus factory does, by metric name).
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    public static let batchTextBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    public static let batchTokenBuckets: [Double] = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]

    let factory: any MetricsFactory
    private let batchTexts: Recorder
    private let batchTokens: Recorder
    private let queueDepth: Gauge
    private let residentMemory: Gauge
    private let ready: Gauge

    /// Records through `factory`; the default records nothing.
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
        batchTexts = Recorder(label: Name.batchTexts, aggregate: true, factory: factory)
        batchTokens = Recorder(label: Name.batchTokens, aggregate: true, factory: factory)
        queueDepth = Gauge(label: Name.queueDepth, factory: factory)
        residentMemory = Gauge(label: Name.residentMemory, factory: factory)
        ready = Gauge(label: Name.ready, factory: factory)
    }

    /// One answered request. `endpoint`: the HTTP route or the dialect's request name; `status`: the
    /// HTTP status code, or `ok` / the protocol error code for a socket dialect.
    func recordRequest(endpoint: String, dialect: String, status: String, duration: Duration) {
        Counter(label: Name.requests, dimensions: [("endpoint", endpoint), ("dialect", dialect), ("status", status)],
                factory: factory).increment()
        Timer(label: Name.requestDuration, dimensions: [("endpoint", endpoint), ("dialect", dialect)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Requests of `dialect` being answered now.
    func setInFlight(_ count: Int, dialect: String) {
        Gauge(label: Name.inFlight, dimensions: [("dialect", dialect)], factory: factory).record(count)
    }

    /// One inference batch as the scheduler ran it.
    func recordBatch(texts: Int, tokens: Int) {
        batchTexts.record(texts)
        batchTokens.record(tokens)
    }

    /// Refreshes the gauges that are read rather than counted: queue depth, memory, model states.
    /// Call before exposing the numbers.
    func refresh(queuedRequests: Int, ready isReady: Bool, models: [HostedModelState]) {
        queueDepth.record(queuedRequests)
        residentMemory.record(ProcessResources.residentBytes())
        ready.record(isReady ? 1 : 0)
        for state in models {
            let dimensions = [("model", state.descriptor.id), ("kind", state.descriptor.kind.rawValue)]
            Gauge(label: Name.modelLoaded, dimensions: dimensions, factory: factory).record(state.loaded ? 1 : 0)
            Gauge(label: Name.modelLoadFailed, dimensions: dimensions, factory: factory).record(state.failure == nil ? 0 : 1)
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
