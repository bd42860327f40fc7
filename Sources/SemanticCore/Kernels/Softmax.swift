// Row softmax in place, max-subtracted, with the vectorised exp. Pure: buffers and dims in, nothing else.

enum Softmax {
    /// s[r, 0..<length] ← softmax(s[r, 0..<length]) for `rows` rows spaced `stride` floats apart.
    static func rows(_ s: UnsafeMutablePointer<Float>, rows: Int, length: Int, stride: Int) {
        let width = FloatVector.scalarCount
        for row in 0..<rows {
            let p = s + row * stride
            var maxima = FloatVector(repeating: -.infinity)
            var column = 0
            while column + width <= length {
                maxima = pointwiseMax(maxima, load(p + column))
                column += width
            }
            var maximum = maxima.max()
            while column < length { maximum = Swift.max(maximum, p[column]); column += 1 }

            let shift = FloatVector(repeating: maximum)
            var sums = FloatVector()
            column = 0
            while column + width <= length {
                let e = VectorMath.exp(load(p + column) - shift)
                store(e, p + column)
                sums += e
                column += width
            }
            var sum = sums.sum()
            if column < length {
                var tail = FloatVector(repeating: -.infinity)
                for lane in 0..<(length - column) { tail[lane] = p[column + lane] - maximum }
                let e = VectorMath.exp(tail)
                for lane in 0..<(length - column) { p[column + lane] = e[lane]; sum += e[lane] }
            }

            let inverse = FloatVector(repeating: 1 / sum)
            column = 0
            while column + width <= length {
                store(load(p + column) * inverse, p + column)
                column += width
            }
            while column < length { p[column] *= inverse[0]; column += 1 }
        }
    }
}
