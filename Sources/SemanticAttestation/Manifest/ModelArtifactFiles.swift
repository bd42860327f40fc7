// ModelArtifactFiles: reads the files of an installed model folder to learn what a manifest must
// pin — each file's exact size and SHA-256, streamed in 1 MiB reads (the 87 MiB weights never sit in
// memory at once). Only reads: never writes, never follows into anything but the named regular file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

public enum ModelArtifactFiles {
    /// The size and lowercase hex SHA-256 of one file (the bytes actually hashed).
    public struct Digest: Sendable, Equatable {
        public let size: UInt64
        public let sha256: String
    }

    /// Opens `url` for reading, requires a regular non-empty file, and hashes all of it.
    public static func digest(of url: URL) throws(ModelArtifactFileError) -> Digest {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw ModelArtifactFileError.missing(path: path) }
            throw ModelArtifactFileError.unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ModelArtifactFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ModelArtifactFileError.notRegularFile(path: path) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: UInt64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ModelArtifactFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            size += UInt64(count)
        }
        guard size > 0 else { throw ModelArtifactFileError.empty(path: path) }
        return Digest(size: size, sha256: Hexadecimal.lowercase(hasher.finalize()))
    }

    /// The manifest entries for `layout` (role and relative path, in manifest order) as found in
    /// `directory`, each published at `upstreamURL(relativePath)`.
    public static func manifestArtifacts(in directory: URL, layout: [(role: ModelArtifactRole, relativePath: String)],
                                         upstreamURL: (String) -> String) throws(ModelArtifactFileError) -> [ModelArtifactFileV1] {
        var artifacts: [ModelArtifactFileV1] = []
        for entry in layout {
            let digest = try digest(of: directory.appendingPathComponent(entry.relativePath))
            artifacts.append(ModelArtifactFileV1(role: entry.role, relativePath: entry.relativePath,
                                                 upstreamURL: upstreamURL(entry.relativePath),
                                                 size: digest.size, sha256: digest.sha256))
        }
        return artifacts
    }
}

/// Why a model file cannot be pinned.
public enum ModelArtifactFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case notRegularFile(path: String)
    case empty(path: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "model file \(path) is missing; install the model (`make models` or `semctl models install minilm`)"
        case .notRegularFile(let path):
            return "model file \(path) is not a regular file; re-install the model"
        case .empty(let path):
            return "model file \(path) is empty; re-install the model"
        case .unreadable(let path, let reason):
            return "model file \(path) cannot be read (\(reason))"
        }
    }
}
