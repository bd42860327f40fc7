// A linear layer's weight laid out once, at load, in the panel order PanelGemm's tile reads
// ([⌈N/32⌉][K][32], see PanelGemm), in memory of its own: aligned to the 64-byte vector loads of the
// tile and, when it spans huge pages, advised onto them, so that streaming a layer's weights for one
// query does not also walk thousands of page-table entries. Built once and never written afterwards,
// so it is shared by every thread; it never reads a file and never holds activations.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns the aligned bytes of packed panels; freed with the last tensor that views them.
final class AlignedFloatStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Huge pages on x86-64 Linux: allocations of at least this size are aligned to it and advised.
    static let hugePage = 2 << 20

    init(count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let alignment = bytes >= Self.hugePage ? Self.hugePage : 64
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment)
        #if os(Linux)
        if alignment == Self.hugePage {
            // advice only: without transparent huge pages the memory stays in ordinary pages
            _ = madvise(raw, bytes / Self.hugePage * Self.hugePage, MADV_HUGEPAGE)
        }
        #endif
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

extension FloatTensor {
    /// W [N, K] (PyTorch Linear layout) packed as panels [⌈N/32⌉, K, 32], the last one padded with zeros.
    static func panels(packing weight: FloatTensor) -> FloatTensor {
        precondition(weight.shape.count == 2, "a linear layer's weight is [outputs, inputs], not \(weight.shape)")
        let n = weight.shape[0], k = weight.shape[1]
        let storage = AlignedFloatStorage(count: PanelGemm.packedCount(outputs: n, inputs: k))
        weight.withUnsafeValues { values in
            PanelGemm.pack(values.baseAddress!, outputs: n, inputs: k, into: storage.pointer)
        }
        return FloatTensor(
            shape: [PanelGemm.panelCount(outputs: n), k, PanelGemm.panelWidth], pointer: UnsafePointer(storage.pointer),
            owner: storage, isViewOfFile: false)
    }
}
