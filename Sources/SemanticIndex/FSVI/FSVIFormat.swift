// FSVIFormat: the constants and small value types of the FSVI vector index, format version 1 (the only
// version the reference implementation reads or writes): magic, header fields, record layout, ordering
// and the compaction-generation rule. Docs/JOBS.md describes the layout byte by byte.
// Pure values: never touches a file.
import SemanticCore

/// How vector elements are stored in the slab.
public enum FSVIQuantization: UInt8, Sendable, Equatable, CustomStringConvertible {
    case float32 = 0
    case float16 = 1

    public var bytesPerElement: Int { self == .float32 ? 4 : 2 }
    public var description: String { self == .float32 ? "f32" : "f16" }
}

/// Whose vectors an index holds: the embedder id, its vector-space revision label and the dimension.
/// An index is reused only when all three match what the embedder produces now.
public struct FSVIIdentity: Sendable, Equatable, CustomStringConvertible {
    public var embedderID: String
    public var revision: String
    public var dimension: Int

    public init(embedderID: String, revision: String, dimension: Int) {
        self.embedderID = embedderID
        self.revision = revision
        self.dimension = dimension
    }

    /// The hash tier: `fnv1a-384`, `hash-fnv1a-modular-v1`, 384 (bit-identical to the reference).
    public static let hash384 = FSVIIdentity(
        embedderID: HashEmbedder().id, revision: HashEmbedder.revision, dimension: 384)

    /// The file an index of this identity lives in: `index-<embedder_id>.fsvi`.
    public var fileName: String { "index-\(embedderID).fsvi" }

    public var description: String { "\(embedderID) (\(revision), \(dimension)-d)" }
}

/// Everything in an FSVI v1 header.
public struct FSVIHeader: Sendable, Equatable {
    public var identity: FSVIIdentity
    public var quantization: FSVIQuantization
    /// Binds a WAL sidecar to one generation of the file; 1 for a freshly built file, never 0.
    public var compactionGeneration: UInt8
    /// Ties tiers of one multi-tier publication together; semd writes 0 (single-tier).
    public var publicationNonce: UInt16
    public var recordCount: UInt64
    /// Absolute offset of the vector slab, a multiple of 64 when semd writes it.
    public var vectorsOffset: UInt64

    /// `38 + E + R`: the header's length in bytes, checksum included.
    public var byteCount: Int {
        38 + identity.embedderID.utf8.count + identity.revision.utf8.count
    }

    /// The header's bytes, ending with the CRC32 of everything before it.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        bytes.append(contentsOf: FSVIFormat.magic)
        bytes.appendLittleEndian(FSVIFormat.version)
        bytes.appendLittleEndian(UInt16(identity.embedderID.utf8.count))
        bytes.append(contentsOf: identity.embedderID.utf8)
        bytes.appendLittleEndian(UInt16(identity.revision.utf8.count))
        bytes.append(contentsOf: identity.revision.utf8)
        bytes.appendLittleEndian(UInt32(identity.dimension))
        bytes.append(quantization.rawValue)
        bytes.append(compactionGeneration)
        bytes.appendLittleEndian(publicationNonce)
        bytes.appendLittleEndian(recordCount)
        bytes.appendLittleEndian(vectorsOffset)
        bytes.appendLittleEndian(CRC32.checksum(bytes))
        return bytes
    }
}

/// One 16-byte entry of the record table.
public struct FSVIRecord: Sendable, Equatable {
    /// FNV-1a-64 of the document id's UTF-8 bytes; the table is sorted by it.
    public var documentHash: UInt64
    /// Offset of the document id in the string table, and its length in bytes.
    public var documentIDOffset: UInt32
    public var documentIDLength: UInt16
    /// Bit 0 marks a deleted (tombstoned) record; other bits mean nothing in version 1.
    public var flags: UInt16

    public var isTombstone: Bool { flags & FSVIFormat.tombstoneFlag != 0 }
}

public enum FSVIFormat {
    public static let magic: [UInt8] = Array("FSVI".utf8)
    public static let version: UInt16 = 1
    public static let recordByteCount = 16
    public static let slabAlignment = 64
    public static let tombstoneFlag: UInt16 = 0x0001
    /// The generation of a freshly built file.
    public static let firstGeneration: UInt8 = 1

    /// The generation after `generation`: one more, wrapping from 255 to 1 (0 is reserved for legacy).
    public static func generation(after generation: UInt8) -> UInt8 {
        generation >= 255 ? 1 : generation + 1
    }

    /// The record-table hash of a document id.
    public static func documentHash(of documentID: String) -> UInt64 {
        FNV1a64.hash(documentID.utf8)
    }

    /// Record order: by hash, then by the id's UTF-8 bytes (unsigned). Readers binary-search on it.
    public static func recordPrecedes(_ left: (hash: UInt64, id: String),
                                      _ right: (hash: UInt64, id: String)) -> Bool {
        if left.hash != right.hash { return left.hash < right.hash }
        return left.id.utf8.lexicographicallyPrecedes(right.id.utf8)
    }

    /// The slab offset for a header of `headerBytes`, `recordCount` records and `stringBytes` of ids.
    static func vectorsOffset(headerBytes: Int, recordCount: Int, stringBytes: Int) -> Int {
        let end = headerBytes + recordByteCount * recordCount + stringBytes
        return (end + slabAlignment - 1) / slabAlignment * slabAlignment
    }
}
