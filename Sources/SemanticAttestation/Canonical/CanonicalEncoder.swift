// CanonicalEncoder: the byte-level rules every digest and HMAC of cass protocol v2 is built from
// (spec §4): big-endian integers, u64 length prefixes, text as T(s) = u64be(len) ‖ UTF-8, sequence
// counts, Option as 0 or 1 + value, and the two ways a domain string starts the bytes (raw, or
// length-prefixed). It only appends bytes: it never hashes, never validates and never fails.

/// Bytes built by the canonical rules of cass protocol v2 §4.
///
/// Two prefix styles exist and must not be mixed up:
/// - `CanonicalEncoder(rawDomain:)` writes the ASCII domain with no length (the daemon-layer
///   encodings of §4.1: endpoint, executable, request, payload, connection, challenge, attestation);
/// - `CanonicalEncoder(lengthPrefixedDomain:)` writes `LP(domain)` (the identity-layer encodings of
///   §4.2 and the model-manifest encodings of §4.3).
public struct CanonicalEncoder: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An encoder with no domain prefix (for a fragment that is embedded in another encoding).
    public init() {
        bytes = []
    }

    /// Starts with the domain's ASCII bytes and no length prefix (§4.1).
    public init(rawDomain domain: String) {
        bytes = Array(domain.utf8)
    }

    /// Starts with `LP(domain)`: the domain's length as u64 big-endian, then its bytes (§4.2, §4.3).
    public init(lengthPrefixedDomain domain: String) {
        bytes = []
        appendText(domain)
    }

    /// One byte (a tag: operation, category, kind, quantization, Option presence).
    public mutating func appendByte(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func appendUInt16(_ value: UInt16) {
        appendBigEndian(value)
    }

    public mutating func appendUInt32(_ value: UInt32) {
        appendBigEndian(value)
    }

    public mutating func appendUInt64(_ value: UInt64) {
        appendBigEndian(value)
    }

    /// A sequence count or a byte length, as u64 big-endian.
    public mutating func appendCount(_ count: Int) {
        appendUInt64(UInt64(count))
    }

    /// `LP(x)`: the byte count as u64 big-endian, then the bytes.
    public mutating func appendLengthPrefixed<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        appendCount(value.count)
        bytes.append(contentsOf: value)
    }

    /// `T(s)`: `LP` of the string's UTF-8 bytes. Hex digests are hashed as this ASCII text.
    public mutating func appendText(_ value: String) {
        appendLengthPrefixed(value.utf8)
    }

    /// `Option`: `0` for none, or `1` followed by what `encode` writes for the value.
    public mutating func appendOptional<Value>(_ value: Value?, _ encode: (Value, inout CanonicalEncoder) -> Void) {
        guard let value else {
            appendByte(0)
            return
        }
        appendByte(1)
        encode(value, &self)
    }

    /// Lowercase hex SHA-256 of the bytes written so far.
    public var sha256Hex: String {
        Hexadecimal.sha256(bytes)
    }

    private mutating func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
