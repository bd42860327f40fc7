// Linear-layer products straight from pre-packed weight panels: y[M, N] = x[M, K] · W[N, K]ᵀ for few rows
// (one query, a handful of concurrent ones), where OpenBLAS would spend most of a call re-packing W.
// W is laid out once, at load, as panels of 32 output features: panel p holds W[32p ..< 32p + 32, k] for
// k = 0 ..< K, the 32 values of one k side by side, so a register tile of up to `tileRows` rows × 32
// columns reads its weights as one sequential stream. The tile keeps its sums in registers (SIMD16<Float>
// accumulators, fused multiply-add where the build targets a CPU family with FMA) and writes each output
// once. Pure: pointers and dimensions in, no allocation, no threads (the caller hands each thread its own
// range of panels, so no weight is read by two threads).

enum PanelGemm {
    /// Output features per panel.
    static let panelWidth = 32
    typealias Vector = SIMD16<Float>

    /// Floats of the packed form of W [N, K]: whole panels, the last one padded with zeros.
    static func packedCount(outputs n: Int, inputs k: Int) -> Int {
        panelCount(outputs: n) * k * panelWidth
    }

    static func panelCount(outputs n: Int) -> Int { (n + panelWidth - 1) / panelWidth }

    /// Writes W [N, K] (row-major, PyTorch Linear layout) as panels [⌈N/32⌉][K][32] into `panels`
    /// (`packedCount` floats); columns past N are zero.
    static func pack(
        _ weight: UnsafePointer<Float>, outputs n: Int, inputs k: Int, into panels: UnsafeMutablePointer<Float>
    ) {
        for panel in 0..<panelCount(outputs: n) {
            let destination = panels + panel * k * panelWidth
            let columns = min(panelWidth, n - panel * panelWidth)
            let rows = weight + panel * panelWidth * k
            // written in order, read from the panel's 32 rows of W side by side (each stays in cache
            // for 16 consecutive inputs)
            for input in 0..<k {
                let out = destination + input * panelWidth
                for column in 0..<columns { out[column] = rows[column * k + input] }
                for column in columns..<panelWidth { out[column] = 0 }
            }
        }
    }

    /// What a tile's sums start from.
    enum Start {
        /// y = x · Wᵀ
        case zero
        /// y = x · Wᵀ + bias (bias: [N], the layer's whole bias)
        case bias(UnsafePointer<Float>)
        /// y ← y + x · Wᵀ (a residual already in y)
        case output
    }

    /// y[M, columns of `panels`] = x[M, K] · Wᵀ, started as `start` says, for the panels in `panelRange`
    /// of the packed W [N, K]. x: [M, K] with row stride `xStride`; y: [M, N] with row stride `yStride`.
    static func linear(
        x: UnsafePointer<Float>, xStride: Int, packed: UnsafePointer<Float>, panels panelRange: Range<Int>,
        y: UnsafeMutablePointer<Float>, yStride: Int, rows m: Int, outputs n: Int, inputs k: Int, start: Start
    ) {
        guard m > 0, !panelRange.isEmpty else { return }
        // rows in tiles of nearly equal height (80 rows: 12,12,12,11,11,11,11), so no tile runs nearly empty
        let tiles = (m + PanelKernelTarget.tileRows - 1) / PanelKernelTarget.tileRows
        for panel in panelRange {
            let firstColumn = panel * panelWidth
            let columns = min(panelWidth, n - firstColumn)
            let weights = packed + panel * k * panelWidth
            var row = 0
            for tile in 0..<tiles {
                let height = (m - row + (tiles - tile) - 1) / (tiles - tile)
                let input = x + row * xStride
                let output = y + row * yStride + firstColumn
                if columns == panelWidth {
                    tileOfPanel(rows: height, x: input, xStride: xStride, panel: weights, inputs: k,
                                y: output, yStride: yStride, start: start, firstColumn: firstColumn)
                } else {
                    partialTileOfPanel(rows: height, columns: columns, x: input, xStride: xStride, panel: weights,
                                       inputs: k, y: output, yStride: yStride, start: start, firstColumn: firstColumn)
                }
                row += height
            }
        }
    }

    /// One tile of `rows` rows over the full 32 columns of a panel.
    @inline(__always)
    private static func tileOfPanel(
        rows: Int, x: UnsafePointer<Float>, xStride: Int, panel: UnsafePointer<Float>, inputs k: Int,
        y: UnsafeMutablePointer<Float>, yStride: Int, start: Start, firstColumn: Int
    ) {
        for half in stride(from: 0, to: panelWidth, by: PanelKernelTarget.tileColumns) {
            let bias: UnsafePointer<Float>?
            let accumulate: Bool
            switch start {
            case .zero: bias = nil; accumulate = false
            case .bias(let values): bias = values + firstColumn + half; accumulate = false
            case .output: bias = nil; accumulate = true
            }
            PanelTile.run(rows: rows, x: x, xStride: xStride, panel: panel + half, inputs: k,
                          y: y + half, yStride: yStride, bias: bias, accumulate: accumulate)
        }
    }

    /// The last panel of a W whose N is not a multiple of 32: the tile writes its sums into a local
    /// [rows, 32] block, of which the first `columns` are added to y.
    private static func partialTileOfPanel(
        rows: Int, columns: Int, x: UnsafePointer<Float>, xStride: Int, panel: UnsafePointer<Float>, inputs k: Int,
        y: UnsafeMutablePointer<Float>, yStride: Int, start: Start, firstColumn: Int
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: PanelKernelTarget.tileRows * panelWidth) { block in
            let sums = block.baseAddress!
            tileOfPanel(rows: rows, x: x, xStride: xStride, panel: panel, inputs: k, y: sums, yStride: panelWidth,
                        start: .zero, firstColumn: firstColumn)
            for row in 0..<rows {
                let out = y + row * yStride, sum = sums + row * panelWidth
                for column in 0..<columns {
                    switch start {
                    case .zero: out[column] = sum[column]
                    case .bias(let values): out[column] = values[firstColumn + column] + sum[column]
                    case .output: out[column] = out[column] + sum[column]
                    }
                }
            }
        }
    }
}
