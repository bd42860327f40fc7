// IndependentFSVIReader: a deliberately separate, minimal FSVI v1 parser for the tests. It reads the
// bytes by hand with its own bitwise CRC32, FNV-1a and half-float decoding (sharing no code with the
// library's reader), and checks every promise of the format: header, CRC, layout, padding, record
// order, hashes, string offsets, vectors. Test-only; never writes.
import Foundation

struct IndependentFSVIReader {
    struct Record: Equatable {
        var documentID: String
        var flags: UInt16
        var vector: [Float]
    }

    var embedderID = ""
    var revision = ""
    var dimension = 0
    var quantization: UInt8 = 0
    var generation: UInt8 = 0
    var nonce: UInt16 = 0
    var records: [Record] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(bytes: [UInt8]) throws {
        var position = 0
        func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
            guard position + count <= bytes.count else { throw Failure(description: "truncated at \(what)") }
            defer { position += count }
            return bytes[position..<(position + count)]
        }
        func integer(_ count: Int, _ what: String) throws -> UInt64 {
            try take(count, what).reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard try take(4, "magic").elementsEqual([0x46, 0x53, 0x56, 0x49]) else { throw Failure(description: "magic") }
        guard try integer(2, "version") == 1 else { throw Failure(description: "version") }
        let idLength = Int(try integer(2, "id length"))
        embedderID = String(decoding: try take(idLength, "id"), as: UTF8.self)
        let revisionLength = Int(try integer(2, "revision length"))
        revision = String(decoding: try take(revisionLength, "revision"), as: UTF8.self)
        dimension = Int(try integer(4, "dimension"))
        quantization = UInt8(try integer(1, "quantization"))
        generation = UInt8(try integer(1, "generation"))
        nonce = UInt16(try integer(2, "nonce"))
        let count = Int(try integer(8, "count"))
        let vectorsOffset = Int(try integer(8, "vectors offset"))
        let crcEnd = position
        let storedCRC = UInt32(try integer(4, "crc"))
        guard Self.crc32(bytes[0..<crcEnd]) == storedCRC else { throw Failure(description: "header CRC") }
        guard dimension > 0, quantization <= 1 else { throw Failure(description: "dimension or quantization") }
        let headerEnd = position
        guard vectorsOffset % 64 == 0 else { throw Failure(description: "slab not 64-aligned") }
        let element = quantization == 1 ? 2 : 4
        guard bytes.count == vectorsOffset + count * dimension * element else {
            throw Failure(description: "file length \(bytes.count) != \(vectorsOffset + count * dimension * element)")
        }
        let stringsStart = headerEnd + 16 * count
        var expectedOffset = 0
        var previous: (UInt64, [UInt8])?
        for index in 0..<count {
            position = headerEnd + 16 * index
            let hash = try integer(8, "hash")
            let offset = Int(try integer(4, "offset"))
            let length = Int(try integer(2, "length"))
            let flags = UInt16(try integer(2, "flags"))
            guard offset == expectedOffset else { throw Failure(description: "record \(index) offset not dense") }
            expectedOffset += length
            let idBytes = Array(bytes[(stringsStart + offset)..<(stringsStart + offset + length)])
            guard Self.fnv1a(idBytes) == hash else { throw Failure(description: "record \(index) hash") }
            if let (previousHash, previousID) = previous {
                let ordered = previousHash < hash
                    || (previousHash == hash && !idBytes.lexicographicallyPrecedes(previousID))
                guard ordered else { throw Failure(description: "record \(index) out of order") }
            }
            previous = (hash, idBytes)
            guard let id = String(validatingUTF8CString: idBytes) else {
                throw Failure(description: "record \(index) id not UTF-8")
            }
            let vectorStart = vectorsOffset + index * dimension * element
            let vector: [Float] = (0..<dimension).map { component in
                let at = vectorStart + component * element
                if element == 2 {
                    return Self.halfToFloat(UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
                }
                let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
                return Float(bitPattern: bits)
            }
            records.append(Record(documentID: id, flags: flags, vector: vector))
        }
        let paddingStart = stringsStart + expectedOffset
        guard paddingStart <= vectorsOffset, paddingStart + 64 > vectorsOffset,
              bytes[paddingStart..<vectorsOffset].allSatisfy({ $0 == 0 }) else {
            throw Failure(description: "padding")
        }
    }

    init(path: String) throws {
        try self.init(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    static func crc32<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        if exponent == 0 { return sign * fraction * powf(2, -24) }
        if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
        return sign * (1 + fraction / 1024) * powf(2, Float(exponent - 15))
    }
}

private extension String {
    init?(validatingUTF8CString bytes: [UInt8]) {
        guard !bytes.contains(0) else { return nil }
        self.init(validatingCString: bytes.map { CChar(bitPattern: $0) } + [0])
    }
}
