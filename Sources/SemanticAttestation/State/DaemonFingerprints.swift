// The two fingerprints a v2 daemon publishes about where and what it is (§4.1 raw-prefix rules):
// - endpoint (§5.5): SHA-256("frankensearch.daemon-endpoint.v1" ‖ T("uds-unix-hex:" + hex(path bytes)))
//   of the normalised public socket path; after binding, realpath follows the published symlink to
//   the private runtime socket, exactly as a client's computation does;
// - executable (§5.6): SHA-256("frankensearch.daemon-executable.v1" ‖ LP(SHA-256(executable file))).
// Reads files; never writes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

public enum SocketEndpointFingerprint {
    static let domain = "frankensearch.daemon-endpoint.v1"

    /// The fingerprint of the socket a client configured as `publicSocketPath`. Call it after binding
    /// and publishing the symlink, so realpath sees what clients will see.
    public static func fingerprint(ofSocketPath publicSocketPath: String, currentDirectory: String) -> String {
        let normalized = PathIdentity.normalizedBytes(Array(publicSocketPath.utf8),
                                                      currentDirectory: Array(currentDirectory.utf8))
        return fingerprint(ofEndpointString: endpointString(forNormalizedPath: normalized))
    }

    /// `uds-unix-hex:` + lowercase hex of the path's bytes.
    public static func endpointString(forNormalizedPath path: some Collection<UInt8>) -> String {
        "uds-unix-hex:" + Hexadecimal.lowercase(path)
    }

    public static func fingerprint(ofEndpointString endpoint: String) -> String {
        DaemonDigests.endpointFingerprint(endpoint: endpoint)
    }

    static func preimage(ofEndpointString endpoint: String) -> [UInt8] {
        var encoder = CanonicalEncoder(rawDomain: domain)
        encoder.appendText(endpoint)
        return encoder.bytes
    }
}

public enum ExecutableFileFingerprint {
    static let domain = "frankensearch.daemon-executable.v1"

    /// The fingerprint of the running process's own executable (`/proc/self/exe` resolved, then
    /// opened without following a symlink, as cass hashes `current_exe()`).
    public static func ofRunningExecutable() throws(AttestationStateError) -> String {
        try fingerprint(ofExecutableIdentity: identity(ofFileAt: runningExecutablePath()))
    }

    /// §4.1's rule over the 32-byte identity (the executable file's SHA-256).
    public static func fingerprint(ofExecutableIdentity identity: [UInt8]) -> String {
        DaemonDigests.executableFingerprint(identity: identity)
    }

    /// SHA-256 of the whole file at `path`, opened O_RDONLY|O_NOFOLLOW; it must be a regular file.
    public static func identity(ofFileAt path: String) throws(AttestationStateError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .executableIsNotARegularFile(path: path, found: describeFileKind(status.st_mode))
        }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            hasher.update(data: chunk[0..<count])
        }
        return Array(hasher.finalize())
    }

    static func preimage(ofExecutableIdentity identity: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder(rawDomain: domain)
        encoder.appendLengthPrefixed(identity)
        return encoder.bytes
    }

    /// Rust's `current_exe()` on Linux: the target of `/proc/self/exe`.
    static func runningExecutablePath() throws(AttestationStateError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw .system(operation: "readlink", path: "/proc/self/exe", errno: errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
