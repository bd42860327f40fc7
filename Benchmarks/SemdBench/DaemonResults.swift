// The results of the workloads that run against a real semd or the codec (RT round trip, C8 concurrent
// clients, JW latency during a job, HT HTTP against the socket, MP MessagePack) as typed values, each
// with its report fields in the order `semd-bench bench --json` prints them and its table summary.
// Values only.
import Foundation

/// RT: one-text Embed through semd against the same call in-process.
struct RoundTripResult: WorkloadResult {
    let inProcessP50Milliseconds: Double
    let daemonP50Milliseconds: Double
    let daemonP99Milliseconds: Double
    let healthP50Milliseconds: Double
    let overheadMilliseconds: Double
    let paceMilliseconds: Double
    let pacedInProcessP50Milliseconds: Double
    let pacedDaemonP50Milliseconds: Double
    let pacedOverheadMilliseconds: Double
    let interleavedOverheadMilliseconds: Double
    let interleavedPairs: Int

    var workload: String { "RT" }
    var fields: [ReportField] {
        [ReportField("in_process_p50_ms", inProcessP50Milliseconds), ReportField("daemon_p50_ms", daemonP50Milliseconds),
         ReportField("daemon_p99_ms", daemonP99Milliseconds), ReportField("health_p50_ms", healthP50Milliseconds),
         ReportField("overhead_ms", overheadMilliseconds), ReportField("pace_ms", paceMilliseconds),
         ReportField("paced_in_process_p50_ms", pacedInProcessP50Milliseconds),
         ReportField("paced_daemon_p50_ms", pacedDaemonP50Milliseconds),
         ReportField("paced_overhead_ms", pacedOverheadMilliseconds),
         ReportField("interleaved_overhead_ms", interleavedOverheadMilliseconds),
         ReportField("interleaved_pairs", count: interleavedPairs)]
    }
    var summary: String {
        String(format: "interleaved +%.3f ms; paced +%.3f ms (daemon p50 %.2f ms, in-process %.2f ms, %.0f ms idle before each); back to back +%.3f ms (%.2f vs %.2f ms); Health %.3f ms",
               interleavedOverheadMilliseconds, pacedOverheadMilliseconds, pacedDaemonP50Milliseconds,
               pacedInProcessP50Milliseconds, paceMilliseconds, overheadMilliseconds, daemonP50Milliseconds,
               inProcessP50Milliseconds, healthP50Milliseconds)
    }
}

/// C8: concurrent clients sending W1 queries to one semd, against one client and the engine's ceiling.
struct ConcurrentClientsResult: WorkloadResult {
    let clients: Int
    let oneClientQueriesPerSecond: Double
    let allClientsQueriesPerSecond: Double
    let engineCeilingQueriesPerSecond: Double
    let engineCeilingGFLOPs: Double
    let speedupBoundAtSGEMMPeak: Double

    var speedup: Double { allClientsQueriesPerSecond / oneClientQueriesPerSecond }
    var engineCeilingSpeedup: Double { engineCeilingQueriesPerSecond / oneClientQueriesPerSecond }

    var workload: String { "C\(clients)" }
    var fields: [ReportField] {
        [ReportField("one_client_qps", oneClientQueriesPerSecond), ReportField("clients", count: clients),
         ReportField("all_clients_qps", allClientsQueriesPerSecond), ReportField("speedup", speedup),
         ReportField("engine_ceiling_qps", engineCeilingQueriesPerSecond),
         ReportField("engine_ceiling_speedup", engineCeilingSpeedup), ReportField("engine_ceiling_gflops", engineCeilingGFLOPs),
         ReportField("speedup_bound_at_sgemm_peak", speedupBoundAtSGEMMPeak)]
    }
    var summary: String {
        String(format: "%.0f q/s vs %.0f q/s alone (%.2f×; engine ceiling %.0f q/s, %.2f×; at sgemm peak ≤ %.2f×)",
               allClientsQueriesPerSecond, oneClientQueriesPerSecond, speedup, engineCeilingQueriesPerSecond,
               engineCeilingSpeedup, speedupBoundAtSGEMMPeak)
    }
}

/// JW: W1 latency through semd while a job embeds an archive, against idle.
struct JobLatencyResult: WorkloadResult {
    let idleP50Milliseconds: Double
    let duringJobP50Milliseconds: Double
    let duringJobP99Milliseconds: Double
    let jobDocumentsPerSecond: Double
    let inProcessDocumentsPerSecond: Double

    var latencyRatio: Double { duringJobP50Milliseconds / idleP50Milliseconds }

    var workload: String { "JW" }
    var fields: [ReportField] {
        [ReportField("idle_p50_ms", idleP50Milliseconds), ReportField("during_job_p50_ms", duringJobP50Milliseconds),
         ReportField("during_job_p99_ms", duringJobP99Milliseconds), ReportField("latency_ratio", latencyRatio),
         ReportField("job_docs_per_s", jobDocumentsPerSecond), ReportField("in_process_docs_per_s", inProcessDocumentsPerSecond)]
    }
    var summary: String {
        String(format: "W1 p50 %.2f ms during a job vs %.2f ms idle (%.1f×); job %.0f docs/s",
               duringJobP50Milliseconds, idleP50Milliseconds, latencyRatio, jobDocumentsPerSecond)
    }
}

/// HT: W1 over HTTP against the Unix socket of the same semd.
struct HTTPComparisonResult: WorkloadResult {
    let socketP50Milliseconds: Double
    let socketP99Milliseconds: Double
    let httpP50Milliseconds: Double
    let httpP99Milliseconds: Double
    let httpBase64P50Milliseconds: Double
    let httpUnparsedP50Milliseconds: Double
    let clients: Int
    let httpOneClientQueriesPerSecond: Double
    let httpAllClientsQueriesPerSecond: Double
    let socketAllClientsQueriesPerSecond: Double

    var workload: String { "HT" }
    var fields: [ReportField] {
        [ReportField("socket_p50_ms", socketP50Milliseconds), ReportField("socket_p99_ms", socketP99Milliseconds),
         ReportField("http_p50_ms", httpP50Milliseconds), ReportField("http_p99_ms", httpP99Milliseconds),
         ReportField("http_overhead_ms", httpP50Milliseconds - socketP50Milliseconds),
         ReportField("http_base64_p50_ms", httpBase64P50Milliseconds),
         ReportField("http_unparsed_p50_ms", httpUnparsedP50Milliseconds), ReportField("clients", count: clients),
         ReportField("http_one_client_qps", httpOneClientQueriesPerSecond),
         ReportField("http_all_clients_qps", httpAllClientsQueriesPerSecond),
         ReportField("socket_all_clients_qps", socketAllClientsQueriesPerSecond)]
    }
    var summary: String {
        String(format: "HTTP p50 %.2f ms vs socket %.2f ms; 8 clients %.0f vs %.0f q/s", httpP50Milliseconds,
               socketP50Milliseconds, httpAllClientsQueriesPerSecond, socketAllClientsQueriesPerSecond)
    }
}

/// MP: the MessagePack codec on an Embed response and an Embed request, without a socket.
struct CodecResult: WorkloadResult {
    let embedResponseBytes: Int
    let responseEncodeMicroseconds: Double
    let responseDecodeMicroseconds: Double
    let embedRequestBytes: Int
    let requestEncodeMicroseconds: Double
    let requestDecodeMicroseconds: Double
    let runs: Int

    var workload: String { "MP" }
    var fields: [ReportField] {
        [ReportField("embed_response_bytes", count: embedResponseBytes),
         ReportField("response_encode_us", responseEncodeMicroseconds),
         ReportField("response_decode_us", responseDecodeMicroseconds),
         ReportField("response_encode_mb_per_s", Double(embedResponseBytes) / responseEncodeMicroseconds),
         ReportField("embed_request_bytes", count: embedRequestBytes),
         ReportField("request_encode_us", requestEncodeMicroseconds), ReportField("request_decode_us", requestDecodeMicroseconds),
         ReportField("runs", count: runs)]
    }
    var summary: String {
        String(format: "Embed response 256×384 (%.0f kB): encode %.0f µs, decode %.0f µs; request of 256 texts (%.0f kB): encode %.0f µs, decode %.0f µs",
               Double(embedResponseBytes) / 1000, responseEncodeMicroseconds, responseDecodeMicroseconds,
               Double(embedRequestBytes) / 1000, requestEncodeMicroseconds, requestDecodeMicroseconds)
    }
}
