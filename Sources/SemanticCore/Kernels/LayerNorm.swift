// LayerNorm over the last dimension (biased variance, eps inside the square root), as torch.nn.LayerNorm,
// optionally fused with the bias of the linear layer that precedes it.
// Pure kernels over caller-owned buffers: no allocation, no threads (the caller splits rows).

enum LayerNorm {
    /// x[r] ← LN(x[r] + bias)·gamma + beta: the post-LN residual of a BERT block, after the linear
    /// layer's product has been accumulated onto the residual x. x: [rows, columns]; bias, gamma, beta: [columns].
    static func biasInPlace(
        _ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rows: Int, columns: Int, eps: Float
    ) {
        let width = FloatVector.scalarCount
        for row in 0..<rows {
            let xRow = x + row * columns
            var column = 0
            while column + width <= columns {
                store(load(xRow + column) + load(bias + column), xRow + column)
                column += width
            }
            while column < columns {
                xRow[column] += bias[column]
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
