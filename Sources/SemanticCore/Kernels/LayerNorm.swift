// LayerNorm over the last dimension (biased variance, eps inside the square root), as torch.nn.LayerNorm,
// optionally fused with the residual add and the bias of the linear layer that precedes it.
// Pure kernels over caller-owned buffers: no allocation, no threads (the caller splits rows).

enum LayerNorm {
    /// x[r] ← LN(x[r] + delta[r] + bias)·gamma + beta, the post-LN residual of a BERT block.
    /// x: [rows, columns] (in/out), delta: [rows, columns] (the linear layer's output before its bias),
    /// bias, gamma, beta: [columns].
    static func residual(
        _ x: UnsafeMutablePointer<Float>, delta: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rows: Int, columns: Int, eps: Float
    ) {
        for row in 0..<rows {
            let xRow = x + row * columns
            let dRow = delta + row * columns
            // pass 1: v = x + delta + bias, stored in x
            var column = 0
            let width = FloatVector.scalarCount
            while column + width <= columns {
                let v = load(xRow + column) + load(dRow + column) + load(bias + column)
                store(v, xRow + column)
                column += width
            }
            while column < columns {
                xRow[column] = xRow[column] + dRow[column] + bias[column]
                column += 1
            }
            normalizeRow(xRow, gamma: gamma, beta: beta, columns: columns, eps: eps)
        }
    }

    /// x[r] ← LN(x[r])·gamma + beta. x: [rows, columns]; gamma, beta: [columns].
    static func inPlace(
        _ x: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        rows: Int, columns: Int, eps: Float
    ) {
        for row in 0..<rows {
            normalizeRow(x + row * columns, gamma: gamma, beta: beta, columns: columns, eps: eps)
        }
    }

    /// One row: mean, then the variance of the deviations (two passes, float accumulators in 8 lanes).
    @inline(__always)
    static func normalizeRow(
        _ row: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        columns: Int, eps: Float
    ) {
        let width = FloatVector.scalarCount
        var sums = FloatVector()
        var column = 0
        while column + width <= columns {
            sums += load(row + column)
            column += width
        }
        var sum = sums.sum()
        while column < columns { sum += row[column]; column += 1 }
        let mean = sum / Float(columns)

        var squares = FloatVector()
        column = 0
        let meanVector = FloatVector(repeating: mean)
        while column + width <= columns {
            let d = load(row + column) - meanVector
            squares += d * d
            column += width
        }
        var squareSum = squares.sum()
        while column < columns { let d = row[column] - mean; squareSum += d * d; column += 1 }
        let inverseDeviation = 1 / (squareSum / Float(columns) + eps).squareRoot()

        let scale = FloatVector(repeating: inverseDeviation)
        column = 0
        while column + width <= columns {
            let normalized = (load(row + column) - meanVector) * scale
            store(normalized * load(gamma + column) + load(beta + column), row + column)
            column += width
        }
        while column < columns {
            row[column] = (row[column] - mean) * inverseDeviation * gamma[column] + beta[column]
            column += 1
        }
    }
}

@inline(__always)
func load(_ pointer: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
}

@inline(__always)
func load(_ pointer: UnsafeMutablePointer<Float>) -> FloatVector {
    UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
}

@inline(__always)
func store(_ value: FloatVector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: FloatVector.self)
}
