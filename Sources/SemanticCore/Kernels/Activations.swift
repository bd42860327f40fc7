// Feed-forward activations applied in place (the bias was already added by the linear layer).
// Pure kernels over caller-owned buffers: no allocation, no threads (the caller splits the range).

enum Activations {
    /// h ← GELU(h) with the exact erf form 0.5·x·(1 + erf(x/√2)) (transformers "gelu"). h: [count].
    static func geluErf(_ h: UnsafeMutablePointer<Float>, count: Int) {
        let width = FloatVector.scalarCount
        var index = 0
        while index + width <= count {
            store(geluErf(load(h + index)), h + index)
            index += width
        }
        if index < count {
            var x = FloatVector()
            for lane in 0..<(count - index) { x[lane] = h[index + lane] }
            let y = geluErf(x)
            for lane in 0..<(count - index) { h[index + lane] = y[lane] }
        }
    }

    /// h ← 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (transformers "gelu_new"). h: [count].
    static func geluTanh(_ h: UnsafeMutablePointer<Float>, count: Int) {
        let width = FloatVector.scalarCount
        var index = 0
        while index + width <= count {
            store(geluTanh(load(h + index)), h + index)
            index += width
        }
        if index < count {
            var x = FloatVector()
            for lane in 0..<(count - index) { x[lane] = h[index + lane] }
            let y = geluTanh(x)
            for lane in 0..<(count - index) { h[index + lane] = y[lane] }
        }
    }

    @inline(__always)
    static func geluErf(_ x: FloatVector) -> FloatVector {
        FloatVector(repeating: 0.5) * x * (FloatVector(repeating: 1) + VectorMath.erf(x * FloatVector(repeating: 0.707_106_77)))
    }

    @inline(__always)
    static func geluTanh(_ x: FloatVector) -> FloatVector {
        let inner = FloatVector(repeating: 0.797_884_56) * (x + FloatVector(repeating: 0.044_715) * x * x * x)
        return FloatVector(repeating: 0.5) * x * (FloatVector(repeating: 1) + VectorMath.tanh(inner))
    }
}
