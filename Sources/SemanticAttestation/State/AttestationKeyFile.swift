// `<data_dir>/daemon/attestation-key-v1.bin` (§7): created once with 32 bytes from the system's
// cryptographic random generator, then loaded by every daemon and client of that data directory.
// Create: O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW 0600, write, fsync the file, fsync the directory.
// Load: O_RDONLY|O_NOFOLLOW; a regular file, one link, no group/other bits, exactly 32 bytes.
// Never follows a symlink, never rewrites an existing key, never shows the key's bytes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum AttestationKeyFile {
    static let fileName = "attestation-key-v1.bin"

    /// Creates the key if the file does not exist, else loads it. The daemon calls this while it
    /// holds the generation log's lock, so two daemons never both create a key.
    static func loadOrCreate(inDirectory directory: String) throws(AttestationStateError) -> AttestationKey {
        let path = StateFileChecks.join(directory, fileName)
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { return try load(at: path) }
            throw StateFileChecks.openFailure(code, file: .key, path: path)
        }
        let key: AttestationKey
        do {
            key = try writeNewKey(to: descriptor, path: path)
            close(descriptor)
        } catch {
            // A half-written key would fail every later load; remove it so the next start creates one.
            close(descriptor)
            unlink(path)
            throw error
        }
        try StateFileChecks.synchronizeDirectory(directory)
        return key
    }

    /// Loads an existing key with every check of §7.
    static func load(at path: String) throws(AttestationStateError) -> AttestationKey {
        // O_NONBLOCK: a FIFO planted at the path must not block the open; it is refused below.
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .keyFileIsMissing(path: path) }
            throw StateFileChecks.openFailure(code, file: .key, path: path)
        }
        defer { close(descriptor) }
        let status = try StateFileChecks.checkOpenedFile(descriptor, file: .key, path: path)
        let expected = Int64(AttestationKey.byteCount)
        guard Int64(status.st_size) == expected else {
            throw .unsafeFile(.key, path: path, violation: .wrongSize(expected: expected, found: Int64(status.st_size)))
        }
        let bytes = try StateFileChecks.readFromStart(descriptor, limit: AttestationKey.byteCount + 1, path: path)
        guard let key = AttestationKey(bytes: bytes) else {
            throw .unsafeFile(.key, path: path, violation: .wrongSize(expected: expected, found: Int64(bytes.count)))
        }
        return key
    }

    private static func writeNewKey(to descriptor: Int32, path: String)
        throws(AttestationStateError) -> AttestationKey {
        // The creation mode passes through the umask; make it exactly 0600 whatever the umask is.
        guard fchmod(descriptor, 0o600) == 0 else { throw .system(operation: "fchmod", path: path, errno: errno) }
        var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux, arc4random on Darwin
        let bytes = (0..<AttestationKey.byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        try StateFileChecks.writeAll(bytes, to: descriptor, path: path)
        try StateFileChecks.synchronize(descriptor, path: path)
        return AttestationKey(bytes: bytes)!
    }
}
