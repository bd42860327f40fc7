// What `semctl bench` measures with: the workload file, medians and percentiles, peak RSS, the
// machine's measured sgemm peak, and the benchmark cross-encoder (the MiniLM encoder plus a seeded
// pooler and classifier, written to a temporary safetensors file). Benchmark-only code.
import CBLAS
import SemanticCore
import Foundation
import SemanticRuntime

/// The fixed workloads of bench_inputs.json.
struct BenchmarkInputs {
    let w1Query: String
    let w2Sentences: [String]
    let w3Documents: [String]
    let w6Texts: [String]
    let ceQuery: String
    let ceDocuments: [String]

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let w1 = json["W1_query"] as? String, let w2 = json["W2_sentences"] as? [String],
              let w3 = json["W3_docs"] as? [String], let w6 = json["W6_texts"] as? [String],
              let ceQuery = json["CE_query"] as? String, let ceDocs = json["CE_docs"] as? [String] else {
            throw CommandFailure("\(url.path) is not a benchmark inputs file",
                                 hint: "expected the keys W1_query, W2_sentences, W3_docs, W6_texts, CE_query, CE_docs")
        }
        w1Query = w1
        w2Sentences = w2
        w3Documents = w3
        w6Texts = w6
        self.ceQuery = ceQuery
        ceDocuments = ceDocs
    }

    /// `Tests/Fixtures/bench/bench_inputs.json` of the repository semctl was built in.
    static func defaultURL() -> URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Tests/Fixtures/bench/bench_inputs.json")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}

enum Statistics {
    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    /// Nearest-rank percentile.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Runs `body` `warmup` times untimed, then `runs` times; returns the durations in seconds.
    /// `pause` (untimed) before each run: calls that each follow an idle gap, as a client's do.
    static func time(runs: Int, warmup: Int = 1, pause: Duration? = nil, _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var seconds: [Double] = []
        for _ in 0..<runs {
            if let pause { Thread.sleep(forTimeInterval: pause.seconds) }
            let start = ContinuousClock.now
            try body()
            seconds.append((ContinuousClock.now - start).seconds)
        }
        return seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

enum SGEMMPeak {
    /// GFLOP/s of a large single-precision GEMM (2048³, the best of `runs`) on `threads` OpenBLAS
    /// threads: the ceiling the engine's matmuls can reach on this machine. Leaves OpenBLAS on
    /// the thread count it found.
    static func measure(threads: Int = BLASRuntime.threads, runs: Int = 5) -> Double {
        let n = 2048
        let a = [Float](repeating: 0.5, count: n * n)
        let b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        BLASKernelSelection.ensureSelected()
        let previous = BLASRuntime.threads
        BLASRuntime.setThreads(threads)
        defer { BLASRuntime.setThreads(previous) }
        var best = 0.0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b,
                        Int32(n), 0, &c, Int32(n))
            let seconds = (ContinuousClock.now - start).seconds
            best = max(best, 2 * Double(n * n * n) / seconds / 1e9)
        }
        return best
    }

    /// Times `body` as `Statistics.time` does, measuring the sgemm peak (best of two) right before
    /// every timed run. On a shared machine the peak drifts by 2× within minutes; a share of peak is
    /// only meaningful against the peak of the same moment, so each run is divided by its own.
    /// OpenBLAS's threads spin for a while after a call, so a short rest separates the two.
    static func paired(
        runs: Int, warmup: Int = 1, threads: Int, flops: Double, _ body: () throws -> Void
    ) rethrows -> PairedRuns {
        for _ in 0..<warmup { try body() }
        var seconds: [Double] = [], peaks: [Double] = []
        var peakResident = ProcessResources.peakResidentBytes()
        for _ in 0..<runs {
            peaks.append(measure(threads: threads, runs: 2))
            // the probe's three 16 MB matrices are freed by now: keep them out of the workload's peak RSS
            resetPeakResident()
            Thread.sleep(forTimeInterval: 0.2)
            let start = ContinuousClock.now
            try body()
            seconds.append((ContinuousClock.now - start).seconds)
            peakResident = max(peakResident, ProcessResources.peakResidentBytes())
        }
        return PairedRuns(seconds: seconds, peaks: peaks, flops: flops, peakResidentBytes: peakResident)
    }

    /// Restarts the kernel's peak-RSS count from the current RSS (Linux: "5" to /proc/self/clear_refs,
    /// which getrusage's ru_maxrss reads). Elsewhere a no-op, and the probe's matrices stay counted.
    private static func resetPeakResident() {
        #if os(Linux)
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return }
        _ = write(descriptor, "5", 1)
        close(descriptor)
        #endif
    }
}

/// Timed runs of a workload, each with the sgemm peak measured just before it.
struct PairedRuns {
    let seconds: [Double]
    let peaks: [Double]
    let flops: Double
    /// The peak RSS of loading, warm-up and the timed runs, without the sgemm probe's matrices.
    let peakResidentBytes: UInt64

    var medianSeconds: Double { Statistics.median(seconds) }
    var medianPeak: Double { Statistics.median(peaks) }
    /// The median over runs of (that run's GFLOP/s ÷ the peak measured just before it), in percent.
    var percentOfPeak: Double {
        Statistics.median(zip(seconds, peaks).map { 100 * flops / $0 / 1e9 / $1 })
    }

    /// The workload's peak RSS in MB, counting also what ran after the last timed run.
    var peakResidentMegabytes: Double {
        Double(max(peakResidentBytes, ProcessResources.peakResidentBytes())) / 1_048_576
    }

    /// The JSON fields every throughput workload reports about its FLOP rate.
    var fields: [(String, JSONValue)] {
        [("gflops", .double(flops / medianSeconds / 1e9)), ("percent_of_peak", .double(percentOfPeak)),
         ("sgemm_peak_gflops", .double(medianPeak))]
    }
}

/// Writes the benchmark cross-encoder: every encoder tensor of a MiniLM folder under a `bert.` prefix,
/// plus a seeded pooler ([C, C] + [C]) and classifier ([1, C] + [1]), and the tokenizer files. The
/// generator is a 64-bit LCG (Knuth's constants), identical to the peers' script, so both benchmark
/// the same weights.
enum BenchmarkCrossEncoder {
    static func write(from modelDirectory: URL, to destination: URL) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: destination, withIntermediateDirectories: true)
        let source = try Data(contentsOf: modelDirectory.appendingPathComponent("model.safetensors"), options: .alwaysMapped)
        let headerLength = source.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard let header = try JSONSerialization.jsonObject(with: source.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        else { throw CommandFailure("cannot read the safetensors header of \(modelDirectory.path)") }
        let body = source.subdata(in: (8 + headerLength)..<source.count)

        var entries: [String: Any] = [:]
        for (name, value) in header where name != "__metadata__" && !name.hasPrefix("pooler.") {
            entries["bert." + name] = value
        }
        var appended = Data()
        let hidden = 384
        func add(_ name: String, shape: [Int], seed: UInt64) {
            let count = shape.reduce(1, *)
            var values = lcgFloats(seed: seed, count: count, scale: 0.05)
            let start = body.count + appended.count
            values.withUnsafeMutableBytes { appended.append(contentsOf: $0) }
            entries[name] = ["dtype": "F32", "shape": shape, "data_offsets": [start, start + count * 4]]
        }
        add("bert.pooler.dense.weight", shape: [hidden, hidden], seed: 1)
        add("bert.pooler.dense.bias", shape: [hidden], seed: 2)
        add("classifier.weight", shape: [1, hidden], seed: 3)
        add("classifier.bias", shape: [1], seed: 4)

        var headerData = try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
        var output = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(headerData)
        output.append(body)
        output.append(appended)
        try output.write(to: destination.appendingPathComponent("model.safetensors"))

        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: modelDirectory.appendingPathComponent("config.json")))
            as? [String: Any] ?? [:]
        config["architectures"] = ["BertForSequenceClassification"]
        config["num_labels"] = 1
        config["id2label"] = ["0": "LABEL_0"]
        config["label2id"] = ["LABEL_0": 0]
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
            .write(to: destination.appendingPathComponent("config.json"))
        for file in ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            let from = modelDirectory.appendingPathComponent(file)
            let to = destination.appendingPathComponent(file)
            if fileManager.fileExists(atPath: from.path) && !fileManager.fileExists(atPath: to.path) {
                try fileManager.copyItem(at: from, to: to)
            }
        }
    }

    /// Uniform floats in [-scale, scale), computed in double precision and rounded once, as the
    /// peers' script does.
    static func lcgFloats(seed: UInt64, count: Int, scale: Double) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(state >> 40) / Double(1 << 24)
            return Float((unit * 2 - 1) * scale)
        }
    }
}
