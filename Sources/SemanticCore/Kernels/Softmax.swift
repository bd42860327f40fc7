// Row softmax with the vectorised exp: max-subtracted, exponentiated in place, with the row sums returned
// so attention can divide its (much narrower) context rows instead of the scores. Pure: buffers and dims in.

enum Softmax {
    /// s[r, j] ← e^(s[r, j] - max_j s[r, j]) and sums[r] = Σ_j of those, for `rows` rows `stride` apart.
    static func exponentiateRows(
        _ s: UnsafeMutablePointer<Float>, rows: Int, length: Int, stride: Int, sums: UnsafeMutablePointer<Float>
    ) {
        let width = FloatVector.scalarCount
        for row in 0..<rows {
            let p = s + row * stride
            var maxima = FloatVector(repeating: -.infinity)
            var column = 0
            while column + width <= length {
                maxima = VectorMath.maximum(maxima, load(p + column))
                column += width
            }
            var maximum = -Float.infinity
            for lane in 0..<width where maxima[lane] > maximum { maximum = maxima[lane] }
            while column < length { maximum = Swift.max(maximum, p[column]); column += 1 }

            let shift = FloatVector(repeating: maximum)
            var totals = FloatVector()
            column = 0
            while column + width <= length {
                let e = VectorMath.exp(load(p + column) - shift)
                store(e, p + column)
                totals += e
                column += width
            }
            var sum = totals.sum()
            if column < length {
                var tail = FloatVector(repeating: -100)
                for lane in 0..<(length - column) { tail[lane] = p[column + lane] - maximum }
                let e = VectorMath.exp(tail)
                for lane in 0..<(length - column) { p[column + lane] = e[lane]; sum += e[lane] }
            }
            sums[row] = sum
        }
    }

    /// s[r, 0..<length] ← softmax(s[r, 0..<length]); `sums` is scratch of `rows` floats.
    static func rows(_ s: UnsafeMutablePointer<Float>, rows: Int, length: Int, stride: Int, sums: UnsafeMutablePointer<Float>) {
        exponentiateRows(s, rows: rows, length: length, stride: stride, sums: sums)
        for row in 0..<rows {
            let inverse = 1 / sums[row]
            for column in 0..<length { s[row * stride + column] *= inverse }
        }
    }
}
