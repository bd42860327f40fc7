// Feed-forward activations fused with the preceding bias add: h ← act(h + b), row by row.
// Pure kernels over caller-owned buffers: no allocation, no threads (the caller splits rows).

enum Activations {
    /// h[r, :] ← GELU(h[r, :] + bias) with the exact erf form 0.5·x·(1 + erf(x/√2)) (transformers "gelu").
    /// h: [rows, columns], bias: [columns].
    static func biasGELUErf(_ h: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        apply(h, rows: rows, columns: columns, bias: bias) { x in
            FloatVector(repeating: 0.5) * x * (FloatVector(repeating: 1) + VectorMath.erf(x * FloatVector(repeating: 0.707_106_77)))
        }
    }

    /// h[r, :] ← GELU_tanh(h[r, :] + bias): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) ("gelu_new").
    static func biasGELUTanh(_ h: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        apply(h, rows: rows, columns: columns, bias: bias) { x in
            let inner = FloatVector(repeating: 0.797_884_56) * (x + FloatVector(repeating: 0.044_715) * x * x * x)
            return FloatVector(repeating: 0.5) * x * (FloatVector(repeating: 1) + VectorMath.tanh(inner))
        }
    }

    @inline(__always)
    private static func apply(
        _ h: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>,
        _ function: (FloatVector) -> FloatVector
    ) {
        let width = FloatVector.scalarCount
        let vectorColumns = columns - columns % width
        let raw = UnsafeMutableRawPointer(h)
        let rawBias = UnsafeRawPointer(bias)
        for row in 0..<rows {
            let rowOffset = row * columns
            var column = 0
            while column < vectorColumns {
                let byteOffset = (rowOffset + column) * 4
                let x = raw.loadUnaligned(fromByteOffset: byteOffset, as: FloatVector.self)
                    + rawBias.loadUnaligned(fromByteOffset: column * 4, as: FloatVector.self)
                raw.storeBytes(of: function(x), toByteOffset: byteOffset, as: FloatVector.self)
                column += width
            }
            if column < columns {
                var x = FloatVector()
                for lane in 0..<(columns - column) { x[lane] = h[rowOffset + column + lane] + bias[column + lane] }
                let y = function(x)
                for lane in 0..<(columns - column) { h[rowOffset + column + lane] = y[lane] }
            }
        }
    }
}
