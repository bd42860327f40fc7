// Kernels against double-precision references: vectorised exp and erf, GELU, softmax, LayerNorm,
// pooling and the parallel splitting helpers. Max errors are printed.
import Foundation
import Synchronization
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct KernelTests {
    /// Applies a vector function to scalars 8 at a time.
    func map(_ xs: [Float], _ f: (FloatVector) -> FloatVector) -> [Float] {
        var out: [Float] = []
        var i = 0
        while i < xs.count {
            var v = FloatVector()
            for lane in 0..<8 where i + lane < xs.count { v[lane] = xs[i + lane] }
            let y = f(v)
            for lane in 0..<8 where i + lane < xs.count { out.append(y[lane]) }
            i += 8
        }
        return out
    }

    @Test func expRelativeError() {
        let xs = stride(from: -87.0, through: 0.0, by: 0.000_37).map { Float($0) } + [-100, -.infinity]
        let ys = map(xs, VectorMath.exp)
        var worst = 0.0
        for (x, y) in zip(xs.dropLast(2), ys) {
            let reference = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - reference) / reference)
        }
        print("exp: max relative error \(worst) on [-87, 0]")
        #expect(worst < 3e-7)
        #expect(ys.suffix(2).allSatisfy { $0 >= 0 && $0 < 1e-37 })
    }

    @Test func erfAbsoluteError() {
        let xs = stride(from: -6.0, through: 6.0, by: 0.000_11).map { Float($0) }
        let ys = map(xs, VectorMath.erf)
        var worst = 0.0
        for (x, y) in zip(xs, ys) { worst = max(worst, abs(Double(y) - Foundation.erf(Double(x)))) }
        print("erf: max abs error \(worst) on [-6, 6]")
        #expect(worst < 5e-7)
        #expect(map([-10, 10, 0], VectorMath.erf) == [-1, 1, 0])
    }

    @Test func geluMatchesExactErfForm() {
        let xs = stride(from: -12.0, through: 12.0, by: 0.000_7).map { Float($0) }
        var h = xs
        Activations.geluErf(&h, count: xs.count)
        var worst = 0.0
        for (x, y) in zip(xs, h) {
            let reference = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            worst = max(worst, abs(Double(y) - reference) / max(1, abs(reference)))
        }
        print("GELU (erf): max error \(worst) (absolute below 1, relative above)")
        #expect(worst < 1e-6)
        // the tanh form differs from the erf form by up to ~5e-4 near |x| = 2
        var t = xs
        Activations.geluTanh(&t, count: xs.count)
        let gap = zip(t, h).map { abs($0 - $1) }.max()!
        print("GELU tanh vs erf: max gap \(gap)")
        #expect(gap > 1e-4 && gap < 1e-3)
    }

    @Test func softmaxRows() {
        let length = 37, rows = 3, stride = 40
        var s = (0..<(rows * stride)).map { Float(($0 * 7919) % 23) * 0.7 - 8 }
        let original = s
        var sums = [Float](repeating: 0, count: rows)
        Softmax.rows(&s, rows: rows, length: length, stride: stride, sums: &sums)
        var worst = 0.0
        for row in 0..<rows {
            let values = original[(row * stride)..<(row * stride + length)].map(Double.init)
            let maximum = values.max()!
            let total = values.reduce(0) { $0 + Foundation.exp($1 - maximum) }
            for column in 0..<length {
                worst = max(worst, abs(Double(s[row * stride + column]) - Foundation.exp(values[column] - maximum) / total))
            }
            #expect(s[(row * stride + length)..<(row * stride + stride)] == original[(row * stride + length)..<(row * stride + stride)])
        }
        print("softmax: max abs error \(worst)")
        #expect(worst < 1e-7)
    }

    @Test func biasLayerNorm() {
        let rows = 3, columns = 21
        var x = (0..<(rows * columns)).map { Float(sin(Double($0))) * 3 }
        let bias = (0..<columns).map { Float($0) * 0.01 }
        let gamma = (0..<columns).map { 1 + Float($0) * 0.1 }
        let beta = (0..<columns).map { Float($0) * -0.05 }
        let input = x
        LayerNorm.biasInPlace(&x, bias: bias, gamma: gamma, beta: beta, rows: rows, columns: columns, eps: 1e-12)
        var worst = 0.0
        for row in 0..<rows {
            let v = (0..<columns).map { Double(input[row * columns + $0]) + Double(bias[$0]) }
            let mean = v.reduce(0, +) / Double(columns)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns)
            for c in 0..<columns {
                let reference = (v[c] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[c]) + Double(beta[c])
                worst = max(worst, abs(Double(x[row * columns + c]) - reference))
            }
        }
        print("bias + LayerNorm: max abs error \(worst)")
        #expect(worst < 2e-6)
    }

    @Test func poolingAndNormalize() {
        let x: [Float] = [1, -2, 3, 4, 5, -6]  // [L=3, C=2]
        var out = [Float](repeating: 0, count: 2)
        Pooling.mean(x, rows: 3, columns: 2, into: &out)
        #expect(out == [3, -4.0 / 3])
        Pooling.max(x, rows: 3, columns: 2, into: &out)
        #expect(out == [5, 4])
        Pooling.first(x, columns: 2, into: &out)
        #expect(out == [1, -2])
        var v: [Float] = [3, 4]
        Pooling.normalize(&v, count: 2)
        #expect(v == [0.6, 0.8])
        var zero: [Float] = [0, 0]
        Pooling.normalize(&zero, count: 2)
        #expect(zero == [0, 0])
    }

    @Test func batchPlannerKeepsOrderAndBudget() {
        #expect(BatchPlanner.ranges(lengths: [3, 3, 3, 10, 1], tokenBudget: 6) == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect(BatchPlanner.ranges(lengths: [], tokenBudget: 6) == [])
        #expect(BatchPlanner.ranges(lengths: [2, 2, 2], tokenBudget: 100) == [0..<3])
        #expect(BatchPlanner.ranges(lengths: Array(repeating: 100, count: 50), tokenBudget: 4096) == [0..<40, 40..<50])
        // 256 × 128 tokens: eight full batches
        #expect(BatchPlanner.ranges(lengths: Array(repeating: 128, count: 256), tokenBudget: 4096).map(\.count) == Array(repeating: 32, count: 8))
        for lengths in [[5, 300, 7, 7, 256, 1, 1, 1, 90], Array(repeating: 33, count: 77)] {
            let ranges = BatchPlanner.ranges(lengths: lengths, tokenBudget: 256)
            #expect(ranges.flatMap { Array($0) } == Array(lengths.indices))
            #expect(ranges.allSatisfy { $0.count == 1 || $0.map { lengths[$0] }.reduce(0, +) <= 256 })
        }
    }

    @Test func parallelRangesCoverEverythingOnce() {
        let parallel = ParallelWork(threads: 3)
        for count in [1, 7, 64, 1000] {
            let seen = Mutex<[Int]>([])
            parallel.forEachRange(count: count, minimum: 2, alignment: 4) { range in seen.withLock { $0 += Array(range) } }
            #expect(seen.withLock { $0.sorted() } == Array(0..<count))
            let items = Mutex<[Int]>([])
            parallel.forEachItem(count: count) { item, worker in
                #expect(worker < 3)
                items.withLock { $0.append(item) }
            }
            #expect(items.withLock { $0.sorted() } == Array(0..<count))
        }
    }
}
