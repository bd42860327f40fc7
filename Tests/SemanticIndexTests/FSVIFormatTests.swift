// FSVIFormatTests: the FSVI v1 writer and reader against the specification's worked examples (A: two
// records, dim 4; B: an empty fnv1a-384 index), f16 rounding, record order, the writer's validation,
// the reader's refusals (magic, version, CRC, truncation, layout), and lookup by document id.
import Foundation
import SemanticTestSupport
import SemanticCore
import Testing
@testable import SemanticIndex

@Suite("FSVI format")
struct FSVIFormatTests {
    static let exampleA = """
        4653564901000700666e7631612d341500686173682d666e7631612d6d6f64756c61722d76310400000001010000020000000000\
        000080000000000000001e6dff8bab02fc72ab95d44200000000050000005e04fc72ab96d4420500000005000000646f632d61646f\
        632d620000000000000000000000000000000000000000003800b8003800b8a8390000a8b90000
        """

    func exampleAWriter() throws -> FSVIWriter {
        var writer = try FSVIWriter(identity: FSVIIdentity(embedderID: "fnv1a-4", revision: "hash-fnv1a-modular-v1",
                                                           dimension: 4))
        // Appended in reverse order: the writer must sort them.
        try writer.append(documentID: "doc-b", vector: [0.70710677, 0, -0.70710677, 0])
        try writer.append(documentID: "doc-a", vector: [0.5, -0.5, 0.5, -0.5])
        return writer
    }

    @Test("example A: 144 bytes, byte for byte")
    func exampleABytes() throws {
        let bytes = try exampleAWriter().encoded()
        #expect(bytes.count == 144)
        #expect(hexString(bytes) == Self.exampleA)
        #expect(CRC32.checksum(bytes[0..<62]) == 0x8bff_6d1e)
        #expect(FSVIFormat.documentHash(of: "doc-a") == 0x42d4_95ab_72fc_02ab)
    }

    @Test("example B: the empty fnv1a-384 index is its 68-byte header and 60 zero bytes")
    func exampleBBytes() throws {
        let bytes = try FSVIWriter(identity: .hash384).encoded()
        let header = "4653564901000900666e7631612d3338341500686173682d666e7631612d6d6f64756c61722d7631"
            + "80010000" + "01" + "01" + "0000" + "0000000000000000" + "8000000000000000" + "099ae39a"
        #expect(bytes.count == 128)
        #expect(hexString(bytes[0..<68]) == header)
        #expect(bytes[68...].allSatisfy { $0 == 0 })
    }

    @Test("the reader parses example A and the independent reader agrees")
    func readBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("a.fsvi").path
        try Data(bytes(fromHex: Self.exampleA)).write(to: URL(fileURLWithPath: path))
        let file = try FSVIFile(path: path)
        try file.validateFully()
        #expect(file.identity == FSVIIdentity(embedderID: "fnv1a-4", revision: "hash-fnv1a-modular-v1", dimension: 4))
        #expect(file.quantization == .float16 && file.header.compactionGeneration == 1 && file.recordCount == 2)
        #expect(try file.documentID(at: 0) == "doc-a")
        #expect(file.vector(at: 1) == [0.70703125, 0, -0.70703125, 0])
        #expect(file.index(ofDocumentID: "doc-b") == 1)
        #expect(file.index(ofDocumentID: "doc-c") == nil)
        #expect(file.tombstoneCount == 0 && file.writeAheadLog == .none)

        let independent = try IndependentFSVIReader(path: path)
        #expect(independent.records.map(\.documentID) == ["doc-a", "doc-b"])
        #expect(independent.records[0].vector == [0.5, -0.5, 0.5, -0.5])
    }

    @Test("f16 conversion rounds to nearest even, like Float16(Float)")
    func halfPrecision() {
        #expect(HalfPrecision.bits(from: 0.70710677) == 0x39a8)
        #expect(HalfPrecision.bits(from: 0.40824828) == 0x3688)
        var samples: [Float] = [0, -0.0, 1, -1, 65504, 65520, 65519.99, 1e-8, 5.96e-8, 2.98e-8, 2.9802322e-8,
                                6.1e-5, 6.097555e-5, .infinity, -.infinity, .greatestFiniteMagnitude, 1.0009766,
                                1.00048828125, 1.00146484375, Float(bitPattern: 0x3380_0001)]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 { samples.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))) }
        for exponent in -30...17 {
            for _ in 0..<200 {
                samples.append(Float.random(in: -1...1) * powf(2, Float(exponent)))
            }
        }
        var mismatches = 0
        for value in samples where !value.isNaN {
            if HalfPrecision.bits(from: value) != Float16(value).bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        for bits in UInt16.min...UInt16.max where HalfPrecision.isFinite(bits) {
            if HalfPrecision.float(fromBits: bits) != Float(Float16(bitPattern: bits)) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(HalfPrecision.float(fromBits: 0x7E00).isNaN && HalfPrecision.bits(from: .nan) & 0x7C00 == 0x7C00)
    }

    @Test("records sort by hash, then id bytes; exact duplicates keep insertion order")
    func recordOrder() throws {
        var writer = try FSVIWriter(identity: FSVIIdentity(embedderID: "t", revision: "", dimension: 2))
        let ids = (0..<300).map { "document-\($0)" }.shuffled()
        for (position, id) in ids.enumerated() {
            try writer.append(documentID: id, vector: [1, Float(position)])
        }
        try writer.append(documentID: "document-7", vector: [2, 1])  // an exact duplicate, stored second
        let reader = try IndependentFSVIReader(bytes: writer.encoded())
        #expect(reader.records.count == 301)
        let sevens = reader.records.filter { $0.documentID == "document-7" }
        #expect(sevens.count == 2 && sevens[1].vector == [2, 1])
        #expect(reader.revision == "" && reader.embedderID == "t")
    }

    @Test("f32 storage round-trips exactly")
    func float32Storage() throws {
        var writer = try FSVIWriter(identity: FSVIIdentity(embedderID: "x", revision: "r", dimension: 3),
                                    quantization: .float32)
        try writer.append(documentID: "one", vector: [0.1, 0.2, 0.3])
        let reader = try IndependentFSVIReader(bytes: writer.encoded())
        #expect(reader.quantization == 0 && reader.records[0].vector == [0.1, 0.2, 0.3])
    }

    @Test("the writer refuses what the reference writer refuses")
    func writerValidation() throws {
        #expect(throws: FSVIError.self) { try FSVIWriter(identity: FSVIIdentity(embedderID: "", revision: "", dimension: 4)) }
        #expect(throws: FSVIError.self) { try FSVIWriter(identity: FSVIIdentity(embedderID: "x", revision: "", dimension: 0)) }
        var writer = try FSVIWriter(identity: FSVIIdentity(embedderID: "x", revision: "", dimension: 2))
        #expect(throws: FSVIError.invalidRecord(documentID: "z", problem: "zero-norm vector")) {
            try writer.append(documentID: "z", vector: [0, 0])
        }
        #expect(throws: FSVIError.self) { try writer.append(documentID: "n", vector: [.nan, 1]) }
        #expect(throws: FSVIError.self) { try writer.append(documentID: "i", vector: [.infinity, 1]) }
        #expect(throws: FSVIError.self) { try writer.append(documentID: "d", vector: [1, 2, 3]) }
        #expect(throws: FSVIError.self) {
            try writer.append(documentID: String(repeating: "x", count: 65_536), vector: [1, 0])
        }
        try writer.append(documentID: String(repeating: "x", count: 65_535), vector: [1, 0])
        #expect(writer.count == 1)
    }

    func writeCorrupted(_ change: (inout [UInt8]) -> Void) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        var bytes = try exampleAWriter().encoded()
        change(&bytes)
        let path = directory.path("index.fsvi").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    func openError(_ change: (inout [UInt8]) -> Void) throws -> FSVIError? {
        let (directory, path) = try writeCorrupted(change)
        defer { directory.remove() }
        do {
            _ = try FSVIFile(path: path)
            return nil
        } catch {
            return error
        }
    }

    func recomputeChecksum(_ bytes: inout [UInt8]) {
        let checksum = CRC32.checksum(bytes[0..<62])
        for index in 0..<4 { bytes[62 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
    }

    @Test("the reader refuses bad magic, other versions, bad CRC, truncation and impossible layouts")
    func readerRefusals() throws {
        let badMagic = try openError { $0[0] = 0x47 }
        #expect(badMagic?.description.contains("magic") == true)
        let version = try openError { $0[4] = 2 }
        #expect(version?.description.contains("FSVI format version 2; only version 1") == true)
        let crc = try openError { $0[38] = 5 }
        #expect(crc?.description.contains("header checksum") == true)
        let truncated = try openError { $0 = Array($0[0..<40]) }
        #expect(truncated?.description.contains("ends inside the header's dimension") == true)
        let shortSlab = try openError { $0.removeLast() }
        #expect(shortSlab?.description.contains("vectors need 144") == true)
        let zeroDimension = try openError { $0[38] = 0; recomputeChecksum(&$0) }
        #expect(zeroDimension?.description.contains("dimension is 0") == true)
        let quantization = try openError { $0[42] = 7; recomputeChecksum(&$0) }
        #expect(quantization?.description.contains("quantization byte is 7") == true)
        let offsetInsideTable = try openError { $0[54] = 0x40; recomputeChecksum(&$0) }
        #expect(offsetInsideTable?.description.contains("inside the record table") == true)
        let badUTF8 = try openError { $0[9] = 0xFF; recomputeChecksum(&$0) }
        #expect(badUTF8?.description.contains("not UTF-8") == true)
        #expect(try openError { _ in } == nil)
        let missing = try TemporaryDirectory()
        defer { missing.remove() }
        #expect(throws: FSVIError.notFound(path: missing.path("none.fsvi").path)) {
            try FSVIFile(path: missing.path("none.fsvi").path)
        }
    }

    @Test("full validation catches what the plain open does not: order, padding, hashes")
    func fullValidation() throws {
        let (directory, path) = try writeCorrupted { bytes in
            // Swap the two records' table entries: still parseable, no longer sorted.
            let first = Array(bytes[66..<82]), second = Array(bytes[82..<98])
            bytes.replaceSubrange(66..<82, with: second)
            bytes.replaceSubrange(82..<98, with: first)
        }
        defer { directory.remove() }
        let file = try FSVIFile(path: path)
        #expect(throws: FSVIError.self) { try file.validateFully() }
        #expect(throws: IndependentFSVIReader.Failure.self) { try IndependentFSVIReader(path: path) }

        let (paddingDirectory, paddingPath) = try writeCorrupted { $0[110] = 1 }
        defer { paddingDirectory.remove() }
        let padded = try FSVIFile(path: paddingPath)
        #expect(throws: FSVIError.self) { try padded.validateFully() }
    }

    @Test("an exclusive lock held elsewhere makes a shared open fail instead of waiting")
    func locking() throws {
        let (directory, path) = try writeCorrupted { _ in }
        defer { directory.remove() }
        let holder = try FSVIFile(path: path, lock: .exclusive)
        #expect(throws: FSVIError.locked(path: path)) { try FSVIFile(path: path, lock: .shared) }
        _ = holder
        _ = try FSVIFile(path: path, lock: .none)
    }
}
