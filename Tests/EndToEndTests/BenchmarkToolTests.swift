// The measuring tools as real processes: semd-bench's bench (W4's fresh child processes, the codec
// workload, their JSON rows with the run's context) and its refusals of a bad inputs file or workload,
// and the user's short `semctl bench` through the daemon and in-process.
import Foundation
import SemanticTestSupport
import Testing

@Suite(.serialized) struct BenchmarkToolTests {
    /// Runs the built semd-bench with `arguments`.
    func semdBench(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
        let executable = try BuiltExecutables.url("semd-bench")
        return try await offPool { try Subprocess.run(executable, arguments, environment: environment, timeout: .seconds(300)) }
    }

    /// One JSON object of `output`'s standard output.
    func row(_ output: ProcessOutput) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        return try #require(object, "\(output)")
    }

    /// `--workload MP` times the codec on a real Embed response and request, each checked to survive
    /// its round trip, and reports their sizes and medians with the run's context.
    @Test func theCodecBenchmarkReportsBothMessages() async throws {
        let bench = try await semdBench(["bench", "--workload", "MP", "--runs", "1", "--json"])
        #expect(bench.status == 0, "\(bench)")
        let row = try row(bench)
        #expect(row["workload"] as? String == "MP" && row["runs"] as? Int == 40)
        #expect(row["embed_response_bytes"] as? Int == 492_324 && row["embed_request_bytes"] as? Int == 167_826, "\(row)")
        for key in ["response_encode_us", "response_decode_us", "request_encode_us", "request_decode_us", "sgemm_peak_gflops"] {
            #expect((row[key] as? Double ?? 0) > 0, "\(key)")
        }
        #expect(!(row["kernel"] as? String ?? "").isEmpty && (row["threads"] as? Int ?? 0) >= 1, "\(row)")
    }

    /// W4 times fresh child processes that load the model and embed one sentence; the row has no FLOP
    /// rate, so it takes the sgemm peak measured at the start, then the kernel and the threads, keys in
    /// report order.
    @Test func theColdStartWorkloadTimesFreshProcesses() async throws {
        let model = try Fixtures.requireRealEmbedder()
        let bench = try await semdBench(["bench", "--workload", "W4", "--threads", "1", "--json",
                                         "--models-dir", model.deletingLastPathComponent().path])
        #expect(bench.status == 0, "\(bench)")
        let keys = ["workload", "ms", "peak_rss_mb", "sgemm_peak_gflops", "kernel", "threads"]
        let positions = keys.compactMap { bench.standardOutput.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted(), "keys missing or out of order: \(bench)")
        let row = try row(bench)
        #expect(row.count == keys.count && row["workload"] as? String == "W4" && row["threads"] as? Int == 1, "\(row)")
        #expect((row["ms"] as? Double ?? 0) > 0 && (row["peak_rss_mb"] as? Double ?? 0) > 20, "\(row)")

        let missing = try await semdBench(["bench", "--workload", "W4", "--models-dir", model.path])
        #expect(missing.status == 1 && missing.standardError.contains("the cold-start child failed"), "\(missing)")
    }

    @Test func aWorkloadsFileWithoutAListIsRefusedNamingTheKey() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-bench-inputs")
        defer { scratch.remove() }
        let inputs = scratch.path("inputs.json")
        try Data(#"{"W1_query": "a query", "W2_sentences": ["one"]}"#.utf8).write(to: inputs)
        let bench = try await semdBench(["bench", "--workload", "MP", "--inputs", inputs.path])
        #expect(bench.status == 1 && bench.standardOutput.isEmpty, "\(bench)")
        #expect(bench.standardError.contains("semd-bench: error: \(inputs.path) is not a benchmark inputs file (no W3_docs)"), "\(bench)")
        #expect(bench.standardError.contains("hint: expected the keys W1_query, W2_sentences, W3_docs, W6_texts, CE_query, CE_docs"))

        try Data(#"{"W1_query": 3}"#.utf8).write(to: inputs)
        let wrongType = try await semdBench(["soak", "--inputs", inputs.path])
        #expect(wrongType.status == 1 && wrongType.standardError.contains("(W1_query has the wrong type)"), "\(wrongType)")

        let missing = try await semdBench(["bench", "--inputs", scratch.path("none.json").path])
        #expect(missing.status == 1 && missing.standardError.contains("cannot read the benchmark inputs"), "\(missing)")
    }

    @Test func anUnknownWorkloadOrNoRunsIsAUsageError() async throws {
        let unknown = try await semdBench(["bench", "--workload", "W9"])
        #expect(unknown.status == 2 && unknown.standardError.contains("W9"), "\(unknown)")
        let noRuns = try await semdBench(["bench", "--workload", "MP", "--runs", "0"])
        #expect(noRuns.status == 2 && noRuns.standardError.contains("--runs must be at least 1"), "\(noRuns)")
    }

    /// `semctl bench` measures the path semctl uses: in-process with --no-daemon, through a daemon it
    /// starts otherwise, and says which.
    @Test func theUsersBenchMeasuresThePathSemctlUses() async throws {
        try await DaemonSandbox.with { sandbox in
            let local = try await sandbox.run(["bench", "--no-daemon", "--runs", "3", "--json"])
            #expect(local.status == 0, "\(local)")
            let row = try row(local)
            #expect(row["served_by"] as? String == "in-process" && row["model"] as? String == "minilm-384", "\(row)")
            #expect(row["dimension"] as? Int == 384 && row["runs"] as? Int == 3 && row["batch_runs"] as? Int == 1, "\(row)")
            let p50 = row["query_p50_ms"] as? Double ?? 0, p99 = row["query_p99_ms"] as? Double ?? 0
            #expect(p50 > 0 && p99 >= p50 && (row["sentences_per_s"] as? Double ?? 0) > 0, "\(row)")
            #expect(sandbox.daemonProcesses().isEmpty, "--no-daemon started a daemon")

            let served = try await sandbox.run(["bench", "--runs", "3"])
            #expect(served.status == 0, "\(served)")
            let lines = served.standardOutput.split(separator: "\n")
            #expect(lines.count == 3 && lines[0].contains("served by the daemon at \(sandbox.paths.socket)"), "\(served)")
            #expect(lines[1].hasPrefix("one query:") && lines[1].contains("(3 calls)"), "\(served)")
            #expect(lines[2].hasPrefix("32 sentences:") && lines[2].contains("sentences/s (1 call)"), "\(served)")

            let invalid = try await sandbox.run(["bench", "--runs", "0"])
            #expect(invalid.status == 2 && invalid.standardError.contains("--runs must be at least 1"), "\(invalid)")
        }
    }
}
