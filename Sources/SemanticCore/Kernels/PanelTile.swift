// The register tile of PanelGemm: rows × 16 or 32 columns of y = start + x · Wᵀ, the sums held in
// SIMD16<Float> registers for the whole of K and written once. The weights come from one panel (32 floats
// per k, see PanelGemm), each x value is broadcast once per k. Written out for up to 12 rows; `run`
// dispatches on the row count, so every case is compiled with its rows known and keeps only the
// accumulators it uses (the `if rows > r` tests fold away). Pure: never allocates, never branches on data.

/// The instruction set the tile was compiled for, from the compilation conditions the Makefile sets with
/// the CPU family (`-target-cpu`): it decides the tile's shape and whether a·b + c is one fused instruction.
enum PanelKernelTarget {
    #if SEMANTIC_CORE_AVX512
    /// 32 vector registers of 16 floats: 12 rows × 32 columns of sums (24 registers) per tile.
    static let name = "avx512"
    static let tileRows = 12
    static let tileColumns = 32
    static let fusedMultiplyAdd = true
    #elseif SEMANTIC_CORE_AVX2
    /// 16 registers of 8 floats: 6 rows × 16 columns of sums (12 registers) per tile, two tiles per panel.
    static let name = "avx2"
    static let tileRows = 6
    static let tileColumns = 16
    static let fusedMultiplyAdd = true
    #else
    /// Portable x86-64 (SSE2, 16 registers of 4 floats) or another architecture: 4 rows × 16 columns,
    /// multiply and add as two roundings (a fused multiply-add would be a library call per lane here).
    static let name = "portable"
    static let tileRows = 4
    static let tileColumns = 16
    static let fusedMultiplyAdd = false
    #endif
}

enum PanelTile {
    typealias Vector = SIMD16<Float>

    /// sum + a · b: one fused multiply-add where the build targets a CPU family with FMA, else a
    /// product and a sum (two roundings), which is what a portable x86-64 build can do without a call.
    @inline(__always)
    static func multiplyAdd(_ sum: Vector, _ a: Vector, _ b: Vector) -> Vector {
        #if SEMANTIC_CORE_AVX512 || SEMANTIC_CORE_AVX2
        return sum.addingProduct(a, b)
        #else
        return sum + a * b
        #endif
    }

    /// y[rows, 16 or 32] (start: zero, bias[0 ..< columns], or y itself when `accumulate`) += x[rows, K] ·
    /// panel[K, columns]. `panel` points at the first of the tile's columns in a 32-wide panel; `rows`
    /// is 1 ... PanelKernelTarget.tileRows.
    static func run(
        rows: Int, x: UnsafePointer<Float>, xStride: Int, panel: UnsafePointer<Float>, inputs k: Int,
        y: UnsafeMutablePointer<Float>, yStride: Int, bias: UnsafePointer<Float>?, accumulate: Bool
    ) {
        let arguments = Arguments(x: x, xStride: xStride, panel: panel, inputs: k, y: y, yStride: yStride, bias: bias, accumulate: accumulate)
        switch rows {
        case 1: rows1(arguments)
        case 2: rows2(arguments)
        case 3: rows3(arguments)
        case 4: rows4(arguments)
        case 5: rows5(arguments)
        case 6: rows6(arguments)
        case 7: rows7(arguments)
        case 8: rows8(arguments)
        case 9: rows9(arguments)
        case 10: rows10(arguments)
        case 11: rows11(arguments)
        case 12: rows12(arguments)
        default: preconditionFailure("a panel tile holds 1 ... \(PanelKernelTarget.tileRows) rows, not \(rows)")
        }
    }

    struct Arguments {
        let x: UnsafePointer<Float>, xStride: Int, panel: UnsafePointer<Float>, inputs: Int
        let y: UnsafeMutablePointer<Float>, yStride: Int, bias: UnsafePointer<Float>?, accumulate: Bool
    }

    // One function per row count, each compiled with its rows known (so a tile never tests a row count
    // inside its loop, and the compiler cannot merge the cases back into one loop that does).
    @inline(never) private static func rows1(_ a: Arguments) { tile(rows: 1, a) }
    @inline(never) private static func rows2(_ a: Arguments) { tile(rows: 2, a) }
    @inline(never) private static func rows3(_ a: Arguments) { tile(rows: 3, a) }
    @inline(never) private static func rows4(_ a: Arguments) { tile(rows: 4, a) }
    @inline(never) private static func rows5(_ a: Arguments) { tile(rows: 5, a) }
    @inline(never) private static func rows6(_ a: Arguments) { tile(rows: 6, a) }
    @inline(never) private static func rows7(_ a: Arguments) { tile(rows: 7, a) }
    @inline(never) private static func rows8(_ a: Arguments) { tile(rows: 8, a) }
    @inline(never) private static func rows9(_ a: Arguments) { tile(rows: 9, a) }
    @inline(never) private static func rows10(_ a: Arguments) { tile(rows: 10, a) }
    @inline(never) private static func rows11(_ a: Arguments) { tile(rows: 11, a) }
    @inline(never) private static func rows12(_ a: Arguments) { tile(rows: 12, a) }

    @inline(__always)
    private static func tile(rows: Int, _ arguments: Arguments) {
        let wide = PanelKernelTarget.tileColumns == 32
        let x = arguments.x, xStride = arguments.xStride, y = arguments.y, yStride = arguments.yStride
        let k = arguments.inputs
        // low r: columns 0 ..< 16 of row r; high r: columns 16 ..< 32 (wide tiles only)
        var low0 = Vector(), high0 = Vector()
        var low1 = Vector(), high1 = Vector()
        var low2 = Vector(), high2 = Vector()
        var low3 = Vector(), high3 = Vector()
        var low4 = Vector(), high4 = Vector()
        var low5 = Vector(), high5 = Vector()
        var low6 = Vector(), high6 = Vector()
        var low7 = Vector(), high7 = Vector()
        var low8 = Vector(), high8 = Vector()
        var low9 = Vector(), high9 = Vector()
        var low10 = Vector(), high10 = Vector()
        var low11 = Vector(), high11 = Vector()
        if let bias = arguments.bias {
            let first = UnsafeRawPointer(bias).loadUnaligned(as: Vector.self)
            let second = wide ? UnsafeRawPointer(bias + 16).loadUnaligned(as: Vector.self) : Vector()
            if rows > 0 { low0 = first; high0 = second }
            if rows > 1 { low1 = first; high1 = second }
            if rows > 2 { low2 = first; high2 = second }
            if rows > 3 { low3 = first; high3 = second }
            if rows > 4 { low4 = first; high4 = second }
            if rows > 5 { low5 = first; high5 = second }
            if rows > 6 { low6 = first; high6 = second }
            if rows > 7 { low7 = first; high7 = second }
            if rows > 8 { low8 = first; high8 = second }
            if rows > 9 { low9 = first; high9 = second }
            if rows > 10 { low10 = first; high10 = second }
            if rows > 11 { low11 = first; high11 = second }
        } else if arguments.accumulate {
            if rows > 0 { low0 = load(y + 0 &* yStride); if wide { high0 = load(y + 0 &* yStride + 16) } }
            if rows > 1 { low1 = load(y + 1 &* yStride); if wide { high1 = load(y + 1 &* yStride + 16) } }
            if rows > 2 { low2 = load(y + 2 &* yStride); if wide { high2 = load(y + 2 &* yStride + 16) } }
            if rows > 3 { low3 = load(y + 3 &* yStride); if wide { high3 = load(y + 3 &* yStride + 16) } }
            if rows > 4 { low4 = load(y + 4 &* yStride); if wide { high4 = load(y + 4 &* yStride + 16) } }
            if rows > 5 { low5 = load(y + 5 &* yStride); if wide { high5 = load(y + 5 &* yStride + 16) } }
            if rows > 6 { low6 = load(y + 6 &* yStride); if wide { high6 = load(y + 6 &* yStride + 16) } }
            if rows > 7 { low7 = load(y + 7 &* yStride); if wide { high7 = load(y + 7 &* yStride + 16) } }
            if rows > 8 { low8 = load(y + 8 &* yStride); if wide { high8 = load(y + 8 &* yStride + 16) } }
            if rows > 9 { low9 = load(y + 9 &* yStride); if wide { high9 = load(y + 9 &* yStride + 16) } }
            if rows > 10 { low10 = load(y + 10 &* yStride); if wide { high10 = load(y + 10 &* yStride + 16) } }
            if rows > 11 { low11 = load(y + 11 &* yStride); if wide { high11 = load(y + 11 &* yStride + 16) } }
        }
        var weights = arguments.panel
        var column = x
        for _ in 0..<k {
            let w0 = UnsafeRawPointer(weights).loadUnaligned(as: Vector.self)
            let w1 = wide ? UnsafeRawPointer(weights + 16).loadUnaligned(as: Vector.self) : Vector()
            if rows > 0 { let s = Vector(repeating: column[0 &* xStride]); low0 = multiplyAdd(low0, s, w0); if wide { high0 = multiplyAdd(high0, s, w1) } }
            if rows > 1 { let s = Vector(repeating: column[1 &* xStride]); low1 = multiplyAdd(low1, s, w0); if wide { high1 = multiplyAdd(high1, s, w1) } }
            if rows > 2 { let s = Vector(repeating: column[2 &* xStride]); low2 = multiplyAdd(low2, s, w0); if wide { high2 = multiplyAdd(high2, s, w1) } }
            if rows > 3 { let s = Vector(repeating: column[3 &* xStride]); low3 = multiplyAdd(low3, s, w0); if wide { high3 = multiplyAdd(high3, s, w1) } }
            if rows > 4 { let s = Vector(repeating: column[4 &* xStride]); low4 = multiplyAdd(low4, s, w0); if wide { high4 = multiplyAdd(high4, s, w1) } }
            if rows > 5 { let s = Vector(repeating: column[5 &* xStride]); low5 = multiplyAdd(low5, s, w0); if wide { high5 = multiplyAdd(high5, s, w1) } }
            if rows > 6 { let s = Vector(repeating: column[6 &* xStride]); low6 = multiplyAdd(low6, s, w0); if wide { high6 = multiplyAdd(high6, s, w1) } }
            if rows > 7 { let s = Vector(repeating: column[7 &* xStride]); low7 = multiplyAdd(low7, s, w0); if wide { high7 = multiplyAdd(high7, s, w1) } }
            if rows > 8 { let s = Vector(repeating: column[8 &* xStride]); low8 = multiplyAdd(low8, s, w0); if wide { high8 = multiplyAdd(high8, s, w1) } }
            if rows > 9 { let s = Vector(repeating: column[9 &* xStride]); low9 = multiplyAdd(low9, s, w0); if wide { high9 = multiplyAdd(high9, s, w1) } }
            if rows > 10 { let s = Vector(repeating: column[10 &* xStride]); low10 = multiplyAdd(low10, s, w0); if wide { high10 = multiplyAdd(high10, s, w1) } }
            if rows > 11 { let s = Vector(repeating: column[11 &* xStride]); low11 = multiplyAdd(low11, s, w0); if wide { high11 = multiplyAdd(high11, s, w1) } }
            weights = weights.advanced(by: PanelGemm.panelWidth)
            column = column.advanced(by: 1)
        }
        if rows > 0 { store(low0, y + 0 &* yStride); if wide { store(high0, y + 0 &* yStride + 16) } }
        if rows > 1 { store(low1, y + 1 &* yStride); if wide { store(high1, y + 1 &* yStride + 16) } }
        if rows > 2 { store(low2, y + 2 &* yStride); if wide { store(high2, y + 2 &* yStride + 16) } }
        if rows > 3 { store(low3, y + 3 &* yStride); if wide { store(high3, y + 3 &* yStride + 16) } }
        if rows > 4 { store(low4, y + 4 &* yStride); if wide { store(high4, y + 4 &* yStride + 16) } }
        if rows > 5 { store(low5, y + 5 &* yStride); if wide { store(high5, y + 5 &* yStride + 16) } }
        if rows > 6 { store(low6, y + 6 &* yStride); if wide { store(high6, y + 6 &* yStride + 16) } }
        if rows > 7 { store(low7, y + 7 &* yStride); if wide { store(high7, y + 7 &* yStride + 16) } }
        if rows > 8 { store(low8, y + 8 &* yStride); if wide { store(high8, y + 8 &* yStride + 16) } }
        if rows > 9 { store(low9, y + 9 &* yStride); if wide { store(high9, y + 9 &* yStride + 16) } }
        if rows > 10 { store(low10, y + 10 &* yStride); if wide { store(high10, y + 10 &* yStride + 16) } }
        if rows > 11 { store(low11, y + 11 &* yStride); if wide { store(high11, y + 11 &* yStride + 16) } }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeRawPointer) -> Vector {
        pointer.loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }
}
