// Writes well-formed safetensors files from named tensors: the 8-byte header length, a JSON header
// (sorted keys, padded with spaces so the data starts 8-byte aligned) and the data in the order the
// tensors were added. For fixtures built from other models (`SeededCrossEncoder`); deliberately broken
// files are the safetensors tests' own business. Never overwrites a file it did not create.
import Foundation
import SemanticCore

public struct SafetensorsWriter {
    private var header: [String: Any] = [:]
    private var data = Data()

    public init() {}

    /// True until a tensor is added.
    public var isEmpty: Bool { header.isEmpty }

    /// Adds `bytes` (little-endian, `shape`'s element count of `dtype`) as tensor `name`.
    public mutating func add(_ name: String, dtype: TensorDType, shape: [Int], bytes: UnsafeRawBufferPointer) throws {
        guard header[name] == nil else { throw FixtureError.malformed("tensor \(name) added twice") }
        let expected = shape.reduce(1, *) * dtype.byteSize
        guard bytes.count == expected else {
            throw FixtureError.malformed("tensor \(name) of shape \(shape) (\(dtype.rawValue)) needs \(expected) bytes, given \(bytes.count)")
        }
        header[name] = ["dtype": dtype.rawValue, "shape": shape, "data_offsets": [data.count, data.count + bytes.count]]
        data.append(contentsOf: bytes)
    }

    /// Adds `values` as an F32 tensor of `shape`.
    public mutating func add(_ name: String, shape: [Int], floats values: [Float]) throws {
        try values.withUnsafeBytes { try add(name, dtype: .f32, shape: shape, bytes: $0) }
    }

    /// Adds every tensor of `file` (its metadata left out), each under `rename(name)`.
    public mutating func addTensors(of file: SafetensorsFile, renamed rename: (String) -> String = { $0 },
                                    where include: (String) -> Bool = { _ in true }) throws {
        for name in file.tensorNames where include(name) {
            let entry = try file.entry(name)
            try add(rename(name), dtype: entry.dtype, shape: entry.shape, bytes: file.rawBytes(of: entry))
        }
    }

    /// Writes the file at `url`, which must not exist yet.
    public func write(to url: URL) throws {
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.malformed("\(url.path) exists; a safetensors fixture is written to a fresh path")
        }
        var headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        file.append(data)
        try file.write(to: url)
    }
}
