// Scaled dot-product attention for one head of one sequence, reading Q, K and V in place from the packed
// QKV matrix (strided rows, no copies) and writing its slice of the context matrix.
// Reproduces transformers' BertSelfAttention (eager): softmax(Q·Kᵀ/√D)·V, no mask needed since packed
// sequences carry no padding (Q, K, V already include their biases). Pure: buffers and dims in; `scores`
// is the caller's scratch.

enum Attention {
    /// q, k, v: [L, D] rows `stride` floats apart (stride = 3C in the packed QKV matrix).
    /// context: [L, D] rows `contextStride` apart. scores: scratch of at least L·(L + 1) floats.
    static func head(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, stride: Int,
        length: Int, headSize: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>,
        context: UnsafeMutablePointer<Float>, contextStride: Int
    ) {
        let sums = scores + length * length
        // scores: [L, L] = scale · Q · Kᵀ
        Gemm.productTransposed(
            a: q, aStride: stride, b: k, bStride: stride, c: scores, cStride: length,
            m: length, n: length, k: headSize, alpha: scale)
        // e: [L, L] = exp(scores - rowmax), sums: [L]
        Softmax.exponentiateRows(scores, rows: length, length: length, stride: length, sums: sums)
        // context: [L, D] = (e · V) / sums (the softmax division applied to D columns instead of L)
        Gemm.product(
            a: scores, aStride: length, b: v, bStride: stride, c: context, cStride: contextStride,
            m: length, n: headSize, k: length)
        for row in 0..<length {
            let inverse = 1 / sums[row]
            let p = context + row * contextStride
            for column in 0..<headSize { p[column] *= inverse }
        }
    }
}
