// The 32-byte HMAC key of cass protocol v2 and its public name, `key_id` (§5.7):
// "cass-daemon-key-" + lowercase hex of the first 12 bytes of SHA-256(key).
// The key's bytes never appear in a description, a debug description, a mirror or an error: printing,
// interpolating or dumping a key shows only its key_id.
import Crypto

public struct AttestationKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// A key is exactly this many bytes (§7).
    public static let byteCount = 32

    private let secret: [UInt8]
    /// `cass-daemon-key-` + 24 lowercase hex characters.
    public let keyID: String

    /// Nil unless `bytes` holds exactly 32 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        secret = Array(bytes)
        keyID = Self.keyID(forKeyBytes: secret)
    }

    /// §5.7's rule, for any secret (a verifier recomputes it from the key file it reads).
    public static func keyID(forKeyBytes bytes: some Collection<UInt8>) -> String {
        AttestationHMAC.keyID(forSecret: Array(bytes))
    }

    /// The key for swift-crypto's `HMAC<SHA256>`.
    public var symmetricKey: SymmetricKey { SymmetricKey(data: secret) }

    /// The raw bytes, lent for the duration of `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try secret.withUnsafeBytes(body)
    }

    /// Compares in time independent of where the keys differ.
    public static func == (lhs: AttestationKey, rhs: AttestationKey) -> Bool {
        var difference: UInt8 = 0
        for (left, right) in zip(lhs.secret, rhs.secret) { difference |= left ^ right }
        return difference == 0 && lhs.secret.count == rhs.secret.count
    }

    public var description: String { "AttestationKey(\(keyID))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keyID": keyID], displayStyle: .struct) }
}
