// FSVIWriter: collects (document id, vector) records and lays them out as an FSVI version 1 file:
// header with CRC, records sorted by (FNV-1a-64 of the id, id bytes), string table, zero padding to a
// 64-byte boundary, vector slab (f16 round-to-nearest-even by default). Validates every record the way
// the reference writer does. Builds bytes only; IndexPublisher puts them on disk.

/// An index being built in memory. Append records in any order; they are sorted when serialised.
public struct FSVIWriter: Sendable {
    public let identity: FSVIIdentity
    public let quantization: FSVIQuantization
    /// 1 for a fresh file; a replacement takes the generation after the file it replaces.
    public var compactionGeneration: UInt8 = FSVIFormat.firstGeneration
    /// 0: single-tier publication.
    public var publicationNonce: UInt16 = 0

    private var documentIDs: [String] = []
    private var documentHashes: [UInt64] = []
    private var stringBytes = 0
    /// Vectors in insertion order, already quantised, little-endian.
    private var slab: [UInt8] = []

    public init(identity: FSVIIdentity, quantization: FSVIQuantization = .float16) throws(FSVIError) {
        if identity.embedderID.isEmpty {
            throw .invalidIdentity(problem: "the embedder id is empty")
        }
        if identity.embedderID.utf8.count > Int(UInt16.max) || identity.revision.utf8.count > Int(UInt16.max) {
            throw .invalidIdentity(problem: "the embedder id and revision label must each fit in 65,535 bytes")
        }
        if identity.dimension <= 0 || identity.dimension > Int(UInt32.max) {
            throw .invalidIdentity(problem: "dimension \(identity.dimension) is not between 1 and 2^32-1")
        }
        self.identity = identity
        self.quantization = quantization
    }

    /// Records appended so far.
    public var count: Int { documentIDs.count }

    /// Adds a record from an f32 vector, which must have `dimension` finite values and a non-zero norm.
    public mutating func append(documentID: String, vector: [Float]) throws(FSVIError) {
        try checkDocumentID(documentID)
        guard vector.count == identity.dimension else {
            throw .invalidRecord(documentID: documentID,
                                 problem: "vector has \(vector.count) values, the index holds \(identity.dimension)")
        }
        var sumOfSquares: Float = 0
        for value in vector {
            guard value.isFinite else {
                throw .invalidRecord(documentID: documentID, problem: "vector holds a non-finite value (\(value))")
            }
            sumOfSquares += value * value
        }
        guard sumOfSquares.isFinite, sumOfSquares > 0 else {
            throw .invalidRecord(documentID: documentID, problem: "zero-norm vector")
        }
        let start = slab.count
        slab.append(contentsOf: repeatElement(0, count: vector.count * quantization.bytesPerElement))
        slab.withUnsafeMutableBytes { bytes in
            for (index, value) in vector.enumerated() {
                switch quantization {
                case .float16:
                    bytes.storeBytes(of: HalfPrecision.bits(from: value).littleEndian,
                                     toByteOffset: start + index * 2, as: UInt16.self)
                case .float32:
                    bytes.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: start + index * 4, as: UInt32.self)
                }
            }
        }
        appendID(documentID)
    }

    /// Adds a record whose vector is already stored in another index (`bytes`, in `storedAs`): the bytes
    /// are copied verbatim when the quantisation matches, so kept records do not drift.
    public mutating func append(documentID: String, storedVector bytes: UnsafeRawBufferPointer,
                                storedAs stored: FSVIQuantization) throws(FSVIError) {
        try checkDocumentID(documentID)
        guard bytes.count == identity.dimension * stored.bytesPerElement else {
            throw .invalidRecord(documentID: documentID,
                                 problem: "stored vector has \(bytes.count) bytes, expected "
                                     + "\(identity.dimension * stored.bytesPerElement)")
        }
        if stored == quantization {
            var anyNonZero = false
            for index in 0..<identity.dimension {
                let finite: Bool
                let nonZero: Bool
                switch stored {
                case .float16:
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    finite = HalfPrecision.isFinite(bits)
                    nonZero = bits & 0x7FFF != 0
                case .float32:
                    let value = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(
                        fromByteOffset: index * 4, as: UInt32.self)))
                    finite = value.isFinite
                    nonZero = value != 0
                }
                guard finite else {
                    throw .invalidRecord(documentID: documentID, problem: "stored vector holds a non-finite value")
                }
                anyNonZero = anyNonZero || nonZero
            }
            guard anyNonZero else { throw .invalidRecord(documentID: documentID, problem: "zero-norm vector") }
            slab.append(contentsOf: bytes)
            appendID(documentID)
        } else {
            let values = FSVIFile.decodeVector(bytes, storedAs: stored, dimension: identity.dimension)
            try append(documentID: documentID, vector: values)
        }
    }

    private func checkDocumentID(_ documentID: String) throws(FSVIError) {
        let length = documentID.utf8.count
        guard length <= Int(UInt16.max) else {
            throw .invalidRecord(documentID: String(documentID.prefix(80)) + "…",
                                 problem: "document id is \(length) bytes, the limit is 65,535")
        }
        guard stringBytes + length <= Int(UInt32.max) else {
            throw .invalidRecord(documentID: documentID, problem: "the string table would exceed 4 GiB")
        }
    }

    private mutating func appendID(_ documentID: String) {
        documentIDs.append(documentID)
        documentHashes.append(FSVIFormat.documentHash(of: documentID))
        stringBytes += documentID.utf8.count
    }

    // MARK: - Serialising

    /// Insertion positions in record order (hash, then id bytes; stable for exact duplicates).
    private func sortedPositions() -> [Int] {
        Array(documentIDs.indices).sorted { left, right in
            if documentHashes[left] != documentHashes[right] { return documentHashes[left] < documentHashes[right] }
            let leftID = documentIDs[left].utf8, rightID = documentIDs[right].utf8
            if leftID.elementsEqual(rightID) { return left < right }
            return leftID.lexicographicallyPrecedes(rightID)
        }
    }

    /// The header this writer would produce.
    public var header: FSVIHeader {
        let probe = FSVIHeader(identity: identity, quantization: quantization,
                               compactionGeneration: compactionGeneration, publicationNonce: publicationNonce,
                               recordCount: UInt64(count), vectorsOffset: 0)
        let offset = FSVIFormat.vectorsOffset(headerBytes: probe.byteCount, recordCount: count, stringBytes: stringBytes)
        var header = probe
        header.vectorsOffset = UInt64(offset)
        return header
    }

    /// The size of the serialised file in bytes.
    public var fileByteCount: Int { Int(header.vectorsOffset) + slab.count }

    /// Streams the file to `sink` in pieces of at most about `pieceBytes`.
    public func serialize(pieceBytes: Int = 1 << 20,
                          into sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let header = header
        let order = sortedPositions()
        let vectorBytes = identity.dimension * quantization.bytesPerElement

        var buffer = header.encoded()
        buffer.reserveCapacity(pieceBytes + vectorBytes)
        func flushIfFull() throws {
            if buffer.count >= pieceBytes {
                try buffer.withUnsafeBytes(sink)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        var stringOffset: UInt32 = 0
        for position in order {
            let length = UInt16(documentIDs[position].utf8.count)
            buffer.appendLittleEndian(documentHashes[position])
            buffer.appendLittleEndian(stringOffset)
            buffer.appendLittleEndian(length)
            buffer.appendLittleEndian(UInt16(0))
            stringOffset += UInt32(length)
            try flushIfFull()
        }
        for position in order {
            buffer.append(contentsOf: documentIDs[position].utf8)
            try flushIfFull()
        }
        let written = header.byteCount + FSVIFormat.recordByteCount * count + stringBytes
        buffer.append(contentsOf: repeatElement(0, count: Int(header.vectorsOffset) - written))
        try slab.withUnsafeBytes { slabBytes in
            for position in order {
                let start = position * vectorBytes
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: slabBytes[start..<(start + vectorBytes)]))
                try flushIfFull()
            }
        }
        if !buffer.isEmpty { try buffer.withUnsafeBytes(sink) }
    }

    /// The whole file as bytes (convenient for small indexes and tests).
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fileByteCount)
        serialize { bytes.append(contentsOf: $0) }
        return bytes
    }
}
