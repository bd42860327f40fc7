// The engine workloads as a child process runs them (`semd-bench bench --child --workload W`): the
// in-process MiniLM (or the benchmark cross-encoder built from it) on the fixed texts, timed, its FLOP
// rate set against the sgemm peak measured beside each run. One workload per process, so the peak
// RSS measured is the workload's own.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport

struct EngineWorkloads {
    let inputs: BenchmarkInputs
    let root: ModelsRoot
    let threads: Int
    let runs: Int

    private var configuration: EngineConfiguration { EngineConfiguration(threads: threads) }

    private func miniLMDirectory() throws -> URL {
        do { return try root.installedDirectory(for: .miniLM) } catch {
            throw BenchmarkFailure("\(error)", hint: "run `make models`, or pass --models-dir")
        }
    }

    /// W1: one query embedded alone 200 times after 20 untimed calls.
    func latency() throws -> LatencyResult {
        let embedder = try Embedder.load(directory: try miniLMDirectory(), configuration: configuration)
        let query = [inputs.w1Query]
        let times = try Statistics.time(runs: 200, warmup: 20) { _ = try embedder.embed(query) }.map { $0 * 1000 }
        let tokens = embedder.tokenizer.encode(inputs.w1Query).ids.count
        let p50 = Statistics.median(times)
        return LatencyResult(p50Milliseconds: p50, p99Milliseconds: Statistics.percentile(times, 0.99),
                             tokensPerSecond: Double(tokens) / (p50 / 1000),
                             gflops: embedder.forwardFLOPs(tokenCounts: [tokens]) / (p50 / 1000) / 1e9,
                             peakResidentMegabytes: Double(ProcessResources.peakResidentBytes()) / 1_048_576)
    }

    /// W2 (32 sentences, 3× the runs), W3 (256 paragraphs) or W6 (512 mixed texts) in one call each.
    func throughput(_ workload: BenchCommand.Workload) throws -> ThroughputResult {
        let texts: [String]
        switch workload {
        case .w2: texts = inputs.w2Sentences
        case .w3: texts = inputs.w3Documents
        case .w6: texts = inputs.w6Texts
        default: throw BenchmarkFailure("\(workload.rawValue) is not a throughput workload")
        }
        let embedder = try Embedder.load(directory: try miniLMDirectory(), configuration: configuration)
        let tokenCounts = embedder.tokenizer.encode(texts).map(\.ids.count)
        let repeats = workload == .w2 ? runs * 3 : runs
        let timed = try SGEMMPeak.paired(runs: repeats, threads: threads, flops: embedder.forwardFLOPs(tokenCounts: tokenCounts)) {
            _ = try embedder.embed(texts)
        }
        let seconds = timed.medianSeconds
        let tokenizeSeconds = Statistics.median(Statistics.time(runs: repeats) { _ = embedder.tokenizer.encode(texts) })
        return ThroughputResult(workload: workload.rawValue, textsPerSecond: Double(texts.count) / seconds,
                                milliseconds: seconds * 1000, tokensPerSecond: Double(tokenCounts.reduce(0, +)) / seconds,
                                measuredRate: timed.rate, tokenizeMilliseconds: tokenizeSeconds * 1000,
                                tokenizePercent: 100 * tokenizeSeconds / seconds,
                                peakResidentMegabytes: timed.peakResidentMegabytes)
    }

    /// CE: the CE query against its documents on the cross-encoder built from MiniLM (`SeededCrossEncoder`).
    func rerank() throws -> RerankResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("semd-bench-ce-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try SeededCrossEncoder.write(from: try miniLMDirectory(), to: scratch)
        let crossEncoder = try CrossEncoder.load(directory: scratch, configuration: configuration)
        let pairs = inputs.ceDocuments.map { crossEncoder.tokenizer.encodePair(inputs.ceQuery, $0, maxLength: 512) }
        let flops = pairs.reduce(0.0) { $0 + crossEncoder.config.forwardFLOPs(sequenceLength: $1.ids.count) }
        let tokens = pairs.reduce(0) { $0 + $1.ids.count }
        let timed = try SGEMMPeak.paired(runs: runs * 3, warmup: 2, threads: threads, flops: flops) {
            _ = try crossEncoder.scores(query: inputs.ceQuery, documents: inputs.ceDocuments)
        }
        let seconds = timed.medianSeconds
        return RerankResult(milliseconds: seconds * 1000, pairsPerSecond: Double(pairs.count) / seconds,
                            tokensPerSecond: Double(tokens) / seconds, measuredRate: timed.rate,
                            peakResidentMegabytes: timed.peakResidentMegabytes)
    }

    /// W4's child: load the model as `semctl embed --no-daemon` does and embed one sentence. The
    /// short-lived in-process path maps the weights (the daemon's private copy costs ~60 ms more to
    /// load, and is not what W4 measures); the parent times the whole process.
    func coldStart() throws {
        var mapped = configuration
        mapped.weightStorage = .mapped
        let embedder = try Embedder.load(directory: try miniLMDirectory(), configuration: mapped)
        guard let vector = try embedder.embed([inputs.w1Query]).first, !vector.isEmpty else {
            throw BenchmarkFailure("the cold-start embedding came back empty")
        }
    }
}
