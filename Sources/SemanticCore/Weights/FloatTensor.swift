// Read-only f32 tensors handed to the models: a view into the file's image, or storage owned by the tensor
// (converted F16/BF16, unaligned F32, or weights repacked at load such as the fused QKV matrix).
// A `FloatTensor` is never written after it is built, so it is shared freely between threads.

/// Heap storage for floats, freed with the last reference. Written only while a tensor is being built.
final class FloatStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

/// An immutable row-major f32 tensor. `owner` keeps its bytes alive (the file image or a `FloatStorage`).
public struct FloatTensor: @unchecked Sendable {
    public let shape: [Int]
    public let pointer: UnsafePointer<Float>
    /// True when the values are read in place from the file's image (`FileImage`), not a converted copy.
    public let isViewOfFile: Bool
    let owner: AnyObject

    init(shape: [Int], pointer: UnsafePointer<Float>, owner: AnyObject, isViewOfFile: Bool) {
        self.shape = shape
        self.pointer = pointer
        self.owner = owner
        self.isViewOfFile = isViewOfFile
    }

    init(shape: [Int], storage: FloatStorage) {
        self.init(shape: shape, pointer: UnsafePointer(storage.pointer), owner: storage, isViewOfFile: false)
    }

    /// Builds an owned tensor by filling `count` floats.
    static func build(shape: [Int], _ fill: (UnsafeMutablePointer<Float>) -> Void) -> FloatTensor {
        let storage = FloatStorage(count: shape.reduce(1, *))
        fill(storage.pointer)
        return FloatTensor(shape: shape, storage: storage)
    }

    public var count: Int { shape.reduce(1, *) }

    /// The values, valid only inside `body` (the tensor is kept alive for its duration).
    public func withUnsafeValues<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(owner) { try body(UnsafeBufferPointer(start: pointer, count: count)) }
    }

    /// A copy of the values.
    public var scalars: [Float] { withUnsafeValues { Array($0) } }
}

/// IEEE half and bfloat16 widening, bit exact.
enum HalfPrecision {
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        if exponent == 0 {
            // zero or subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1f {
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
