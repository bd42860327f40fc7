// WriteAheadLogAndPublishingTests: reading the WAL sidecar (example D, staleness, damage, last-write-
// wins) and publishing an index atomically: temp file + rename, generation rules, refusing to publish a
// fresh index over a WAL, retiring the WAL on replacement, and never leaving a temporary file behind.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticIndex

@Suite("WAL sidecar and atomic publishing")
struct WriteAheadLogAndPublishingTests {
    static let header = bytes(fromHex: "46 57 41 4c 01 00 04 00 00 00 01 02 00 00 00 00 64 6d 9f 5c")
    static let batch = bytes(fromHex: "46 57 42 31 01 00 00 00 05 00 64 6f 63 2d 63 00 00 00 3c 00 00 00 00 f1 79 fb 11")

    func parse(_ bytes: [UInt8], generation: UInt8 = 1) -> FSVIWriteAheadLog.Contents {
        bytes.withUnsafeBytes { FSVIWriteAheadLog.parse($0, dimension: 4, quantization: .float16, generation: generation) }
    }

    /// A batch of `entries` (document id, one f16 value repeated) with its checksum.
    func batch(_ entries: [(String, UInt16)]) -> [UInt8] {
        var bytes: [UInt8] = Array("FWB1".utf8)
        bytes.appendLittleEndian(UInt32(entries.count))
        for (id, value) in entries {
            bytes.appendLittleEndian(UInt16(id.utf8.count))
            bytes.append(contentsOf: id.utf8)
            for _ in 0..<4 { bytes.appendLittleEndian(value) }
        }
        bytes.appendLittleEndian(CRC32.checksum(bytes))
        return bytes
    }

    @Test("example D: one entry bound to generation 1")
    func exampleD() {
        #expect(CRC32.checksum(Self.header[0..<16]) == 0x5c9f_6d64)
        #expect(parse(Self.header + Self.batch)
                == .entries([.init(documentID: "doc-c", vectorBytes: [0, 0, 0, 0x3c, 0, 0, 0, 0])]))
        #expect(parse(Self.header) == .entries([]))
        #expect(parse(Array(Self.header[0..<19])) == .none, "shorter than a header: no entries")
    }

    @Test("staleness follows the compaction generation")
    func staleness() {
        #expect(parse(Self.header + Self.batch, generation: 2) == .stale(generation: 2))
        var legacy = Self.header
        legacy[11] = 0
        let checksum = CRC32.checksum(legacy[0..<16])
        for index in 0..<4 { legacy[16 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
        #expect(parse(legacy + Self.batch, generation: 1) == .stale(generation: 0))
        #expect(parse(legacy + Self.batch, generation: 0).liveEntries.count == 1)
        var wrapped = legacy
        wrapped[11] = 1
        let wrappedChecksum = CRC32.checksum(wrapped[0..<16])
        for index in 0..<4 { wrapped[16 + index] = UInt8(truncatingIfNeeded: wrappedChecksum >> (8 * index)) }
        #expect(parse(wrapped + Self.batch, generation: 255).liveEntries.count == 1, "255 is followed by 1")
    }

    @Test("a damaged header is corrupt; a damaged batch ends the log; the last write of an id wins")
    func damage() {
        var badCRC = Self.header
        badCRC[19] ^= 1
        if case .corrupt = parse(badCRC + Self.batch) {} else { Issue.record("a bad header CRC must be corrupt") }
        var otherDimension = Self.header
        otherDimension[6] = 8
        if case .corrupt = parse(otherDimension) {} else { Issue.record("a dimension mismatch must be corrupt") }

        var truncatedBatch = Self.batch
        truncatedBatch.removeLast()
        #expect(parse(Self.header + Self.batch + truncatedBatch).liveEntries.count == 1)
        var badBatchCRC = batch([("late", 0x3c00)])
        badBatchCRC[badBatchCRC.count - 1] ^= 0xFF
        #expect(parse(Self.header + Self.batch + badBatchCRC).liveEntries.map(\.documentID) == ["doc-c"])

        let log = Self.header + batch([("a", 0x3c00), ("b", 0x3c00)]) + batch([("a", 0x4000)])
        let entries = parse(log).liveEntries
        #expect(entries.map(\.documentID) == ["b", "a"])
        #expect(entries[1].vectorBytes == [0, 0x40, 0, 0x40, 0, 0x40, 0, 0x40])
    }

    func smallWriter(_ ids: [String] = ["doc-a"]) throws -> FSVIWriter {
        var writer = try FSVIWriter(identity: FSVIIdentity(embedderID: "fnv1a-4", revision: "r", dimension: 4))
        for id in ids { try writer.append(documentID: id, vector: [1, 0, 0, 0]) }
        return writer
    }

    @Test("the reader loads the sidecar and refuses a damaged one unless told to tolerate it")
    func readerAndSidecar() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("index-fnv1a-4.fsvi").path
        try IndexPublisher.publish(try smallWriter(), at: path, replacing: nil)
        try Data(Self.header + Self.batch).write(to: URL(fileURLWithPath: path + ".wal"))
        #expect(try FSVIFile(path: path).writeAheadLog.liveEntries.count == 1)

        try Data(Array(Self.header[0..<19]) + [0]).write(to: URL(fileURLWithPath: path + ".wal"))
        #expect(throws: FSVIError.self) { try FSVIFile(path: path) }
        if case .corrupt = try FSVIFile(path: path, toleratingCorruptWriteAheadLog: true).writeAheadLog {} else {
            Issue.record("expected a corrupt WAL")
        }
    }

    @Test("a fresh publish: generation 1, no temporary file left, file mode 0644")
    func freshPublish() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("index-fnv1a-4.fsvi").path
        let header = try IndexPublisher.publish(try smallWriter(), at: path, replacing: nil)
        #expect(header.compactionGeneration == 1)
        #expect(try fileBytes(path) == (try smallWriter()).encoded())
        #expect(directoryEntries(directory.url.path) == ["index-fnv1a-4.fsvi"])
    }

    @Test("a fresh publish refuses to land next to a WAL, and cleans up after itself")
    func freshPublishOverWAL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("index-fnv1a-4.fsvi").path
        try Data(Self.header).write(to: URL(fileURLWithPath: path + ".wal"))
        #expect(throws: FSVIError.writeAheadLogInTheWay(path: path + ".wal")) {
            try IndexPublisher.publish(try smallWriter(), at: path, replacing: nil)
        }
        #expect(directoryEntries(directory.url.path) == ["index-fnv1a-4.fsvi.wal"])
    }

    @Test("a replacement bumps the generation, skips one the old WAL binds to, and retires the WAL")
    func replacement() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("index-fnv1a-4.fsvi").path
        let first = try IndexPublisher.publish(try smallWriter(), at: path, replacing: nil)

        try Data(Self.header + Self.batch).write(to: URL(fileURLWithPath: path + ".wal"))  // binds to gen 1
        let second = try IndexPublisher.publish(try smallWriter(["doc-b"]), at: path, replacing: first)
        #expect(second.compactionGeneration == 2)
        #expect(directoryEntries(directory.url.path) == ["index-fnv1a-4.fsvi"])

        // The next file would be generation 3; a WAL stamped 4 would bind to it, so it must skip to 4.
        var bindsToNext = Self.header
        bindsToNext[11] = 4
        try Data(bindsToNext).write(to: URL(fileURLWithPath: path + ".wal"))
        let third = try IndexPublisher.publish(try smallWriter(["doc-c"]), at: path, replacing: second)
        #expect(third.compactionGeneration == 4)
        #expect(directoryEntries(directory.url.path).contains("index-fnv1a-4.fsvi.wal.corrupt.0"),
                "a damaged WAL (its CRC no longer matches) is moved aside, not deleted")
        #expect(try IndependentFSVIReader(path: path).records.map(\.documentID) == ["doc-c"])
    }

    @Test("a write failure removes the temporary file")
    func failedWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("missing-subdirectory/index.fsvi").path
        #expect(throws: FSVIError.self) { try IndexPublisher.publish(try smallWriter(), at: path, replacing: nil) }
        #expect(directoryEntries(directory.url.path).isEmpty)
    }
}
