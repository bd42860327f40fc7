// AttestationHMAC: HMAC-SHA256 under the attestation key of cass protocol v2 (§4.1, §5.7): the key's
// public key_id, signing with lowercase hex output, and verification that accepts only a canonical
// (64 lowercase hex) signature and compares it in constant time. The key's bytes never appear in a
// description, a log line or an error; reading and creating the key file is State/'s job, not this.
import Crypto

/// The shared secret a daemon signs its proofs with and a client checks them with, ready to sign.
public struct AttestationHMAC: Sendable, CustomStringConvertible {
    /// The shortest key cass accepts (`MIN_DAEMON_ATTESTATION_KEY_BYTES`); its key file holds exactly this.
    public static let minimumKeyByteCount = 32

    /// Kept as bytes (Sendable); each HMAC wraps them in a `SymmetricKey`.
    private let secret: [UInt8]

    /// `"cass-daemon-key-" + lowercase hex of the first 12 bytes of SHA256(secret)` (§5.7).
    public let keyID: String

    /// Wraps the secret (the key file's 32 bytes); throws when it is shorter than 32 bytes.
    public init(keyBytes bytes: [UInt8]) throws(AttestationHMACKeyError) {
        guard bytes.count >= Self.minimumKeyByteCount else {
            throw AttestationHMACKeyError.tooShort(byteCount: bytes.count, minimum: Self.minimumKeyByteCount)
        }
        secret = bytes
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
        let code = message.withUnsafeBytes { HMAC<SHA256>.authenticationCode(for: $0, using: SymmetricKey(data: secret)) }
        return Hexadecimal.lowercase(code)
    }

    /// True when `signature` is 64 lowercase hex digits encoding exactly the HMAC of `message`.
    /// Uppercase or otherwise non-canonical hex is rejected before any comparison; the comparison of
    /// the decoded bytes takes the same time wherever they differ.
    public func isValidSignature(_ signature: String, for message: [UInt8]) -> Bool {
        guard Hexadecimal.isCanonicalSHA256(signature), let decoded = Hexadecimal.decodeLowercase(signature) else {
            return false
        }
        let key = SymmetricKey(data: secret)
        return decoded.withUnsafeBytes { code in
            message.withUnsafeBytes { HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: $0, using: key) }
        }
    }

    /// Names the key by its key_id only.
    public var description: String { "AttestationHMAC(\(keyID))" }
}

/// Why bytes cannot serve as an HMAC attestation key.
public enum AttestationHMACKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooShort(byteCount: Int, minimum: Int)

    public var description: String {
        switch self {
        case .tooShort(let byteCount, let minimum):
            return "attestation key has \(byteCount) byte(s); at least \(minimum) are required"
        }
    }
}
