// `semctl bench`: the fixed workloads (W1 latency, W2/W3/W6 throughput, CE rerank, W4 cold start)
// on the in-process engine, each in a fresh child process so its peak RSS is its own; medians of
// several runs, GFLOP/s against the measured sgemm peak, and the OpenBLAS kernel that ran.
import ArgumentParser
import Foundation
import SemanticCore
import SemanticRuntime

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine on the standard workloads (medians of several runs).",
        discussion: """
        Workloads (Tests/Fixtures/bench/bench_inputs.json):
          W1  one 10-token query, embedded alone 200 times after warm-up: p50/p99 latency
          W2  32 sentences of 20 tokens in one call: sentences/s
          W3  256 paragraphs of 128 tokens in one call: sentences/s
          W6  512 texts of mixed length (truncated at 256), in arrival order: texts/s
          CE  one query against 50 documents on a MiniLM-L6-shaped cross-encoder: ms per rerank
          W4  cold start: a fresh process loads the model, embeds one sentence and exits: wall time
          RT  one-text Embed through a real semd against the same call in-process: overhead (p50),
              interleaved (400 pairs of one call each, the median difference), paced (2 ms idle
              before every call on both sides, as a client's calls come) and back to back
          C8  8 concurrent clients sending W1 queries to one semd against one client: throughput;
              also the 8 queries as one in-process batch (the engine's ceiling) and the most any
              batching could give if that batch ran at the sgemm peak measured in the same run
          JW  W1 latency through semd while a MiniLM job embeds a 2,000-message archive, against idle
          HT  W1 through one semd over HTTP (OpenAI /v1/embeddings) against its Unix socket: p50/p99
              latency of one client, and q/s of 8 concurrent clients on each
          MP  the MessagePack codec alone: an Embed response of 256×384 floats encoded as a frame,
              split off a stream and decoded; an Embed request of W3's 256 paragraphs the same way

        RT, C8, JW and HT start their own semd (beside semctl) on a temporary socket.

        Each workload runs in a fresh child process, so the peak RSS reported is its own. GFLOP/s counts
        L·(21.23e6 + 9216·L) per text of L tokens and is compared with a 2048³ sgemm on the same thread
        count: for W2, W3, W6 and CE measured just before every timed run, each run divided by its own
        peak (% PEAK is the median of those shares; PEAK is the median peak), since on a shared machine
        the peak drifts within minutes; for W1, the peak measured at the start. The OpenBLAS kernel
        reported is the one that ran: a generic fallback is switched to the CPU's own (set
        OPENBLAS_CORETYPE to compare kernels).

        Examples:
          semctl bench                       # every workload, as a table
          semctl bench --workload W3 --json  # one JSON object per line
          env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE semctl bench
        """
    )

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case w1 = "W1", w2 = "W2", w3 = "W3", w6 = "W6", ce = "CE", w4 = "W4", roundTrip = "RT", concurrent = "C8", jobLatency = "JW", http = "HT", wire = "MP", all

        init?(argument: String) { self.init(rawValue: argument.uppercased() == "ALL" ? "all" : argument.uppercased()) }
    }

    @OptionGroup var location: ModelLocationOptions
    @Option(help: "W1, W2, W3, W6, CE, W4, RT, C8, JW, HT, MP or all (all = the engine workloads W1…W4).") var workload: Workload = .all
    @Option(help: ArgumentHelp("The workloads file (default: the repository's bench_inputs.json).", valueName: "path"))
    var inputs: String?
    @Option(help: "Engine threads (default: all cores).") var threads: Int?
    @Option(help: "Timed runs for W2/W3/W6/CE/W4 (default 5; W2 and CE use 3× as many, MP 40×).") var runs: Int = 5
    @Flag(help: "One JSON object per workload per line.") var json = false
    @Flag(help: .hidden) var child = false

    func run() throws {
        BLASKernelSelection.ensureSelected()
        guard let inputsURL = inputs.map({ URL(fileURLWithPath: $0) }) ?? BenchmarkInputs.defaultURL() else {
            throw CommandFailure("cannot find bench_inputs.json", hint: "pass --inputs PATH")
        }
        let benchmarkInputs = try BenchmarkInputs(contentsOf: inputsURL)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        if child {
            let result = try BenchmarkRunner(inputs: benchmarkInputs, root: location.root, threads: threadCount, runs: runs)
                .run(workload)
            print(result.text)
            return
        }
        let selected: [Workload] = workload == .all ? [.w1, .w2, .w3, .w6, .ce, .w4] : [workload]
        BLASRuntime.setThreads(threadCount)
        let peak = SGEMMPeak.measure()
        let kernel = BLASRuntime.coreName
        var rows: [[(String, JSONValue)]] = []
        for item in selected {
            let daemonBenchmark = DaemonBenchmark(inputs: benchmarkInputs, root: location.root, threads: threadCount)
            var fields: [(String, JSONValue)]
            switch item {
            case .w4: fields = try coldStart(inputs: benchmarkInputs)
            case .roundTrip: fields = try daemonBenchmark.roundTrip()
            case .concurrent: fields = try daemonBenchmark.concurrentClients(sgemmPeak: peak)
            case .jobLatency: fields = try daemonBenchmark.latencyDuringJob()
            case .http: fields = try daemonBenchmark.httpAgainstSocket()
            case .wire: fields = try WireBenchmark(inputs: benchmarkInputs, runs: runs * 40).run()
            default: fields = try runChild(item, inputsURL: inputsURL, threads: threadCount)
            }
            // throughput workloads divide each run by the peak measured just before it (`SGEMMPeak.paired`);
            // the others (W1) are set against the peak measured at the start
            if numericField(fields, "percent_of_peak") == nil, let gflops = numericField(fields, "gflops") {
                fields.append(("percent_of_peak", .double(100 * gflops / peak)))
            }
            if numericField(fields, "sgemm_peak_gflops") == nil { fields.append(("sgemm_peak_gflops", .double(peak))) }
            fields.append(("kernel", .string(kernel)))
            fields.append(("threads", .int(threadCount)))
            rows.append(fields)
            if json { print(JSONValue.object(fields).text) }
        }
        if !json { printTable(rows, peak: peak, kernel: kernel, threads: threadCount) }
    }

    /// Runs one workload in a fresh `semctl bench --child` process and reads its JSON line.
    private func runChild(_ item: Workload, inputsURL: URL, threads: Int) throws -> [(String, JSONValue)] {
        var arguments = ["bench", "--child", "--workload", item.rawValue, "--inputs", inputsURL.path,
                         "--threads", String(threads), "--runs", String(runs)]
        if let directory = location.modelsDir { arguments += ["--models-dir", directory] }
        let (output, _, status, _) = try runSelf(arguments)
        guard status == 0, let line = output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw CommandFailure("the \(item.rawValue) benchmark failed (exit \(status))", hint: output)
        }
        let order = ["workload", "p50_ms", "p99_ms", "texts_per_s", "ms", "pairs_per_s", "tokens_per_s", "gflops",
                     "percent_of_peak", "sgemm_peak_gflops", "tokenize_ms", "tokenize_percent", "peak_rss_mb"]
        return order.compactMap { key in
            guard let value = object[key] else { return nil }
            if let text = value as? String { return (key, .string(text)) }
            return (key, .double((value as? NSNumber)?.doubleValue ?? Double.nan))
        }
    }

    /// W4: fresh processes that load the model, embed one sentence and exit.
    private func coldStart(inputs: BenchmarkInputs) throws -> [(String, JSONValue)] {
        var arguments = ["bench", "--child", "--workload", "W4"]
        if let directory = location.modelsDir { arguments += ["--models-dir", directory] }
        var times: [Double] = []
        var peakRSS = 0.0
        for _ in 0..<max(runs, 3) {
            let (output, _, status, usage) = try runSelf(arguments)
            guard status == 0 else { throw CommandFailure("the cold-start child failed (exit \(status))", hint: output) }
            times.append(usage.wallSeconds * 1000)
            peakRSS = max(peakRSS, usage.peakRSSMegabytes)
        }
        return [("workload", .string("W4")), ("ms", .double(Statistics.median(times))), ("peak_rss_mb", .double(peakRSS))]
    }

    private func printTable(_ rows: [[(String, JSONValue)]], peak: Double, kernel: String, threads: Int) {
        print("OpenBLAS kernel \(kernel), \(threads) threads, sgemm peak at the start \(String(format: "%.0f", peak)) GFLOP/s\n")
        let table = TextTable(columns: ["WORKLOAD", "RESULT", "TOKENS/S", "GFLOP/S", "% PEAK", "PEAK", "PEAK RSS"],
                              rightAligned: [1, 2, 3, 4, 5, 6])
        for row in rows {
            let workloadName = stringField(row, "workload") ?? "?"
            let p50 = numericField(row, "p50_ms") ?? Double.nan
            let p99 = numericField(row, "p99_ms") ?? Double.nan
            let milliseconds = numericField(row, "ms") ?? Double.nan
            let pairsPerSecond = numericField(row, "pairs_per_s") ?? Double.nan
            let textsPerSecond = numericField(row, "texts_per_s") ?? Double.nan
            let summary: String
            switch workloadName {
            case "W1": summary = String(format: "p50 %.2f ms, p99 %.2f ms", p50, p99)
            case "CE": summary = String(format: "%.1f ms (%.0f pairs/s)", milliseconds, pairsPerSecond)
            case "W4": summary = String(format: "%.0f ms", milliseconds)
            case "RT": summary = String(format: "interleaved +%.3f ms; paced +%.3f ms (daemon p50 %.2f ms, in-process %.2f ms, %.0f ms idle before each); back to back +%.3f ms (%.2f vs %.2f ms); Health %.3f ms",
                                        numericField(row, "interleaved_overhead_ms") ?? Double.nan,
                                        numericField(row, "paced_overhead_ms") ?? Double.nan,
                                        numericField(row, "paced_daemon_p50_ms") ?? Double.nan,
                                        numericField(row, "paced_in_process_p50_ms") ?? Double.nan,
                                        numericField(row, "pace_ms") ?? Double.nan,
                                        numericField(row, "overhead_ms") ?? Double.nan,
                                        numericField(row, "daemon_p50_ms") ?? Double.nan,
                                        numericField(row, "in_process_p50_ms") ?? Double.nan,
                                        numericField(row, "health_p50_ms") ?? Double.nan)
            case "JW": summary = String(format: "W1 p50 %.2f ms during a job vs %.2f ms idle (%.1f×); job %.0f docs/s",
                                        numericField(row, "during_job_p50_ms") ?? Double.nan,
                                        numericField(row, "idle_p50_ms") ?? Double.nan,
                                        numericField(row, "latency_ratio") ?? Double.nan,
                                        numericField(row, "job_docs_per_s") ?? Double.nan)
            case "HT": summary = String(format: "HTTP p50 %.2f ms vs socket %.2f ms; 8 clients %.0f vs %.0f q/s",
                                        numericField(row, "http_p50_ms") ?? Double.nan,
                                        numericField(row, "socket_p50_ms") ?? Double.nan,
                                        numericField(row, "http_all_clients_qps") ?? Double.nan,
                                        numericField(row, "socket_all_clients_qps") ?? Double.nan)
            case "C8": summary = String(format: "%.0f q/s vs %.0f q/s alone (%.2f×; engine ceiling %.0f q/s, %.2f×; at sgemm peak ≤ %.2f×)",
                                        numericField(row, "all_clients_qps") ?? Double.nan,
                                        numericField(row, "one_client_qps") ?? Double.nan,
                                        numericField(row, "speedup") ?? Double.nan,
                                        numericField(row, "engine_ceiling_qps") ?? Double.nan,
                                        numericField(row, "engine_ceiling_speedup") ?? Double.nan,
                                        numericField(row, "speedup_bound_at_sgemm_peak") ?? Double.nan)
            case "MP": summary = String(format: "Embed response 256×384 (%.0f kB): encode %.0f µs, decode %.0f µs; request of 256 texts (%.0f kB): encode %.0f µs, decode %.0f µs",
                                        (numericField(row, "embed_response_bytes") ?? Double.nan) / 1000,
                                        numericField(row, "response_encode_us") ?? Double.nan,
                                        numericField(row, "response_decode_us") ?? Double.nan,
                                        (numericField(row, "embed_request_bytes") ?? Double.nan) / 1000,
                                        numericField(row, "request_encode_us") ?? Double.nan,
                                        numericField(row, "request_decode_us") ?? Double.nan)
            default: summary = String(format: "%.1f texts/s", textsPerSecond)
            }
            let cells: [String] = [
                workloadName, summary,
                formatted(numericField(row, "tokens_per_s"), "%.0f"),
                formatted(numericField(row, "gflops"), "%.1f"),
                formatted(numericField(row, "percent_of_peak"), "%.0f%%"),
                numericField(row, "gflops") == nil ? "" : formatted(numericField(row, "sgemm_peak_gflops"), "%.0f"),
                formatted(numericField(row, "peak_rss_mb"), "%.0f MB"),
            ]
            table.add(cells)
        }
        print(table.render())
    }
}

/// The text stored under `key` in a result row.
private func stringField(_ row: [(String, JSONValue)], _ key: String) -> String? {
    for (name, value) in row where name == key {
        if case .string(let text) = value { return text }
    }
    return nil
}

/// `value` printed with `format`, or an empty cell.
private func formatted(_ value: Double?, _ format: String) -> String {
    guard let value else { return "" }
    return String(format: format, value)
}

/// The number stored under `key` in a result row.
private func numericField(_ row: [(String, JSONValue)], _ key: String) -> Double? {
    for (name, value) in row where name == key {
        if case .double(let found) = value { return found }
        if case .int(let found) = value { return Double(found) }
    }
    return nil
}

/// Wall time and peak RSS of a finished child process.
struct ChildUsage {
    let wallSeconds: Double
    let peakRSSMegabytes: Double
}

/// Runs this executable with `arguments`; returns stdout, stderr, exit status and usage.
func runSelf(_ arguments: [String]) throws -> (String, String, Int32, ChildUsage) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let start = ContinuousClock.now
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let wall = (ContinuousClock.now - start).seconds
    return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self),
            process.terminationStatus, ChildUsage(wallSeconds: wall, peakRSSMegabytes: childrenPeakRSSMegabytes()))
}

/// The largest peak RSS among the children waited for so far (Linux reports kilobytes).
func childrenPeakRSSMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
    #else
    getrusage(RUSAGE_CHILDREN, &usage)
    return Double(usage.ru_maxrss) / 1_048_576
    #endif
}

/// The workloads themselves, run inside the child process.
struct BenchmarkRunner {
    let inputs: BenchmarkInputs
    let root: ModelsRoot
    let threads: Int
    let runs: Int

    func run(_ workload: BenchCommand.Workload) throws -> JSONValue {
        let configuration = EngineConfiguration(threads: threads)
        let modelDirectory = try root.installedDirectory(for: .miniLM)
        switch workload {
        case .w4:
            // as `semctl embed --no-daemon` loads it: the short-lived in-process path maps the
            // weights (the daemon's private copy costs ~60 ms more to load, and is not what W4 measures)
            var mapped = configuration
            mapped.weightStorage = .mapped
            let embedder = try Embedder.load(directory: modelDirectory, configuration: mapped)
            let vector = try embedder.embed([inputs.w1Query])
            return JSONValue.object([("workload", .string("W4")), ("dimension", .int(vector.first?.count ?? 0))])
        case .ce:
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("semd-bench-ce-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            try BenchmarkCrossEncoder.write(from: modelDirectory, to: scratch)
            let crossEncoder = try CrossEncoder.load(directory: scratch, configuration: configuration)
            let pairs = inputs.ceDocuments.map { crossEncoder.tokenizer.encodePair(inputs.ceQuery, $0, maxLength: 512) }
            let flops = pairs.reduce(0.0) { $0 + crossEncoder.config.forwardFLOPs(sequenceLength: $1.ids.count) }
            let tokens = pairs.reduce(0) { $0 + $1.ids.count }
            let timed = try SGEMMPeak.paired(runs: runs * 3, warmup: 2, threads: threads, flops: flops) {
                _ = try crossEncoder.scores(query: inputs.ceQuery, documents: inputs.ceDocuments)
            }
            let seconds = timed.medianSeconds
            return JSONValue.object([("workload", .string("CE")), ("ms", .double(seconds * 1000)),
                            ("pairs_per_s", .double(Double(pairs.count) / seconds)),
                            ("tokens_per_s", .double(Double(tokens) / seconds))] + timed.fields +
                            [("peak_rss_mb", .double(timed.peakResidentMegabytes))])
        case .w1:
            let embedder = try Embedder.load(directory: modelDirectory, configuration: configuration)
            let query = [inputs.w1Query]
            let times = try Statistics.time(runs: 200, warmup: 20) { _ = try embedder.embed(query) }.map { $0 * 1000 }
            let tokens = embedder.tokenizer.encode(inputs.w1Query).ids.count
            let p50 = Statistics.median(times)
            return JSONValue.object([("workload", .string("W1")), ("p50_ms", .double(p50)),
                            ("p99_ms", .double(Statistics.percentile(times, 0.99))),
                            ("tokens_per_s", .double(Double(tokens) / (p50 / 1000))),
                            ("gflops", .double(embedder.forwardFLOPs(tokenCounts: [tokens]) / (p50 / 1000) / 1e9)),
                            ("peak_rss_mb", .double(Double(ProcessResources.peakResidentBytes()) / 1_048_576))])
        case .w2, .w3, .w6:
            let embedder = try Embedder.load(directory: modelDirectory, configuration: configuration)
            let texts = workload == .w2 ? inputs.w2Sentences : (workload == .w3 ? inputs.w3Documents : inputs.w6Texts)
            let encodings = embedder.tokenizer.encode(texts)
            let tokenCounts = encodings.map(\.ids.count)
            let flops = embedder.forwardFLOPs(tokenCounts: tokenCounts)
            let repeats = workload == .w2 ? runs * 3 : runs
            let timed = try SGEMMPeak.paired(runs: repeats, threads: threads, flops: flops) { _ = try embedder.embed(texts) }
            let seconds = timed.medianSeconds
            let tokenizeSeconds = Statistics.median(Statistics.time(runs: repeats) { _ = embedder.tokenizer.encode(texts) })
            return JSONValue.object([("workload", .string(workload.rawValue)), ("texts_per_s", .double(Double(texts.count) / seconds)),
                            ("ms", .double(seconds * 1000)),
                            ("tokens_per_s", .double(Double(tokenCounts.reduce(0, +)) / seconds))] + timed.fields +
                            [("tokenize_ms", .double(tokenizeSeconds * 1000)),
                            ("tokenize_percent", .double(100 * tokenizeSeconds / seconds)),
                            ("peak_rss_mb", .double(timed.peakResidentMegabytes))])
        case .all, .roundTrip, .concurrent, .jobLatency, .http, .wire:
            throw CommandFailure("a child runs one engine workload")
        }
    }
}
