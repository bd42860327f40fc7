// The Prometheus side of the daemon's metrics: one collector registry per daemon, a swift-metrics
// factory over it (with semd's histogram buckets) for `DaemonMetrics`, and the text exposition that
// GET /metrics answers. Never touches the global MetricsSystem.
import CoreMetrics
import Prometheus
import SemanticService

public final class MetricsExposition: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// What the daemon records into; pass it to `Daemon(configuration:metrics:logger:)`.
    public let daemonMetrics: DaemonMetrics

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = DaemonMetrics.durationBuckets
        factory.valueHistogramBuckets = [
            DaemonMetrics.Name.batchTexts: DaemonMetrics.batchTextBuckets,
            DaemonMetrics.Name.batchTokens: DaemonMetrics.batchTokenBuckets,
        ]
        daemonMetrics = DaemonMetrics(factory: factory)
    }

    /// The Prometheus text format (version 0.0.4).
    public func text() -> [UInt8] { registry.emitToBuffer() }
}
