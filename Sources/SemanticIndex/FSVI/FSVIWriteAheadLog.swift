// FSVIWriteAheadLog: reads the optional `<index>.fsvi.wal` sidecar (v1 WAL) the way the reference reader
// does: header check, batches up to the first damaged one, last-write-wins de-duplication, staleness by
// compaction generation. semd never writes a WAL (it always publishes a whole new file); it only has to
// read one correctly and retire it when it replaces the index. Never modifies the file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum FSVIWriteAheadLog {
    public static let magic: [UInt8] = Array("FWAL".utf8)
    public static let batchMagic: [UInt8] = Array("FWB1".utf8)
    public static let headerByteCount = 20

    /// One appended record: a document id and its vector bytes in the index's quantisation.
    public struct Entry: Sendable, Equatable {
        public var documentID: String
        public var vectorBytes: [UInt8]
    }

    /// What the sidecar next to an index amounts to.
    public enum Contents: Sendable, Equatable {
        /// No sidecar, or one shorter than a header: no entries.
        case none
        /// A valid header bound to another generation of the index: its entries do not count.
        case stale(generation: UInt8)
        /// A damaged header: a reader must refuse it; a writer moves it aside.
        case corrupt(problem: String)
        /// Live entries, de-duplicated (last occurrence wins, in order of last occurrence).
        case entries([Entry])

        /// Live entries that supersede the main file's records.
        public var liveEntries: [Entry] {
            if case .entries(let entries) = self { return entries }
            return []
        }
    }

    /// The sidecar path of an index.
    public static func path(forIndexAt indexPath: String) -> String { indexPath + ".wal" }

    /// Whether a sidecar exists in any form (checked with `lstat`, so a dangling link counts).
    public static func exists(forIndexAt indexPath: String) -> Bool {
        var status = stat()
        return lstat(path(forIndexAt: indexPath), &status) == 0
    }

    /// The generation byte of the sidecar's header, if it has one.
    static func storedGeneration(forIndexAt indexPath: String) -> UInt8? {
        guard let file = try? MappedFile(path: path(forIndexAt: indexPath), lock: .none),
              file.bytes.count >= 12 else { return nil }
        return file.bytes[11]
    }

    /// Reads the sidecar of the index at `indexPath`, whose header says `dimension`, `quantization` and
    /// `generation`.
    public static func load(forIndexAt indexPath: String, dimension: Int, quantization: FSVIQuantization,
                            generation: UInt8) -> Contents {
        guard let file = try? MappedFile(path: path(forIndexAt: indexPath), lock: .none) else { return .none }
        return parse(file.bytes, dimension: dimension, quantization: quantization, generation: generation)
    }

    /// Parses sidecar bytes (see `load`).
    public static func parse(_ bytes: UnsafeRawBufferPointer, dimension: Int, quantization: FSVIQuantization,
                             generation mainGeneration: UInt8) -> Contents {
        guard bytes.count >= headerByteCount else { return .none }
        var reader = ByteReader(bytes)
        guard let magicBytes = reader.readBytes(4), magicBytes.elementsEqual(magic) else {
            return .corrupt(problem: "bad magic")
        }
        let version = reader.read(UInt16.self)!
        let walDimension = reader.read(UInt32.self)!
        let walQuantization = reader.read(UInt8.self)!
        let walGeneration = reader.read(UInt8.self)!
        _ = reader.read(UInt32.self)!
        let storedChecksum = reader.read(UInt32.self)!
        guard version == 1 else { return .corrupt(problem: "version \(version), expected 1") }
        guard Int(walDimension) == dimension else {
            return .corrupt(problem: "dimension \(walDimension), the index has \(dimension)")
        }
        guard walQuantization == quantization.rawValue else {
            return .corrupt(problem: "quantization \(walQuantization), the index has \(quantization.rawValue)")
        }
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<16]))
        guard computed == storedChecksum else { return .corrupt(problem: "header checksum mismatch") }

        let isStale = walGeneration == 0
            ? mainGeneration > 0
            : walGeneration != FSVIFormat.generation(after: mainGeneration)
        if isStale { return .stale(generation: walGeneration) }

        var entries: [Entry] = []
        let vectorBytes = dimension * quantization.bytesPerElement
        batches: while reader.remaining > 0 {
            let batchStart = reader.offset
            guard let batchMagicBytes = reader.readBytes(4), batchMagicBytes.elementsEqual(batchMagic),
                  let entryCount = reader.read(UInt32.self) else { break }
            var batch: [Entry] = []
            for _ in 0..<entryCount {
                guard let idLength = reader.read(UInt16.self),
                      let idBytes = reader.readBytes(Int(idLength)),
                      let documentID = decodeUTF8Strictly(idBytes),
                      let vector = reader.readBytes(vectorBytes) else { break batches }
                batch.append(Entry(documentID: documentID, vectorBytes: Array(vector)))
            }
            let batchEnd = reader.offset
            guard let checksum = reader.read(UInt32.self),
                  checksum == CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[batchStart..<batchEnd]))
            else { break }
            entries.append(contentsOf: batch)
        }
        return .entries(deduplicatedKeepingLast(entries))
    }

    private static func deduplicatedKeepingLast(_ entries: [Entry]) -> [Entry] {
        var lastPosition: [String: Int] = [:]
        for (position, entry) in entries.enumerated() { lastPosition[entry.documentID] = position }
        return entries.enumerated().filter { lastPosition[$0.element.documentID] == $0.offset }.map(\.element)
    }
}
