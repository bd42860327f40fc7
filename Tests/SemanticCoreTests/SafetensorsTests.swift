// Safetensors reader: the tiny models read correctly, F16/BF16/I64 and unaligned F32 are handled, and each
// kind of corruption (written into a temporary copy) fails with its own specific error.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

/// Writes safetensors files for the tests: a header object (or raw header bytes) followed by data.
enum SafetensorsFixture {
    static func write(headerBytes: [UInt8], data: [UInt8], to url: URL, declaredLength: UInt64? = nil) throws {
        var bytes: [UInt8] = []
        var length = (declaredLength ?? UInt64(headerBytes.count)).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        bytes.append(contentsOf: data)
        try Data(bytes).write(to: url)
    }

    static func write(header: [String: Any], data: [UInt8], to url: URL) throws {
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        try write(headerBytes: Array(json), data: data, to: url)
    }

    /// The header object and data section of an existing file.
    static func read(_ url: URL) throws -> (header: [String: Any], data: [UInt8]) {
        let bytes = Array(try Data(contentsOf: url))
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as! [String: Any]
        return (header, Array(bytes[(8 + length)...]))
    }

    /// A copy of the tiny embedder's weights with `edit` applied to its header.
    static func corruptedTinyCopy(in directory: TemporaryDirectory, _ edit: (inout [String: Any]) -> Void) throws -> URL {
        var (header, data) = try read(Fixtures.tinyEmbedderDirectory.appendingPathComponent("model.safetensors"))
        edit(&header)
        let url = directory.path("model.safetensors")
        try write(header: header, data: data, to: url)
        return url
    }

    static func bytes<T>(of values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }
}

/// Runs `body` and returns the `SafetensorsError` it throws (or records a failure).
func expectSafetensorsError(_ body: () throws -> Void) -> SafetensorsError? {
    do {
        try body()
        Issue.record("expected a SafetensorsError, nothing was thrown")
    } catch let error as SafetensorsError {
        print("error as the user sees it: \(error)")
        return error
    } catch {
        Issue.record("expected a SafetensorsError, got \(error)")
    }
    return nil
}

@Suite struct SafetensorsReadingTests {
    @Test func readsTinyEmbedderInPlace() throws {
        let file = try SafetensorsFile(url: Fixtures.tinyEmbedderDirectory.appendingPathComponent("model.safetensors"))
        #expect(file.entries.count == 53)
        #expect(file.metadata["format"] == "pt")
        let words = try file.floats("embeddings.word_embeddings.weight", shape: [30522, 16])
        #expect(words.isViewOfFile)
        #expect(words.count == 30522 * 16)
        let bias = try file.floats("encoder.layer.0.intermediate.dense.bias")
        #expect(bias.shape == [48])
        #expect(bias.scalars.allSatisfy { $0.isFinite })
    }

    @Test func readsTinyCrossEncoderWithPrefix() throws {
        let file = try SafetensorsFile(url: Fixtures.tinyCrossEncoderDirectory.appendingPathComponent("model.safetensors"))
        #expect(file.contains("bert.pooler.dense.weight"))
        #expect(try file.floats("classifier.weight").shape == [1, 16])
    }

    @Test func convertsHalfAndBFloat16AndRejectsIntegerWeights() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // F16: 1, -2.5, 65504 (max), 2^-24 (smallest subnormal), -0, +inf
        let half: [UInt16] = [0x3c00, 0xc100, 0x7bff, 0x0001, 0x8000, 0x7c00]
        // BF16: 1, -2.5, 3.140625
        let bfloat: [UInt16] = [0x3f80, 0xc020, 0x4049]
        let integers: [Int64] = [0, 1, 2, 3]
        let data = SafetensorsFixture.bytes(of: half) + SafetensorsFixture.bytes(of: bfloat) + SafetensorsFixture.bytes(of: integers)
        let header: [String: Any] = [
            "__metadata__": ["format": "pt"],
            "h": ["dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]],
            "b": ["dtype": "BF16", "shape": [3], "data_offsets": [12, 18]],
            "i": ["dtype": "I64", "shape": [1, 4], "data_offsets": [18, 50]],
        ]
        let url = directory.path("mixed.safetensors")
        try SafetensorsFixture.write(header: header, data: data, to: url)
        let file = try SafetensorsFile(url: url)
        let h = try file.floats("h")
        #expect(!h.isViewOfFile)
        #expect(h.scalars == [1, -2.5, 65504, Float(sign: .plus, exponent: -24, significand: 1), -0.0, .infinity])
        let b = try file.floats("b").scalars
        #expect(b == [1, -2.5, 3.140625], "\(b)")
        #expect(try file.entry("i").dtype == .i64)
        let error = expectSafetensorsError { _ = try file.floats("i") }
        #expect(error == .notFloatingPoint(path: url.path, tensor: "i", dtype: "I64"))
    }

    @Test func copiesUnalignedFloat32() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let values: [Float] = [0.5, -1, 3]
        // A header of 4k+1 bytes puts the data section at an odd offset.
        var json = Array(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#.utf8)
        while json.count % 4 != 1 { json.append(0x20) }
        let url = directory.path("odd.safetensors")
        try SafetensorsFixture.write(headerBytes: json, data: SafetensorsFixture.bytes(of: values), to: url)
        let tensor = try SafetensorsFile(url: url).floats("x")
        #expect(!tensor.isViewOfFile)
        #expect(tensor.scalars == values)
    }
}

@Suite struct SafetensorsCorruptionTests {
    @Test func missingFile() throws {
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: URL(fileURLWithPath: "/nonexistent/model.safetensors")) }
        guard case .unreadableFile(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == "/nonexistent/model.safetensors")
    }

    @Test func fileShorterThanHeaderLength() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("short.safetensors")
        try Data([1, 2, 3]).write(to: url)
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .fileTooSmall(path: url.path, byteCount: 3))
    }

    @Test func headerLengthLargerThanFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("model.safetensors")
        try SafetensorsFixture.write(headerBytes: Array("{}".utf8), data: [], to: url, declaredLength: 1 << 40)
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .headerLengthExceedsFile(path: url.path, headerLength: 1 << 40, fileSize: 10))
    }

    @Test func headerNotUTF8() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("model.safetensors")
        try SafetensorsFixture.write(headerBytes: [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d], data: [], to: url)
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .headerNotUTF8(path: url.path))
    }

    @Test func headerNotJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("model.safetensors")
        try SafetensorsFixture.write(headerBytes: Array(#"{"x": {"dtype": "F32", "#.utf8), data: [], to: url)
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        guard case .headerNotJSON(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == url.path)
    }

    @Test func headerNotAnObject() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("model.safetensors")
        try SafetensorsFixture.write(headerBytes: Array("[1, 2]".utf8), data: [], to: url)
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .headerNotJSON(path: url.path, detail: "the top level is not an object"))
    }

    @Test func unknownDType() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            var entry = header["embeddings.LayerNorm.bias"] as! [String: Any]
            entry["dtype"] = "F8_E4M3"
            header["embeddings.LayerNorm.bias"] = entry
        }
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .unknownDType(path: url.path, tensor: "embeddings.LayerNorm.bias", dtype: "F8_E4M3"))
    }

    @Test func shapeDisagreesWithByteSpan() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            var entry = header["embeddings.LayerNorm.weight"] as! [String: Any]
            entry["shape"] = [17]
            header["embeddings.LayerNorm.weight"] = entry
        }
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .byteSpanMismatch(path: url.path, tensor: "embeddings.LayerNorm.weight", shape: [17], dtype: "F32", expectedBytes: 68, foundBytes: 64))
    }

    @Test func offsetsPastTheEnd() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            var entry = header["encoder.layer.2.output.dense.weight"] as! [String: Any]
            entry["data_offsets"] = [2019456, 2019456 + 3072]
            header["encoder.layer.2.output.dense.weight"] = entry
        }
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .offsetsOutOfBounds(path: url.path, tensor: "encoder.layer.2.output.dense.weight", begin: 2019456, end: 2022528, dataSize: 2019456))
    }

    @Test func offsetsBackwards() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            var entry = header["embeddings.LayerNorm.bias"] as! [String: Any]
            entry["data_offsets"] = [64, 0]
            header["embeddings.LayerNorm.bias"] = entry
        }
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .offsetsOutOfBounds(path: url.path, tensor: "embeddings.LayerNorm.bias", begin: 64, end: 0, dataSize: 2019456))
    }

    @Test func overlappingTensors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            var entry = header["embeddings.LayerNorm.weight"] as! [String: Any]
            entry["data_offsets"] = [32, 96]  // overlaps LayerNorm.bias [0, 64]
            header["embeddings.LayerNorm.weight"] = entry
        }
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        #expect(error == .overlappingTensors(path: url.path, first: "embeddings.LayerNorm.bias", second: "embeddings.LayerNorm.weight"))
    }

    @Test func entryWithoutOffsets() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            var entry = header["embeddings.LayerNorm.bias"] as! [String: Any]
            entry["data_offsets"] = nil
            header["embeddings.LayerNorm.bias"] = entry
        }
        let error = expectSafetensorsError { _ = try SafetensorsFile(url: url) }
        guard case .malformedEntry(_, let tensor, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(tensor == "embeddings.LayerNorm.bias")
    }

    @Test func missingTensorNamesTensorAndFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { header in
            header["encoder.layer.1.attention.self.key.weight"] = nil
        }
        let file = try SafetensorsFile(url: url)
        let error = expectSafetensorsError { _ = try file.floats("encoder.layer.1.attention.self.key.weight") }
        #expect(error == .missingTensor(path: url.path, tensor: "encoder.layer.1.attention.self.key.weight"))
        #expect(error?.description.contains("make models") == true)
    }

    @Test func wrongShapeForNamedTensor() throws {
        let file = try SafetensorsFile(url: Fixtures.tinyEmbedderDirectory.appendingPathComponent("model.safetensors"))
        let error = expectSafetensorsError { _ = try file.floats("encoder.layer.0.output.dense.weight", shape: [48, 16]) }
        #expect(error == .wrongShape(path: file.url.path, tensor: "encoder.layer.0.output.dense.weight", expected: [48, 16], found: [16, 48]))
    }
}
