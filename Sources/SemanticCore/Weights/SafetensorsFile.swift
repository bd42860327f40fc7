// Reader for the safetensors format: an 8-byte little-endian header length, a JSON header naming every
// tensor (dtype, shape, data_offsets), then the raw little-endian data. The file is read once into private memory
// (FileImage; mapped only when the caller asks) and validated whole at open; F32 tensors are then used in place, F16/BF16 are widened to f32 on request.
// It never writes the file and never guesses: anything inconsistent is a `SafetensorsError`.
import Foundation

/// The element types this reader accepts. I64 tensors (e.g. `embeddings.position_ids`) are listed but
/// cannot be read as floats.
public enum TensorDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case i64 = "I64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .i64: return 8
        }
    }
}

/// One tensor as the header describes it. `byteRange` is relative to the start of the data section.
public struct TensorEntry: Sendable, Equatable {
    public let name: String
    public let dtype: TensorDType
    public let shape: [Int]
    public let byteRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A validated safetensors file, held in memory. Immutable and shareable across threads.
public final class SafetensorsFile: Sendable {
    public let url: URL
    /// Every tensor of the header, by name.
    public let entries: [String: TensorEntry]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]

    let mapping: FileImage
    /// Offset of the data section in the file: 8 + header length.
    let dataStart: Int

    /// Reads (or maps, as `storage` says) `url` and validates its header and every tensor entry.
    public init(url: URL, storage: WeightStorage = .privateCopy) throws {
        let mapping = try FileImage(url: url, storage: storage)
        let path = url.path
        let bytes = mapping.bytes
        guard bytes.count >= 8 else { throw SafetensorsError.fileTooSmall(path: path, byteCount: bytes.count) }

        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafetensorsError.headerLengthExceedsFile(path: path, headerLength: headerLength, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart])
        guard String(validating: headerBytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil else {
            throw SafetensorsError.headerNotUTF8(path: path)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(headerBytes), options: [])
        } catch {
            throw SafetensorsError.headerNotJSON(path: path, detail: "\(error.localizedDescription)")
        }
        guard let header = object as? [String: Any] else {
            throw SafetensorsError.headerNotJSON(path: path, detail: "the top level is not an object")
        }

        let dataSize = bytes.count - dataStart
        var entries: [String: TensorEntry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw SafetensorsError.headerNotJSON(path: path, detail: "__metadata__ is not an object")
                }
                for (key, item) in map { metadata[key] = (item as? String) ?? "\(item)" }
                continue
            }
            entries[name] = try Self.parseEntry(name: name, value: value, dataSize: dataSize, path: path)
        }
        try Self.checkOverlaps(entries.values, path: path)

        self.url = url
        self.mapping = mapping
        self.dataStart = dataStart
        self.entries = entries
        self.metadata = metadata
    }

    /// Tensor names, sorted.
    public var tensorNames: [String] { entries.keys.sorted() }

    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The header entry of `name`, or `missingTensor`.
    public func entry(_ name: String) throws -> TensorEntry {
        guard let entry = entries[name] else { throw SafetensorsError.missingTensor(path: url.path, tensor: name) }
        return entry
    }

    /// The raw bytes of a tensor, inside the file's image.
    public func rawBytes(of entry: TensorEntry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping.bytes[(dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)])
    }

    /// Tensor `name` as f32, checked against `shape` when given. F32 data that is 4-byte aligned is a view
    /// of the file's image (no second copy); F16/BF16 (and unaligned F32) are converted once into owned storage.
    public func floats(_ name: String, shape expected: [Int]? = nil) throws -> FloatTensor {
        let entry = try entry(name)
        if let expected, expected != entry.shape {
            throw SafetensorsError.wrongShape(path: url.path, tensor: name, expected: expected, found: entry.shape)
        }
        let raw = rawBytes(of: entry)
        let count = entry.elementCount
        switch entry.dtype {
        case .i64:
            throw SafetensorsError.notFloatingPoint(path: url.path, tensor: name, dtype: entry.dtype.rawValue)
        case .f32:
            if count > 0, let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                return FloatTensor(shape: entry.shape, pointer: base.assumingMemoryBound(to: Float.self), owner: mapping, isViewOfFile: true)
            }
            let storage = FloatStorage(count: count)
            if count > 0 { UnsafeMutableRawPointer(storage.pointer).copyMemory(from: raw.baseAddress!, byteCount: count * 4) }
            return FloatTensor(shape: entry.shape, storage: storage)
        case .f16:
            let storage = FloatStorage(count: count)
            for i in 0..<count {
                storage.pointer[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
            return FloatTensor(shape: entry.shape, storage: storage)
        case .bf16:
            let storage = FloatStorage(count: count)
            for i in 0..<count {
                storage.pointer[i] = HalfPrecision.float(fromBFloat16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
            return FloatTensor(shape: entry.shape, storage: storage)
        }
    }

    // MARK: - Header validation

    private static func parseEntry(name: String, value: Any, dataSize: Int, path: String) throws -> TensorEntry {
        guard let fields = value as? [String: Any] else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "expected an object with dtype, shape and data_offsets")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "expected a string 'dtype'")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw SafetensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shape = nonNegativeIntegers(fields["shape"]) else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "expected 'shape' to be an array of non-negative integers")
        }
        guard let offsets = nonNegativeIntegers(fields["data_offsets"]), offsets.count == 2 else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "expected 'data_offsets' to be two non-negative integers [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataSize else {
            throw SafetensorsError.offsetsOutOfBounds(path: path, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        var expectedBytes = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = expectedBytes.multipliedReportingOverflow(by: dimension)
            expectedBytes = overflow ? Int.max : product
        }
        guard expectedBytes == end - begin else {
            throw SafetensorsError.byteSpanMismatch(
                path: path, tensor: name, shape: shape, dtype: dtype.rawValue, expectedBytes: expectedBytes, foundBytes: end - begin)
        }
        return TensorEntry(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    private static func nonNegativeIntegers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        result.reserveCapacity(array.count)
        for item in array {
            guard let number = item as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double >= 0, double == double.rounded(), double < 9.0e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }

    private static func checkOverlaps(_ entries: Dictionary<String, TensorEntry>.Values, path: String) throws {
        let spans = entries.filter { !$0.byteRange.isEmpty }.sorted {
            ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name)
        }
        guard spans.count > 1 else { return }
        for i in 1..<spans.count where spans[i].byteRange.lowerBound < spans[i - 1].byteRange.upperBound {
            throw SafetensorsError.overlappingTensors(path: path, first: spans[i - 1].name, second: spans[i].name)
        }
    }
}
