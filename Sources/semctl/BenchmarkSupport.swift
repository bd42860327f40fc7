// What `semctl bench` measures with: the workload file, medians and percentiles, peak RSS, the
// machine's measured sgemm peak, and the benchmark cross-encoder (the MiniLM encoder plus a seeded
// pooler and classifier, written to a temporary safetensors file). Benchmark-only code.
import CBLAS
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
    /// GFLOP/s of a large single-precision GEMM (2048³, the best of several runs) with the current
    /// OpenBLAS thread count: the ceiling the engine's matmuls can reach on this machine.
    static func measure() -> Double {
        let n = 2048
        let a = [Float](repeating: 0.5, count: n * n)
        let b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = 0.0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b,
                        Int32(n), 0, &c, Int32(n))
            let seconds = (ContinuousClock.now - start).seconds
            best = max(best, 2 * Double(n * n * n) / seconds / 1e9)
        }
        return best
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
