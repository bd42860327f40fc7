// A measurement of the engine's two ways to run one linear layer's product on one thread, for the
// benchmarks (semd-bench's KP workload): PanelGemm from pre-packed panels, and OpenBLAS from the plain
// weight as BertEncoder calls it, on the same random x and W, alternated so that both see the same
// moment of a shared machine. Measures only; never part of an inference.
import CBLAS
import Foundation

public enum ProductProbe {
    /// GFLOP/s of y[M, N] = x[M, K] · Wᵀ + b on one thread, best of the alternated runs.
    public struct Rate: Sendable, Codable, Equatable {
        public let rows: Int, outputs: Int, inputs: Int
        public let panelGFLOPs: Double
        public let openBLASGFLOPs: Double
    }

    /// The products of one MiniLM-shaped layer (hidden 384, intermediate 1536): QKV, attention output,
    /// intermediate, output, as [outputs, inputs].
    public static let miniLMLayer: [(outputs: Int, inputs: Int)] = [(1152, 384), (384, 384), (1536, 384), (384, 1536)]

    /// Measures the product of `rows` rows for W [outputs, inputs]: `runs` alternated runs of each path,
    /// each run repeating the product for about `runMilliseconds`.
    public static func measure(rows m: Int, outputs n: Int, inputs k: Int, runs: Int = 7, runMilliseconds: Double = 20) -> Rate {
        BLASKernelSelection.ensureSelected()
        // any values do: the products' speed does not depend on them (none is subnormal)
        let x = (0..<(m * k)).map { _ in Float.random(in: -1..<1) }
        let weight = FloatTensor.build(shape: [n, k]) { values in
            for index in 0..<(n * k) { values[index] = Float.random(in: -1..<1) }
        }
        let bias = (0..<n).map { _ in Float.random(in: -1..<1) }
        let panels = FloatTensor.panels(packing: weight)
        var y = [Float](repeating: 0, count: m * n)
        let flops = 2.0 * Double(m * n * k)

        let panel = {
            x.withUnsafeBufferPointer { x in
                bias.withUnsafeBufferPointer { b in
                    y.withUnsafeMutableBufferPointer { y in
                        PanelGemm.linear(
                            x: x.baseAddress!, xStride: k, packed: panels.pointer, panels: 0..<PanelGemm.panelCount(outputs: n),
                            y: y.baseAddress!, yStride: n, rows: m, outputs: n, inputs: k, start: .bias(b.baseAddress!))
                    }
                }
            }
        }
        let blas = {
            x.withUnsafeBufferPointer { x in
                bias.withUnsafeBufferPointer { b in
                    y.withUnsafeMutableBufferPointer { y in
                        for row in 0..<m { (y.baseAddress! + row * n).update(from: b.baseAddress!, count: n) }
                        Gemm.linear(x: x.baseAddress!, xStride: k, weight: weight.pointer, weightStride: k,
                                    y: y.baseAddress!, yStride: n, rows: m, outputs: n, inputs: k, accumulate: true)
                    }
                }
            }
        }
        let previous = BLASRuntime.threads
        BLASRuntime.setThreads(1)
        defer { BLASRuntime.setThreads(previous) }
        // repetitions per run from one timed warm-up call of each
        let once = max(time(repetitions: 3, panel) / 3, time(repetitions: 3, blas) / 3, 1e-7)
        let repetitions = max(1, Int(runMilliseconds / 1000 / once))
        var bestPanel = 0.0, bestBLAS = 0.0
        for _ in 0..<max(1, runs) {
            bestPanel = max(bestPanel, flops * Double(repetitions) / time(repetitions: repetitions, panel) / 1e9)
            bestBLAS = max(bestBLAS, flops * Double(repetitions) / time(repetitions: repetitions, blas) / 1e9)
        }
        return Rate(rows: m, outputs: n, inputs: k, panelGFLOPs: bestPanel, openBLASGFLOPs: bestBLAS)
    }

    private static func time(repetitions: Int, _ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        for _ in 0..<repetitions { body() }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

extension ProductProbe {
    /// The register tile this build runs: "avx512", "avx2" or "portable" (PanelKernelTarget).
    public static var tile: String { PanelKernelTarget.name }
}
