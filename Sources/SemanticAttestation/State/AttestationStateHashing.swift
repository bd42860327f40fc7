// The few byte-level hashing rules the key, generation and socket-path code needs: u64 big-endian,
// LP(x) = u64be(len(x)) ‖ x, T(s) = LP(utf8(s)), SHA-256 with a raw (unprefixed) ASCII domain, and
// lowercase hex. Kept internal and minimal: the general canonical encoder of the attestation layer
// lives beside it. Never turns secret bytes into text: only digests are written as hex.
import Crypto

enum AttestationStateHashing {
    /// Appends `value` as 8 big-endian bytes.
    static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// LP(x): the byte count as u64 big-endian, then the bytes.
    static func appendLengthPrefixed(_ value: some Collection<UInt8>, to bytes: inout [UInt8]) {
        appendUInt64(UInt64(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }

    /// T(s) = LP(utf8(s)).
    static func appendText(_ text: String, to bytes: inout [UInt8]) {
        appendLengthPrefixed(Array(text.utf8), to: &bytes)
    }

    /// The raw-prefix rule (§4.1): the ASCII domain with no length, then `body`.
    static func rawPrefixedPreimage(domain: String, body: [UInt8]) -> [UInt8] {
        var bytes = Array(domain.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(bytes)))
    }

    static func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
