// FSVIFile: opens an FSVI version 1 index read-only (memory-mapped, under a non-blocking flock) and
// validates it as the reference reader does: magic, version, UTF-8 id and revision, non-zero dimension,
// known quantisation, header CRC, and that the record table and slab fit in the file. `validateFully()`
// adds what the reference leaves unchecked: record order, dense string offsets, zero padding, alignment,
// finite non-zero vectors. Never writes to the file.

/// A validated, memory-mapped FSVI index.
public final class FSVIFile: Sendable {
    public let path: String
    public let header: FSVIHeader
    /// The sidecar's contents, read when the file was opened.
    public let writeAheadLog: FSVIWriteAheadLog.Contents
    private let file: MappedFile

    public var identity: FSVIIdentity { header.identity }
    public var recordCount: Int { Int(header.recordCount) }
    public var dimension: Int { header.identity.dimension }
    public var quantization: FSVIQuantization { header.quantization }
    /// Where the string table starts: right after the header and the record table.
    public var stringTableOffset: Int { header.byteCount + FSVIFormat.recordByteCount * recordCount }
    private var vectorByteCount: Int { dimension * quantization.bytesPerElement }

    /// Opens and validates the index at `path`, holding `lock` until the object is released.
    /// A damaged WAL sidecar makes the open fail unless `toleratingCorruptWriteAheadLog` (a writer that
    /// will retire the sidecar may go on; its contents then read as `.corrupt`).
    public init(path: String, lock: FileLockMode = .shared,
                toleratingCorruptWriteAheadLog: Bool = false) throws(FSVIError) {
        self.path = path
        do throws(MappedFile.Failure) {
            file = try MappedFile(path: path, lock: lock)
        } catch {
            switch error {
            case .notFound: throw .notFound(path: path)
            case .locked: throw .locked(path: path)
            case .system(let operation, let code):
                throw .io(path: path, operation: operation, reason: describeErrno(code))
            }
        }
        header = try Self.parseHeader(file.bytes, path: path)
        try Self.checkLayout(header, fileLength: file.bytes.count, path: path)
        writeAheadLog = FSVIWriteAheadLog.load(
            forIndexAt: path, dimension: header.identity.dimension, quantization: header.quantization,
            generation: header.compactionGeneration)
        if case .corrupt(let problem) = writeAheadLog, !toleratingCorruptWriteAheadLog {
            throw .corruptWriteAheadLog(path: FSVIWriteAheadLog.path(forIndexAt: path), problem: problem)
        }
    }

    // MARK: - Header and layout

    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws(FSVIError) -> FSVIHeader {
        var reader = ByteReader(bytes)
        func corrupt(_ problem: String) -> FSVIError { .corrupt(path: path, problem: problem) }
        func truncated(_ field: String) -> FSVIError { corrupt("the file ends inside the header's \(field)") }

        guard let magic = reader.readBytes(4) else { throw truncated("magic") }
        guard magic.elementsEqual(FSVIFormat.magic) else {
            throw corrupt("magic is \(magic.map { String($0, radix: 16) }.joined(separator: " ")), "
                          + "expected 46 53 56 49 (\"FSVI\")")
        }
        guard let version = reader.read(UInt16.self) else { throw truncated("version") }
        guard version == FSVIFormat.version else { throw .unsupportedVersion(path: path, version: version) }
        guard let idLength = reader.read(UInt16.self) else { throw truncated("embedder id length") }
        guard let idBytes = reader.readBytes(Int(idLength)) else { throw truncated("embedder id") }
        guard let embedderID = decodeUTF8Strictly(idBytes) else { throw corrupt("the embedder id is not UTF-8") }
        guard let revisionLength = reader.read(UInt16.self) else { throw truncated("revision length") }
        guard let revisionBytes = reader.readBytes(Int(revisionLength)) else { throw truncated("revision") }
        guard let revision = decodeUTF8Strictly(revisionBytes) else { throw corrupt("the revision is not UTF-8") }
        guard let dimension = reader.read(UInt32.self) else { throw truncated("dimension") }
        guard dimension > 0 else { throw corrupt("dimension is 0") }
        guard let quantizationByte = reader.read(UInt8.self) else { throw truncated("quantization") }
        guard let quantization = FSVIQuantization(rawValue: quantizationByte) else {
            throw corrupt("quantization byte is \(quantizationByte), expected 0 (f32) or 1 (f16)")
        }
        guard let generation = reader.read(UInt8.self), let nonce = reader.read(UInt16.self) else {
            throw truncated("reserved bytes")
        }
        guard let recordCount = reader.read(UInt64.self) else { throw truncated("record count") }
        guard let vectorsOffset = reader.read(UInt64.self) else { throw truncated("vectors offset") }
        let checked = reader.offset
        guard let storedChecksum = reader.read(UInt32.self) else { throw truncated("checksum") }
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<checked]))
        guard computed == storedChecksum else {
            throw corrupt("header checksum is \(hex(storedChecksum)), the header's bytes give \(hex(computed))")
        }
        return FSVIHeader(
            identity: FSVIIdentity(embedderID: embedderID, revision: revision, dimension: Int(dimension)),
            quantization: quantization, compactionGeneration: generation, publicationNonce: nonce,
            recordCount: recordCount, vectorsOffset: vectorsOffset)
    }

    static func checkLayout(_ header: FSVIHeader, fileLength: Int, path: String) throws(FSVIError) {
        func corrupt(_ problem: String) -> FSVIError { .corrupt(path: path, problem: problem) }
        let (tableBytes, tableOverflow) = header.recordCount.multipliedReportingOverflow(
            by: UInt64(FSVIFormat.recordByteCount))
        let (tableEnd, endOverflow) = tableBytes.addingReportingOverflow(UInt64(header.byteCount))
        guard !tableOverflow, !endOverflow, header.vectorsOffset >= tableEnd else {
            throw corrupt("vectors offset \(header.vectorsOffset) lies inside the record table "
                          + "of \(header.recordCount) records")
        }
        let elementBytes = UInt64(header.identity.dimension * header.quantization.bytesPerElement)
        let (slabBytes, slabOverflow) = header.recordCount.multipliedReportingOverflow(by: elementBytes)
        let (fileEnd, fileOverflow) = slabBytes.addingReportingOverflow(header.vectorsOffset)
        guard !slabOverflow, !fileOverflow, UInt64(fileLength) >= fileEnd else {
            throw corrupt("the file is \(fileLength) bytes but its \(header.recordCount) vectors need "
                          + (slabOverflow || fileOverflow ? "more than 2^64" : "\(fileEnd)"))
        }
    }

    // MARK: - Records

    /// The record-table entry at `index` (0 ..< recordCount).
    public func record(at index: Int) -> FSVIRecord {
        precondition(index >= 0 && index < recordCount, "record \(index) is outside 0..<\(recordCount)")
        var reader = ByteReader(file.bytes, offset: header.byteCount + FSVIFormat.recordByteCount * index)
        return FSVIRecord(documentHash: reader.read(UInt64.self)!, documentIDOffset: reader.read(UInt32.self)!,
                          documentIDLength: reader.read(UInt16.self)!, flags: reader.read(UInt16.self)!)
    }

    /// The document id of record `index`; throws when it lies outside the string table or is not UTF-8
    /// (an error for that record only: callers may skip it).
    public func documentID(at index: Int) throws(FSVIError) -> String {
        let entry = record(at: index)
        let start = stringTableOffset + Int(entry.documentIDOffset)
        let end = start + Int(entry.documentIDLength)
        guard end <= Int(header.vectorsOffset) else {
            throw .corrupt(path: path, problem: "record \(index)'s document id runs past the string table")
        }
        guard let id = decodeUTF8Strictly(UnsafeRawBufferPointer(rebasing: file.bytes[start..<end])) else {
            throw .corrupt(path: path, problem: "record \(index)'s document id is not UTF-8")
        }
        return id
    }

    /// The stored bytes of record `index`'s vector (in `quantization`, little-endian).
    public func withStoredVector<Result>(at index: Int,
                                         _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        precondition(index >= 0 && index < recordCount, "record \(index) is outside 0..<\(recordCount)")
        let start = Int(header.vectorsOffset) + index * vectorByteCount
        return try body(UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + vectorByteCount)]))
    }

    /// Record `index`'s vector as f32 values.
    public func vector(at index: Int) -> [Float] {
        withStoredVector(at: index) { Self.decodeVector($0, storedAs: quantization, dimension: dimension) }
    }

    static func decodeVector(_ bytes: UnsafeRawBufferPointer, storedAs quantization: FSVIQuantization,
                             dimension: Int) -> [Float] {
        (0..<dimension).map { index in
            switch quantization {
            case .float16:
                return HalfPrecision.float(fromBits: UInt16(littleEndian: bytes.loadUnaligned(
                    fromByteOffset: index * 2, as: UInt16.self)))
            case .float32:
                return Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(
                    fromByteOffset: index * 4, as: UInt32.self)))
            }
        }
    }

    /// Records marked deleted.
    public var tombstoneCount: Int {
        (0..<recordCount).reduce(0) { $0 + (record(at: $1).isTombstone ? 1 : 0) }
    }

    /// The live record holding `documentID`, found by binary search on the hash column (so it relies on
    /// the record order), or nil.
    public func index(ofDocumentID wanted: String) -> Int? {
        let hash = FSVIFormat.documentHash(of: wanted)
        var low = 0, high = recordCount
        while low < high {
            let middle = (low + high) / 2
            if record(at: middle).documentHash < hash { low = middle + 1 } else { high = middle }
        }
        var index = low
        while index < recordCount, record(at: index).documentHash == hash {
            if !record(at: index).isTombstone, (try? documentID(at: index)) == wanted { return index }
            index += 1
        }
        return nil
    }

    // MARK: - Full validation

    /// Checks everything the format promises beyond what `init` checks: 64-byte slab alignment, zero
    /// padding, dense string offsets, record order, valid UTF-8 ids, finite and non-zero vectors.
    public func validateFully() throws(FSVIError) {
        func corrupt(_ problem: String) -> FSVIError { .corrupt(path: path, problem: problem) }
        let vectorsOffset = Int(header.vectorsOffset)
        guard vectorsOffset % FSVIFormat.slabAlignment == 0 else {
            throw corrupt("vectors offset \(vectorsOffset) is not a multiple of 64")
        }
        var expectedOffset: UInt32 = 0
        var previous: (hash: UInt64, id: String)?
        for index in 0..<recordCount {
            let entry = record(at: index)
            guard entry.documentIDOffset == expectedOffset else {
                throw corrupt("record \(index)'s id starts at \(entry.documentIDOffset), expected \(expectedOffset)")
            }
            expectedOffset += UInt32(entry.documentIDLength)
            let id = try documentID(at: index)
            guard entry.documentHash == FSVIFormat.documentHash(of: id) else {
                throw corrupt("record \(index)'s hash does not match its document id")
            }
            if let previous, FSVIFormat.recordPrecedes((entry.documentHash, id), previous) {
                throw corrupt("record \(index) is out of order (records sort by hash, then id bytes)")
            }
            previous = (entry.documentHash, id)
            let values = vector(at: index)
            guard values.allSatisfy(\.isFinite) else { throw corrupt("record \(index)'s vector is not finite") }
            guard values.contains(where: { $0 != 0 }) else { throw corrupt("record \(index)'s vector is zero") }
        }
        let paddingStart = stringTableOffset + Int(expectedOffset)
        guard paddingStart <= vectorsOffset else { throw corrupt("the string table runs into the vector slab") }
        guard file.bytes[paddingStart..<vectorsOffset].allSatisfy({ $0 == 0 }) else {
            throw corrupt("the padding before the vector slab is not zero")
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
