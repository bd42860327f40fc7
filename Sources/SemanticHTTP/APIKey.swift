// The HTTP listener's API key: read from a file only its owner can read (like an ssh key), and
// compared with what a request presents in constant time (both sides hashed to 32 bytes first, so
// neither the key's content nor its length leaks through timing). Never logs the key.
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct APIKey: Sendable {
    private let digest: [UInt8]

    /// Shortest key accepted, in bytes.
    public static let minimumLength = 16

    public init(_ key: String) {
        digest = Array(SHA256.hash(data: Data(key.utf8)))
    }

    /// Reads the key from `path`: a regular file owned by this user with no group or other
    /// permissions (0600 or 0400), holding at least 16 characters (surrounding whitespace ignored).
    public static func load(fromFile path: String) throws(HTTPConfigurationError) -> APIKey {
        let expanded = (path as NSString).expandingTildeInPath
        var status = stat()
        guard stat(expanded, &status) == 0 else {
            throw .keyFile(path: path, problem: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .keyFile(path: path, problem: "not a regular file") }
        guard status.st_uid == geteuid() else {
            throw .keyFile(path: path, problem: "owned by uid \(status.st_uid), not by this user (uid \(geteuid()))")
        }
        guard (status.st_mode & 0o077) == 0 else {
            throw .keyFile(path: path, problem: String(format: "mode %04o lets others read it; run chmod 600 %@",
                                                        Int(status.st_mode & 0o7777), path))
        }
        guard let data = FileManager.default.contents(atPath: expanded), let text = String(data: data, encoding: .utf8) else {
            throw .keyFile(path: path, problem: "cannot be read as UTF-8 text")
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard key.utf8.count >= minimumLength else {
            throw .keyFile(path: path, problem: "the key is \(key.utf8.count) characters; use at least \(minimumLength)")
        }
        return APIKey(key)
    }

    /// True when an `Authorization` header value is `Bearer <this key>`; constant time in the key.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else { return false }
        let presented = authorization.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        return Self.constantTimeEqual(Array(SHA256.hash(data: Data(presented.utf8))), digest)
    }

    /// Compares two equal-length byte arrays without an early exit.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
