// The attestation state a daemon takes once per process start (§7): in `<data_dir>/daemon/`, the next
// generation from the generation log and, under the same lock, the key (created on first use).
// `AttestationState.open(dataDirectory:)` is the daemon's one call; `loadKey(dataDirectory:)` is the
// reader's (a verifier or a status command), which never creates or chmods anything.
// Never logs, never prints the key, never deletes a state file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct AttestationState: Sendable, Equatable {
    /// The shared HMAC key of the data directory.
    public let key: AttestationKey
    /// This process's generation, ≥ 1, never handed out before for this data directory.
    public let generation: UInt64
    /// `<data_dir>/daemon`.
    public let stateDirectory: String

    /// `key_id` of `key` (§5.7).
    public var keyID: String { key.keyID }

    public static let stateDirectoryName = "daemon"
    public static let keyFileName = AttestationKeyFile.fileName
    public static let generationLogFileName = GenerationLog.fileName

    /// The daemon's call at start: prepares `<data_dir>/daemon` (creating it, and tightening it to
    /// 0700 if group or other bits are set), allocates the next generation, and loads or creates the
    /// key while the generation log is locked. Blocks while another process allocates.
    public static func open(dataDirectory: String) throws(AttestationStateError) -> AttestationState {
        let directory = try prepareStateDirectory(dataDirectory: dataDirectory)
        let (generation, key) = try GenerationLog.allocate(inDirectory: directory) { () throws(AttestationStateError) in
            try AttestationKeyFile.loadOrCreate(inDirectory: directory)
        }
        return AttestationState(key: key, generation: generation, stateDirectory: directory)
    }

    /// A reader's call: the existing key of `dataDirectory`, with the same checks as the daemon's,
    /// and a state directory that must already be private (it is checked, never changed).
    public static func loadKey(dataDirectory: String) throws(AttestationStateError) -> AttestationKey {
        guard !dataDirectory.isEmpty else { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
        let directory = StateFileChecks.join(dataDirectory, stateDirectoryName)
        var status = stat()
        if lstat(directory, &status) != 0 {
            let code = errno
            if code == ENOENT { throw .keyFileIsMissing(path: StateFileChecks.join(directory, keyFileName)) }
            if code == ENOTDIR { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
            throw .system(operation: "lstat", path: directory, errno: code)
        }
        try requireRealDirectory(status, path: directory)
        guard (status.st_mode & 0o077) == 0 else {
            throw .daemonDirectoryIsNotPrivate(path: directory, mode: UInt32(status.st_mode & 0o7777))
        }
        return try AttestationKeyFile.load(at: StateFileChecks.join(directory, keyFileName))
    }

    /// Creates `<data_dir>/daemon` (and a missing data directory) 0700; it must then be a real
    /// directory, and group and other bits are removed if set (the daemon's rule).
    static func prepareStateDirectory(dataDirectory: String) throws(AttestationStateError) -> String {
        guard !dataDirectory.isEmpty else { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
        try createDirectoryAndParents(dataDirectory, dataDirectory: dataDirectory)
        let directory = StateFileChecks.join(dataDirectory, stateDirectoryName)
        if mkdir(directory, 0o700) != 0 {
            let code = errno
            if code == ENOTDIR { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
            if code != EEXIST { throw .system(operation: "mkdir", path: directory, errno: code) }
        }
        var status = stat()
        guard lstat(directory, &status) == 0 else { throw .system(operation: "lstat", path: directory, errno: errno) }
        try requireRealDirectory(status, path: directory)
        if (status.st_mode & 0o077) != 0 {
            guard chmod(directory, 0o700) == 0 else { throw .system(operation: "chmod", path: directory, errno: errno) }
        }
        return directory
    }

    private static func requireRealDirectory(_ status: stat, path: String) throws(AttestationStateError) {
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .daemonDirectoryIsNotARealDirectory(path: path, found: describeFileKind(status.st_mode))
        }
    }

    /// `mkdir -p` with mode 0700 for what it creates; an existing path (followed if a symlink, as
    /// Rust's `create_dir_all` does) must be a directory.
    private static func createDirectoryAndParents(_ path: String, dataDirectory: String) throws(AttestationStateError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
            return
        }
        let code = errno
        if code == ENOTDIR { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
        guard code == ENOENT else { throw .system(operation: "stat", path: path, errno: code) }
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        if let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex {
            try createDirectoryAndParents(String(trimmed[..<slash]), dataDirectory: dataDirectory)
        }
        if mkdir(trimmed, 0o700) != 0 {
            let failure = errno
            if failure == ENOTDIR { throw .dataDirectoryIsNotADirectory(path: dataDirectory) }
            if failure != EEXIST { throw .system(operation: "mkdir", path: trimmed, errno: failure) }
        }
    }
}
