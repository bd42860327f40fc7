// CRC32: CRC-32/ISO-HDLC (the zlib/IEEE polynomial, reflected 0xEDB88320, init and final xor 0xFFFFFFFF),
// used for FSVI header checksums, WAL batch checksums and the source-id hash in document ids.
// Pure arithmetic over bytes: never allocates after its table is built, never touches a file.

public enum CRC32 {
    /// The checksum of `bytes`, e.g. `checksum("local".utf8) == 2346092776`.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = (value & 1) == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }
}
