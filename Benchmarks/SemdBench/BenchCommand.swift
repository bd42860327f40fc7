// `semd-bench bench`: the fixed workloads (W1 latency, W2/W3/W6 throughput, CE rerank, W4 cold start)
// on the in-process engine, each in a fresh child process so its peak RSS is its own; the daemon
// workloads (RT, C8, JW, HT) against a semd it starts; MP, the codec alone. Medians of several runs,
// GFLOP/s against the measured sgemm peak, and the OpenBLAS kernel that ran; a table or JSON lines.
import ArgumentParser
import Foundation
import SemanticCore

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
          KP  one MiniLM layer's four linear products on one thread for 1, 10, 80, 128, 320, 512 rows: the
              panel kernel (pre-packed weights) against OpenBLAS on the same data, as GFLOP/s and %
              of a one-thread sgemm peak measured just before each row count

        RT, C8, JW and HT start their own semd (beside semd-bench) on a temporary socket.

        Each workload runs in a fresh child process, so the peak RSS reported is its own. GFLOP/s counts
        L·(21.23e6 + 9216·L) per text of L tokens and is compared with a 2048³ sgemm on the same thread
        count: for W2, W3, W6 and CE measured just before every timed run, each run divided by its own
        peak (% PEAK is the median of those shares; PEAK is the median peak), since on a shared machine
        the peak drifts within minutes; for W1, the peak measured at the start. The OpenBLAS kernel
        reported is the one that ran: a generic fallback is switched to the CPU's own (set
        OPENBLAS_CORETYPE to compare kernels).

        Examples:
          semd-bench bench                       # every engine workload, as a table
          semd-bench bench --workload W3 --json  # one JSON object per line
          env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE semd-bench bench
        """
    )

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case w1 = "W1", w2 = "W2", w3 = "W3", w6 = "W6", ce = "CE", w4 = "W4", roundTrip = "RT", concurrent = "C8"
        case jobLatency = "JW", http = "HT", wire = "MP", kernelProbe = "KP", all

        init?(argument: String) { self.init(rawValue: argument.uppercased() == "ALL" ? "all" : argument.uppercased()) }

        /// The workloads `all` stands for: the engine's.
        static let engine: [Workload] = [.w1, .w2, .w3, .w6, .ce, .w4]
    }

    @OptionGroup var locations: BenchmarkLocations
    @Option(help: "W1, W2, W3, W6, CE, W4, RT, C8, JW, HT, MP, KP or all (all = the engine workloads W1…W4).") var workload: Workload = .all
    @Option(help: "Engine threads (default: all cores).") var threads: Int?
    @Option(help: "Timed runs for W2/W3/W6/CE/W4 (default 5; W2 and CE use 3× as many, MP 40×).") var runs: Int = 5
    @Flag(help: "One JSON object per workload per line.") var json = false
    @Flag(help: .hidden) var child = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        BLASKernelSelection.ensureSelected()
        let inputs = try locations.loadInputs()
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        if child {
            try runInChild(EngineWorkloads(inputs: inputs, root: locations.root, threads: threadCount, runs: runs))
            return
        }
        let selected = workload == .all ? Workload.engine : [workload]
        BLASRuntime.setThreads(threadCount)
        let peak = SGEMMPeak.measure()
        let kernel = BLASRuntime.coreName
        var table = TextTable(columns: BenchmarkRow.columns, rightAligned: [1, 2, 3, 4, 5, 6])
        for item in selected {
            let daemonWorkloads = DaemonWorkloads(inputs: inputs, root: locations.root, threads: threadCount)
            let result: any WorkloadResult
            switch item {
            case .w1: result = try resultOfChild(LatencyResult.self, item, threads: threadCount)
            case .w2, .w3, .w6: result = try resultOfChild(ThroughputResult.self, item, threads: threadCount)
            case .ce: result = try resultOfChild(RerankResult.self, item, threads: threadCount)
            case .w4: result = try coldStart()
            case .roundTrip: result = try daemonWorkloads.roundTrip()
            case .concurrent: result = try daemonWorkloads.concurrentClients(sgemmPeak: peak)
            case .jobLatency: result = try daemonWorkloads.latencyDuringJob()
            case .http: result = try daemonWorkloads.httpAgainstSocket()
            case .wire: result = try CodecWorkload(inputs: inputs, runs: runs * 40).run()
            case .kernelProbe: result = KernelProbeWorkload.run()
            case .all: throw BenchmarkFailure("`all` is not one workload")
            }
            let row = BenchmarkRow(result: result, startPeak: peak, kernel: kernel, threads: threadCount)
            if json { print(row.jsonLine) } else { table.add(row.cells) }
        }
        if !json {
            print("OpenBLAS kernel \(kernel), \(threadCount) threads, sgemm peak at the start \(String(format: "%.0f", peak)) GFLOP/s\n")
            print(table.render())
        }
    }

    /// The child's side: one engine workload, its result as one JSON line for the parent.
    private func runInChild(_ engine: EngineWorkloads) throws {
        let result: any WorkloadResult
        switch workload {
        case .w1: result = try engine.latency()
        case .w2, .w3, .w6: result = try engine.throughput(workload)
        case .ce: result = try engine.rerank()
        case .w4:
            try engine.coldStart()
            return
        default: throw BenchmarkFailure("a child runs one engine workload, not \(workload.rawValue)")
        }
        print(String(decoding: try ChildResultCoding.encoder.encode(result), as: UTF8.self))
    }

    /// The arguments a child needs to find what this process found.
    private var childLocationArguments: [String] {
        var arguments = ["--inputs", locations.inputsURL.path]
        if let directory = locations.modelsDir { arguments += ["--models-dir", directory] }
        return arguments
    }

    /// Runs one workload in a fresh `semd-bench bench --child` process and decodes its result.
    private func resultOfChild<Result: WorkloadResult>(_ type: Result.Type, _ item: Workload, threads: Int) throws -> Result {
        let child = try ChildRun.runSelf(["bench", "--child", "--workload", item.rawValue, "--threads", String(threads),
                                          "--runs", String(runs)] + childLocationArguments)
        guard child.status == 0 else {
            throw BenchmarkFailure("the \(item.rawValue) benchmark failed (exit \(child.status))",
                                   hint: child.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let line = child.standardOutput.split(separator: "\n").last,
              let result = try? ChildResultCoding.decoder.decode(Result.self, from: Data(line.utf8)) else {
            throw BenchmarkFailure("the \(item.rawValue) benchmark printed no result", hint: child.standardOutput)
        }
        return result
    }

    /// W4: fresh processes that load the model, embed one sentence and exit (at least three).
    private func coldStart() throws -> ColdStartResult {
        var times: [Double] = []
        var peakResident = 0.0
        for _ in 0..<max(runs, 3) {
            let child = try ChildRun.runSelf(["bench", "--child", "--workload", "W4"] + childLocationArguments)
            guard child.status == 0 else {
                throw BenchmarkFailure("the cold-start child failed (exit \(child.status))",
                                       hint: child.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            times.append(child.wallSeconds * 1000)
            peakResident = max(peakResident, child.peakResidentMegabytes)
        }
        return ColdStartResult(milliseconds: Statistics.median(times), peakResidentMegabytes: peakResident)
    }
}

/// How a child hands its result to the parent: JSON with the results' own property names, numbers
/// that are not finite spelled out.
enum ChildResultCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
