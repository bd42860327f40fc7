// semd-bench's report without running a workload: each typed result becomes one JSON line whose keys
// come in report order with the run's context after them (the share of the start's sgemm peak only when
// the workload did not measure its own), survives the trip from a child process to its parent (numbers
// that are not finite included), and fills the table's cells.
import Foundation
import Testing
@testable import semd_bench

@Suite struct BenchmarkReportTests {
    let latency = LatencyResult(p50Milliseconds: 2.5, p99Milliseconds: 4, tokensPerSecond: 4000, gflops: 20,
                                peakResidentMegabytes: 121.5)

    @Test func aLatencyRowSetsItsRateAgainstThePeakAtTheStart() {
        let row = BenchmarkRow(result: latency, startPeak: 80, kernel: "Haswell", threads: 2)
        #expect(row.jsonLine == #"{"workload": "W1", "p50_ms": 2.5, "p99_ms": 4.0, "tokens_per_s": 4000.0, "gflops": 20.0, "#
                + #""peak_rss_mb": 121.5, "percent_of_peak": 25.0, "sgemm_peak_gflops": 80.0, "kernel": "Haswell", "threads": 2}"#)
        #expect(row.cells == ["W1", "p50 2.50 ms, p99 4.00 ms", "4000", "20.0", "25%", "80", "122 MB"])
    }

    @Test func aThroughputRowKeepsThePeakMeasuredBesideItsRuns() {
        let result = ThroughputResult(workload: "W3", textsPerSecond: 59.3, milliseconds: 4320, tokensPerSecond: 7584,
                                      measuredRate: FLOPRate(gflops: 150, percentOfPeak: 83, sgemmPeakGFLOPs: 180),
                                      tokenizeMilliseconds: 300, tokenizePercent: 7, peakResidentMegabytes: 140)
        let row = BenchmarkRow(result: result, startPeak: 100, kernel: "Cooperlake", threads: 2)
        #expect(row.fields.map(\.key) == ["workload", "texts_per_s", "ms", "tokens_per_s", "gflops", "percent_of_peak",
                                          "sgemm_peak_gflops", "tokenize_ms", "tokenize_percent", "peak_rss_mb", "kernel", "threads"])
        #expect(row.percentOfPeak == 83 && row.sgemmPeak == 180)
        #expect(row.cells == ["W3", "59.3 texts/s", "7584", "150.0", "83%", "180", "140 MB"])
    }

    @Test func aRowWithoutARateLeavesThoseCellsEmptyAndCountsAsIntegers() {
        let codec = CodecResult(embedResponseBytes: 492_324, responseEncodeMicroseconds: 400, responseDecodeMicroseconds: 800,
                                embedRequestBytes: 167_826, requestEncodeMicroseconds: 100, requestDecodeMicroseconds: 200, runs: 40)
        let row = BenchmarkRow(result: codec, startPeak: 90, kernel: "Haswell", threads: 1)
        #expect(row.jsonLine.hasPrefix(#"{"workload": "MP", "embed_response_bytes": 492324, "response_encode_us": 400.0,"#))
        #expect(row.jsonLine.hasSuffix(#""runs": 40, "sgemm_peak_gflops": 90.0, "kernel": "Haswell", "threads": 1}"#))
        #expect(!row.jsonLine.contains("percent_of_peak"))
        #expect(row.cells[2...] == ["", "", "", "", ""])
        let clients = ConcurrentClientsResult(clients: 8, oneClientQueriesPerSecond: 100, allClientsQueriesPerSecond: 250,
                                              engineCeilingQueriesPerSecond: 400, engineCeilingGFLOPs: 60, speedupBoundAtSGEMMPeak: 9)
        #expect(clients.workload == "C8" && clients.fields.first { $0.key == "speedup" }?.value == .number(2.5))
    }

    @Test func aChildsResultSurvivesTheTripToItsParent() throws {
        let measured = LatencyResult(p50Milliseconds: 2.25, p99Milliseconds: .nan, tokensPerSecond: .infinity, gflops: 1e-3,
                                     peakResidentMegabytes: nil)
        let line = try ChildResultCoding.encoder.encode(measured)
        let received = try ChildResultCoding.decoder.decode(LatencyResult.self, from: line)
        let row = BenchmarkRow(result: received, startPeak: 1, kernel: "k", threads: 1)
        #expect(row.jsonLine == BenchmarkRow(result: measured, startPeak: 1, kernel: "k", threads: 1).jsonLine)
        #expect(row.jsonLine.contains(#""p99_ms": null, "tokens_per_s": null, "gflops": 0.001, "peak_rss_mb": null"#), "\(row.jsonLine)")
        #expect(throws: DecodingError.self) { try ChildResultCoding.decoder.decode(ThroughputResult.self, from: line) }
    }

    @Test func textIsQuotedAsJSON() {
        let row = BenchmarkRow(result: latency, startPeak: 80, kernel: "a \"quoted\"\\kernel\n", threads: 2)
        #expect(row.jsonLine.contains(#""kernel": "a \"quoted\"\\kernel\n""#))
        let parsed = try? JSONSerialization.jsonObject(with: Data(row.jsonLine.utf8)) as? [String: Any]
        #expect(parsed?["kernel"] as? String == "a \"quoted\"\\kernel\n")
    }
}
