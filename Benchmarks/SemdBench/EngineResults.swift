// The results of the engine workloads (W1 latency, W2/W3/W6 throughput, CE rerank, W4 cold start) as
// typed values, each with its report fields in the order `semd-bench bench --json` prints them and the
// summary the table shows. Values only.
import Foundation

/// W1: one short query embedded alone, many times.
struct LatencyResult: WorkloadResult {
    let p50Milliseconds: Double
    let p99Milliseconds: Double
    let tokensPerSecond: Double?
    let gflops: Double
    let peakResidentMegabytes: Double?

    var workload: String { "W1" }
    var rate: FLOPRate? { FLOPRate(gflops: gflops, percentOfPeak: nil, sgemmPeakGFLOPs: nil) }
    var fields: [ReportField] {
        [ReportField("p50_ms", p50Milliseconds), ReportField("p99_ms", p99Milliseconds),
         ReportField("tokens_per_s", tokensPerSecond ?? .nan), ReportField("gflops", gflops),
         ReportField("peak_rss_mb", peakResidentMegabytes ?? .nan)]
    }
    var summary: String { String(format: "p50 %.2f ms, p99 %.2f ms", p50Milliseconds, p99Milliseconds) }
}

/// W2, W3, W6: a list of texts embedded in one call.
struct ThroughputResult: WorkloadResult {
    let workload: String
    let textsPerSecond: Double
    let milliseconds: Double
    let tokensPerSecond: Double?
    let measuredRate: FLOPRate
    let tokenizeMilliseconds: Double
    let tokenizePercent: Double
    let peakResidentMegabytes: Double?

    var rate: FLOPRate? { measuredRate }
    var fields: [ReportField] {
        [ReportField("texts_per_s", textsPerSecond), ReportField("ms", milliseconds),
         ReportField("tokens_per_s", tokensPerSecond ?? .nan)] + measuredRate.fields
            + [ReportField("tokenize_ms", tokenizeMilliseconds), ReportField("tokenize_percent", tokenizePercent),
               ReportField("peak_rss_mb", peakResidentMegabytes ?? .nan)]
    }
    var summary: String { String(format: "%.1f texts/s", textsPerSecond) }
}

/// CE: one query scored against its documents by the benchmark cross-encoder.
struct RerankResult: WorkloadResult {
    let milliseconds: Double
    let pairsPerSecond: Double
    let tokensPerSecond: Double?
    let measuredRate: FLOPRate
    let peakResidentMegabytes: Double?

    var workload: String { "CE" }
    var rate: FLOPRate? { measuredRate }
    var fields: [ReportField] {
        [ReportField("ms", milliseconds), ReportField("pairs_per_s", pairsPerSecond),
         ReportField("tokens_per_s", tokensPerSecond ?? .nan)] + measuredRate.fields
            + [ReportField("peak_rss_mb", peakResidentMegabytes ?? .nan)]
    }
    var summary: String { String(format: "%.1f ms (%.0f pairs/s)", milliseconds, pairsPerSecond) }
}

/// W4: fresh processes that load the model, embed one sentence and exit.
struct ColdStartResult: WorkloadResult {
    let milliseconds: Double
    let peakResidentMegabytes: Double?

    var workload: String { "W4" }
    var fields: [ReportField] { [ReportField("ms", milliseconds), ReportField("peak_rss_mb", peakResidentMegabytes ?? .nan)] }
    var summary: String { String(format: "%.0f ms", milliseconds) }
}
