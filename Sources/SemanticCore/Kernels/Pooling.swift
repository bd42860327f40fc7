// Pooling of a sequence's token states into one vector, and L2 normalisation, as sentence-transformers'
// Pooling and Normalize modules do. Pure: buffers and dims in, nothing else.

enum Pooling {
    /// out[C] = mean of x[L, C] over its L rows (every token: packed sequences have no padding).
    static func mean(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        sum(x, rows: rows, columns: columns, into: out)
        let inverse = 1 / Float(Swift.max(rows, 1))
        for column in 0..<columns { out[column] *= inverse }
    }

    /// out[C] = sum of x[L, C] over rows / √L (sentence-transformers `mean_sqrt_len_tokens`).
    static func meanSqrtLength(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        sum(x, rows: rows, columns: columns, into: out)
        let inverse = 1 / Float(Swift.max(rows, 1)).squareRoot()
        for column in 0..<columns { out[column] *= inverse }
    }

    /// out[C] = column-wise max of x[L, C].
    static func max(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(from: x, count: columns)
        for row in 1..<Swift.max(rows, 1) {
            let p = x + row * columns
            for column in 0..<columns where p[column] > out[column] { out[column] = p[column] }
        }
    }

    /// out[C] = x[0, C] (the [CLS] token).
    static func first(_ x: UnsafePointer<Float>, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(from: x, count: columns)
    }

    /// v ← v / max(‖v‖₂, 1e-12), as torch.nn.functional.normalize.
    static func normalize(_ v: UnsafeMutablePointer<Float>, count: Int) {
        var squares = 0.0
        for i in 0..<count { squares += Double(v[i]) * Double(v[i]) }
        let norm = Swift.max(Float(squares.squareRoot()), 1e-12)
        for i in 0..<count { v[i] = v[i] / norm }
    }

    private static func sum(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: columns)
        for row in 0..<rows {
            let p = x + row * columns
            for column in 0..<columns { out[column] += p[column] }
        }
    }
}
