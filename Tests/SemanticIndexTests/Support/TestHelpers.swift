// TestHelpers: small conveniences shared by the SemanticIndex tests: hex, SHA-256 of bytes, the
// directory listing used to prove no temporary file was left behind. Test-only.
import Crypto
import Foundation

func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func bytes(fromHex hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    hexString(SHA256.hash(data: Array(bytes)))
}

/// f32 little-endian bytes of a vector.
func littleEndianBytes(_ vector: [Float]) -> [UInt8] {
    vector.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

func fileBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Names in a directory (empty when it does not exist).
func directoryEntries(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// Names that look like a temporary or probe file a failed publish could leave.
func leftoverTemporaryFiles(_ path: String) -> [String] {
    directoryEntries(path).filter { $0.contains(".tmp.") || $0.contains("write-probe") }
}
