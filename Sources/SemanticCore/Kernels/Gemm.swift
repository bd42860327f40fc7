// The matrix products of the engine, as single-threaded OpenBLAS sgemm calls on caller-owned buffers.
// Weights are PyTorch Linear layout [out, in], so a linear layer is y = x · Wᵀ (sgemm NoTrans × Trans).
// Threading is the caller's: it splits rows or output features and calls these on disjoint slices.
import CBLAS

enum Gemm {
    /// y[M, N] = x[M, K] · w[N, K]ᵀ (+ y when `accumulate`). Leading dimensions in floats.
    @inline(__always)
    static func linear(
        x: UnsafePointer<Float>, xStride: Int,
        weight: UnsafePointer<Float>, weightStride: Int,
        y: UnsafeMutablePointer<Float>, yStride: Int,
        rows m: Int, outputs n: Int, inputs k: Int, accumulate: Bool = false
    ) {
        guard m > 0, n > 0 else { return }
        BLASKernelSelection.ensureSelected()
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            1, x, Int32(xStride), weight, Int32(weightStride), accumulate ? 1 : 0, y, Int32(yStride))
    }

    /// c[M, N] = alpha · a[M, K] · b[N, K]ᵀ (scores = Q·Kᵀ).
    @inline(__always)
    static func productTransposed(
        a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, bStride: Int,
        c: UnsafeMutablePointer<Float>, cStride: Int, m: Int, n: Int, k: Int, alpha: Float
    ) {
        BLASKernelSelection.ensureSelected()
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(aStride), b, Int32(bStride), 0, c, Int32(cStride))
    }

    /// c[M, N] = a[M, K] · b[K, N] (context = P·V).
    @inline(__always)
    static func product(
        a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, bStride: Int,
        c: UnsafeMutablePointer<Float>, cStride: Int, m: Int, n: Int, k: Int
    ) {
        BLASKernelSelection.ensureSelected()
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(aStride), b, Int32(bStride), 0, c, Int32(cStride))
    }
}

/// Process-wide OpenBLAS settings. The engine parallelises itself, so OpenBLAS runs one thread per call.
public enum BLASRuntime {
    /// The kernel OpenBLAS runs (e.g. "Haswell", "Cooperlake"): chosen at load, or by `BLASKernelSelection`
    /// when the library fell back to a generic one; `OPENBLAS_CORETYPE` overrides both.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Sets OpenBLAS's own thread count (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }
}
