// HalfPrecision: IEEE binary16 <-> binary32 conversion, round to nearest with ties to even, as the
// reference implementation stores vectors (bit-identical to Swift's Float16(Float) where that exists;
// written out here so the index format does not depend on Float16's platform availability).
// Pure bit arithmetic: never allocates, never touches a file.

enum HalfPrecision {
    /// The binary16 bit pattern nearest to `value` (ties to even; overflow to infinity; NaN stays NaN).
    static func bits(from value: Float) -> UInt16 {
        let pattern = value.bitPattern
        let sign = UInt16((pattern >> 16) & 0x8000)
        let exponent = Int((pattern >> 23) & 0xFF)
        let mantissa = pattern & 0x7F_FFFF

        if exponent == 0xFF {  // infinity or NaN (quiet, keeping the top payload bits)
            return sign | 0x7C00 | (mantissa == 0 ? 0 : UInt16(0x200 | (mantissa >> 13)))
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Subnormal half (or zero): shift the full significand into place, then round.
            if halfExponent < -10 { return sign }
            let significand = mantissa | 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = significand >> shift
            let remainder = significand & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && (half & 1) == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = (UInt32(halfExponent) << 10) | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1) {
            half += 1  // a carry into the exponent is correct, up to and including infinity
        }
        return sign | UInt16(half)
    }

    /// The exact binary32 value of a binary16 bit pattern.
    static func float(fromBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24, exact in binary32.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
    }

    /// Whether a binary16 pattern is a finite number.
    static func isFinite(_ bits: UInt16) -> Bool { (bits & 0x7C00) != 0x7C00 }
}
