// Hexadecimal: lowercase hex as cass protocol v2 writes every digest, signature and nonce, the strict
// decoder its verifiers use (lowercase only: an uppercase digit is a malformed value, not the same
// value), and SHA-256 rendered that way. Never accepts a prefix, whitespace or mixed case.
import Crypto

public enum Hexadecimal {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The bytes as lowercase hex, two digits per byte.
    public static func lowercase<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of an even-length string of lowercase hex digits; nil for anything else
    /// (uppercase, odd length, any other character).
    public static func decodeLowercase(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// True for exactly 64 lowercase hex digits: the canonical form of a SHA-256 digest, an HMAC,
    /// a challenge nonce and every fingerprint of the protocol.
    public static func isCanonicalSHA256(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            guard nibble(byte) != nil else { return false }
            count += 1
        }
        return count == 64
    }

    /// Lowercase hex SHA-256 of the bytes.
    public static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return lowercase(hasher.finalize())
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
