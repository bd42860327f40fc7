// AttestationKey: the HMAC-SHA256 key of cass protocol v2 (§4.1, §5.7) held in memory, its public
// key_id, signing with lowercase hex output, and verification that accepts only a canonical
// (64 lowercase hex) signature and compares it in constant time. The key's bytes never appear in a
// description, a log line or an error; reading and creating the key file is not done here.
import Crypto

/// The shared secret a daemon signs its proofs with and a client checks them with.
public struct AttestationKey: Sendable, CustomStringConvertible {
    /// The shortest key cass accepts (`MIN_DAEMON_ATTESTATION_KEY_BYTES`); its key file holds exactly this.
    public static let minimumByteCount = 32

    private let key: SymmetricKey

    /// `"cass-daemon-key-" + lowercase hex of the first 12 bytes of SHA256(secret)` (§5.7).
    public let keyID: String

    /// Wraps the secret; throws when it is shorter than 32 bytes.
    public init(bytes: [UInt8]) throws(AttestationKeyError) {
        guard bytes.count >= Self.minimumByteCount else {
            throw AttestationKeyError.tooShort(byteCount: bytes.count, minimum: Self.minimumByteCount)
        }
        key = bytes.withUnsafeBytes { SymmetricKey(data: $0) }
        keyID = Self.keyID(forSecret: bytes)
    }

    /// The key_id of a secret: `"cass-daemon-key-"` + 24 lowercase hex digits.
    public static func keyID(forSecret secret: [UInt8]) -> String {
        var hasher = SHA256()
        secret.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return "cass-daemon-key-" + Hexadecimal.lowercase(hasher.finalize().prefix(12))
    }

    /// `lowercase_hex(HMAC-SHA256(key, message))` (RFC 2104; 64 hex digits).
    public func signature(for message: [UInt8]) -> String {
        let code = message.withUnsafeBytes { HMAC<SHA256>.authenticationCode(for: $0, using: key) }
        return Hexadecimal.lowercase(code)
    }

    /// True when `signature` is 64 lowercase hex digits encoding exactly the HMAC of `message`.
    /// Uppercase or otherwise non-canonical hex is rejected before any comparison; the comparison of
    /// the decoded bytes takes the same time wherever they differ.
    public func isValidSignature(_ signature: String, for message: [UInt8]) -> Bool {
        guard Hexadecimal.isCanonicalSHA256(signature), let decoded = Hexadecimal.decodeLowercase(signature) else {
            return false
        }
        return decoded.withUnsafeBytes { code in
            message.withUnsafeBytes { HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: $0, using: key) }
        }
    }

    /// Names the key by its key_id only.
    public var description: String { "AttestationKey(\(keyID))" }
}

/// Why bytes cannot serve as an attestation key.
public enum AttestationKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooShort(byteCount: Int, minimum: Int)

    public var description: String {
        switch self {
        case .tooShort(let byteCount, let minimum):
            return "attestation key has \(byteCount) byte(s); at least \(minimum) are required"
        }
    }
}
