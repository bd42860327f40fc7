// Scaled dot-product attention for one head of one sequence, reading Q, K and V in place from the packed
// QKV matrix (strided rows, no copies) and writing its slice of the context matrix.
// Reproduces transformers' BertSelfAttention (eager): softmax(Q·Kᵀ/√D)·V, no mask needed since packed
// sequences carry no padding. Pure: buffers and dims in; `scores` is the caller's scratch.

enum Attention {
    /// q, k, v: [L, D] rows `stride` floats apart (stride = 3C in the packed QKV matrix).
    /// context: [L, D] rows `contextStride` apart. scores: scratch of at least L·L floats.
    static func head(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, stride: Int,
        length: Int, headSize: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>,
        context: UnsafeMutablePointer<Float>, contextStride: Int
    ) {
        // scores: [L, L] = scale · Q · Kᵀ
        Gemm.productTransposed(
            a: q, aStride: stride, b: k, bStride: stride, c: scores, cStride: length,
            m: length, n: length, k: headSize, alpha: scale)
        Softmax.rows(scores, rows: length, length: length, stride: length)
        // context: [L, D] = P · V
        Gemm.product(
            a: scores, aStride: length, b: v, bStride: stride, c: context, cStride: contextStride,
            m: length, n: headSize, k: length)
    }

    /// x[r, 0..<columns] += bias for `rows` rows `stride` apart (the Q/K/V bias of one head, in place).
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, bias: UnsafePointer<Float>) {
        let width = FloatVector.scalarCount
        for row in 0..<rows {
            let p = x + row * stride
            var column = 0
            while column + width <= columns {
                store(load(p + column) + load(bias + column), p + column)
                column += width
            }
            while column < columns { p[column] += bias[column]; column += 1 }
        }
    }
}
