// The panel kernel (PanelGemm, PanelTile) against a double-precision product: every row count a tile
// can hold and the splits of larger ones, widths that leave a partial last panel, the three starts (zero,
// bias, the output's own values), and panel ranges split the way threads split them. Max errors printed.
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct PanelGemmTests {
    /// Deterministic values in [-1, 1) (64-bit LCG, top 24 bits).
    func values(seed: UInt64, count: Int) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
    }

    /// y = start + x · Wᵀ in doubles; x: [M, K] with row stride xStride, W: [N, K], y: [M, N].
    func reference(x: [Float], xStride: Int, weight: [Float], bias: [Float]?, initial: [Float]?, m: Int, n: Int, k: Int) -> [Double] {
        var y = [Double](repeating: 0, count: m * n)
        for row in 0..<m {
            for column in 0..<n {
                var sum = initial.map { Double($0[row * n + column]) } ?? bias.map { Double($0[column]) } ?? 0
                for input in 0..<k { sum += Double(x[row * xStride + input]) * Double(weight[column * k + input]) }
                y[row * n + column] = sum
            }
        }
        return y
    }

    enum Case: CaseIterable { case zero, bias, output }

    /// Runs PanelGemm over `ranges` of panels (all of them by default) and returns y.
    func product(
        x: [Float], xStride: Int, weight: [Float], bias: [Float], initial: [Float], m: Int, n: Int, k: Int,
        start: Case, ranges: [Range<Int>]? = nil
    ) -> [Float] {
        let panels = FloatTensor.panels(packing: FloatTensor.build(shape: [n, k]) { $0.update(from: weight, count: n * k) })
        #expect(panels.shape == [PanelGemm.panelCount(outputs: n), k, PanelGemm.panelWidth])
        #expect(Int(bitPattern: panels.pointer) % 64 == 0)
        var y = start == .output ? initial : [Float](repeating: .nan, count: m * n)
        bias.withUnsafeBufferPointer { bias in
            y.withUnsafeMutableBufferPointer { y in
                let how: PanelGemm.Start = switch start {
                case .zero: .zero
                case .bias: .bias(bias.baseAddress!)
                case .output: .output
                }
                for range in ranges ?? [0..<PanelGemm.panelCount(outputs: n)] {
                    PanelGemm.linear(
                        x: x, xStride: xStride, packed: panels.pointer, panels: range, y: y.baseAddress!, yStride: n,
                        rows: m, outputs: n, inputs: k, start: how)
                }
            }
        }
        return y
    }

    func worstError(_ actual: [Float], _ expected: [Double], k: Int) -> Double {
        // each product term is below 1 in magnitude: the float sum is within ~k ulps of 1
        zip(actual, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
    }

    @Test(arguments: [
        (1, 32, 7), (2, 32, 64), (3, 64, 33), (4, 32, 1), (5, 96, 40), (6, 32, 17), (7, 64, 64), (8, 32, 9),
        (9, 32, 31), (10, 1152, 384), (11, 64, 20), (12, 32, 128), (13, 64, 50), (29, 96, 70), (80, 384, 96),
        (3, 7, 19), (14, 48, 33), (12, 80, 16), (33, 100, 65),
    ])
    func matchesTheDoubleProduct(m: Int, n: Int, k: Int) {
        let xStride = k + 3  // rows of x wider than K, as the attention context's are not
        let x = values(seed: UInt64(m * 1000 + k), count: m * xStride)
        let weight = values(seed: UInt64(n * 7 + k), count: n * k)
        let bias = values(seed: UInt64(n), count: n)
        let initial = values(seed: UInt64(m + n), count: m * n)
        var worst = 0.0
        for start in Case.allCases {
            let expected = reference(
                x: x, xStride: xStride, weight: weight, bias: start == .bias ? bias : nil,
                initial: start == .output ? initial : nil, m: m, n: n, k: k)
            let y = product(x: x, xStride: xStride, weight: weight, bias: bias, initial: initial, m: m, n: n, k: k, start: start)
            worst = max(worst, worstError(y, expected, k: k))
        }
        print("PanelGemm [\(m), \(k)] · [\(n), \(k)]ᵀ (\(PanelKernelTarget.name) tile): max error \(worst)")
        #expect(worst < 2e-6 * Double(k).squareRoot() + 1e-6)
    }

    /// Threads take disjoint ranges of panels: the pieces together write exactly what one call writes.
    @Test func panelRangesWriteTheSameAsOneCall() {
        let m = 10, n = 96 + 20, k = 48
        let x = values(seed: 1, count: m * k), weight = values(seed: 2, count: n * k), bias = values(seed: 3, count: n)
        let initial = values(seed: 4, count: m * n)
        for start in Case.allCases {
            let whole = product(x: x, xStride: k, weight: weight, bias: bias, initial: initial, m: m, n: n, k: k, start: start)
            let pieces = product(x: x, xStride: k, weight: weight, bias: bias, initial: initial, m: m, n: n, k: k, start: start,
                                 ranges: [2..<4, 0..<1, 1..<2])
            #expect(whole == pieces)
            #expect(!whole.contains { $0.isNaN })
        }
    }

    /// A row's result does not depend on the other rows of the product (batch invariance at the kernel).
    @Test func eachRowIsComputedAloneTheSameWay() {
        let m = 37, n = 64, k = 100
        let x = values(seed: 5, count: m * k), weight = values(seed: 6, count: n * k), bias = values(seed: 7, count: n)
        let together = product(x: x, xStride: k, weight: weight, bias: bias, initial: [], m: m, n: n, k: k, start: .bias)
        for row in [0, 11, 12, 36] {
            let alone = product(x: Array(x[(row * k)..<((row + 1) * k)]), xStride: k, weight: weight, bias: bias, initial: [],
                                m: 1, n: n, k: k, start: .bias)
            #expect(alone == Array(together[(row * n)..<((row + 1) * n)]))
        }
    }

    @Test func packingPadsTheLastPanelWithZeros() {
        let n = 40, k = 3
        let weight = (0..<(n * k)).map { Float($0 + 1) }
        let panels = FloatTensor.panels(packing: FloatTensor.build(shape: [n, k]) { $0.update(from: weight, count: n * k) }).scalars
        #expect(panels.count == 2 * k * 32)
        // panel 0, input 1, column 5 is W[5, 1]; panel 1, input 2, column 7 is W[39, 2]; column 8 is padding
        #expect(panels[1 * 32 + 5] == weight[5 * k + 1])
        #expect(panels[k * 32 + 2 * 32 + 7] == weight[39 * k + 2])
        #expect(panels[k * 32 + 2 * 32 + 8] == 0)
    }
}
