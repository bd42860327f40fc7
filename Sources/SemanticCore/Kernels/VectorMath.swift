// Vectorised exp and erf for the element-wise kernels (softmax, GELU), accurate to a few float32 ulps.
// Pure functions on SIMD values: no memory, no state. Coefficients are minimax fits made for this engine:
// exp: Cody-Waite reduction to |r| <= ln2/2, then 1 + r + r²·q(r) (max relative error 1.2e-7 on [-87, 0]);
// erf: z·P(z²)/Q(z²) on |z| < 3.92 (max abs error 4.1e-7 evaluated in float32), ±1 beyond.

typealias FloatVector = SIMD8<Float>
typealias IntVector = SIMD8<Int32>

enum VectorMath {
    /// e^x for x in [-87.3, 88]; inputs below -87.3 give 0 (softmax only feeds x <= 0).
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        let tooSmall = x .< FloatVector(repeating: -87.3)
        let clamped = x.clamped(lowerBound: FloatVector(repeating: -87.3), upperBound: FloatVector(repeating: 88.0))
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
        // scale by 2^n: add n to the exponent field
        // the low mantissa bits of `shifted` hold n as an integer
        let integerN = unsafeBitCast(shifted, to: IntVector.self) &- IntVector(repeating: 0x4b40_0000)
        let exponent = (integerN &+ IntVector(repeating: 127)) &<< IntVector(repeating: 23)
        let scale = unsafeBitCast(exponent, to: FloatVector.self)
        return (p * scale).replacing(with: 0, where: tooSmall)
    }

    /// erf(z), odd, exactly ±1 for |z| >= 3.92.
    @inline(__always)
    static func erf(_ z: FloatVector) -> FloatVector {
        let limit = FloatVector(repeating: 3.92)
        let a = z.clamped(lowerBound: -limit, upperBound: limit)
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
        let saturated = FloatVector(repeating: 1).replacing(with: -1, where: z .< 0)
        return result.replacing(with: saturated, where: abs(z) .>= limit)
    }

    /// tanh(x) = 1 - 2/(e^{2x} + 1), for the tanh-approximate GELU.
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector {
        let limit = FloatVector(repeating: 9)
        let c = x.clamped(lowerBound: -limit, upperBound: limit)
        let e = exp(c + c)
        return FloatVector(repeating: 1) - FloatVector(repeating: 2) / (e + FloatVector(repeating: 1))
    }

    @inline(__always)
    static func abs(_ x: FloatVector) -> FloatVector {
        unsafeBitCast(unsafeBitCast(x, to: IntVector.self) & IntVector(repeating: 0x7fff_ffff), to: FloatVector.self)
    }
}
