// Where cass protocol v2 puts a daemon's socket (§8): `CASS_DAEMON_SOCKET`, then `--socket`, then the
// per-data-directory default `cass-semantic-daemon-<24 hex>.sock` (hash of §4.4) in the first short
// enough of temp_dir / $XDG_RUNTIME_DIR / /tmp, else the legacy per-user name. A pure function of a
// `CassDaemonEnvironment` value (variables, working directory; the user is its USER), apart from the
// realpath of the data directory. Never creates, binds or removes anything: binding is
// `OwnerOnlySocket.bind(paths.daemonPaths)`.
import SemanticRuntime

/// The process environment that decides a v2 socket path, as a value so it can be tested.
public struct CassDaemonEnvironment: Sendable, Equatable {
    public var variables: [String: String]
    /// Absolute; relative data directories and socket paths are taken against it.
    public var currentDirectory: String

    public init(variables: [String: String], currentDirectory: String) {
        self.variables = variables
        self.currentDirectory = currentDirectory
    }

    /// `USER`, read as is (absent and empty hash differently only in that absent writes no bytes).
    public var user: String? { variables["USER"] }

    /// Rust's `std::env::temp_dir()` on Linux: `$TMPDIR` when set (even when empty), else `/tmp`.
    public var temporaryDirectory: String { variables["TMPDIR"] ?? "/tmp" }

    /// `$XDG_RUNTIME_DIR` when it is set and not blank.
    public var runtimeDirectory: String? {
        guard let directory = variables["XDG_RUNTIME_DIR"],
              directory.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else { return nil }
        return directory
    }
}

public struct CassSocketPaths: Sendable, Equatable {
    /// Which rule of §8 chose the path.
    public enum Origin: String, Sendable, Equatable {
        case environmentOverride = "CASS_DAEMON_SOCKET"
        case explicitSocket = "--socket"
        case dataDirectory = "data directory"
        case legacyUserDefault = "legacy per-user default"
    }

    /// The public path clients connect to.
    public let socket: String
    public let origin: Origin

    public init(socket: String, origin: Origin) {
        self.socket = socket
        self.origin = origin
    }

    /// The same path as the runtime's `DaemonPaths`, for `OwnerOnlySocket.bind` and the lock files.
    public var daemonPaths: DaemonPaths { DaemonPaths(socket: socket) }
    /// The run lock: the socket path with its extension replaced by `spawnlock`.
    public var runLock: String { daemonPaths.runLock }
    /// The clients' spawn guard: the extension replaced by `spawn-guard.lock`.
    public var spawnGuard: String { daemonPaths.spawnGuard }
    /// Where the socket is bound when its parent is shared: `<parent>/.<name>.runtime/daemon.sock`.
    public var privateBindPath: String { daemonPaths.privateSocket }

    public static let environmentVariable = "CASS_DAEMON_SOCKET"
    /// A socket path must stay under this many bytes to be preferred (sun_path is 108 on Linux).
    public static let preferredPathLimit = 100

    /// §8's order: `CASS_DAEMON_SOCKET` (when set and not empty), `explicitSocket`, the default for
    /// `dataDirectory`, and with no data directory the legacy per-user default.
    public static func resolve(explicitSocket: String? = nil, dataDirectory: String?,
                               environment: CassDaemonEnvironment) -> CassSocketPaths {
        if let fromEnvironment = environment.variables[environmentVariable], !fromEnvironment.isEmpty {
            return CassSocketPaths(socket: fromEnvironment, origin: .environmentOverride)
        }
        if let explicitSocket, !explicitSocket.isEmpty {
            return CassSocketPaths(socket: explicitSocket, origin: .explicitSocket)
        }
        guard let dataDirectory, !dataDirectory.isEmpty else {
            let name = "cass-semantic-daemon-\(legacySanitizedUser(environment.user)).sock"
            return CassSocketPaths(socket: StateFileChecks.join(environment.temporaryDirectory, name),
                                   origin: .legacyUserDefault)
        }
        let name = socketFileName(dataDirectory: dataDirectory, environment: environment)
        let directory = chooseDirectory(candidates: candidateDirectories(environment), fileNameLength: name.utf8.count)
        return CassSocketPaths(socket: StateFileChecks.join(directory, name), origin: .dataDirectory)
    }

    /// `cass-semantic-daemon-` + hex of the first 12 bytes of the §4.4 hash + `.sock` (50 bytes).
    public static func socketFileName(dataDirectory: String, environment: CassDaemonEnvironment) -> String {
        let normalized = PathIdentity.normalizedBytes(Array(dataDirectory.utf8),
                                                      currentDirectory: Array(environment.currentDirectory.utf8))
        let preimage = socketNamePreimage(user: environment.user, normalizedDataDirectory: normalized)
        return "cass-semantic-daemon-" + Hexadecimal.sha256(preimage).prefix(24) + ".sock"
    }

    /// §4.4: `"cass.semantic-daemon.socket.v1"` ‖ (USER ? LP(USER) : u64be(0)) ‖ LP(P).
    static func socketNamePreimage(user: String?, normalizedDataDirectory: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder(rawDomain: "cass.semantic-daemon.socket.v1")
        if let user {
            encoder.appendText(user)
        } else {
            encoder.appendUInt64(0)
        }
        encoder.appendLengthPrefixed(normalizedDataDirectory)
        return encoder.bytes
    }

    /// temp_dir, then `$XDG_RUNTIME_DIR` if set and not blank, then `/tmp`.
    public static func candidateDirectories(_ environment: CassDaemonEnvironment) -> [String] {
        [environment.temporaryDirectory] + (environment.runtimeDirectory.map { [$0] } ?? []) + ["/tmp"]
    }

    /// The first candidate with `len(dir) + 1 + fileNameLength < 100`, else the one where that sum is
    /// smallest (the first of equals).
    public static func chooseDirectory(candidates: [String], fileNameLength: Int) -> String {
        func length(_ directory: String) -> Int { directory.utf8.count + 1 + fileNameLength }
        if let fitting = candidates.first(where: { length($0) < preferredPathLimit }) { return fitting }
        var shortest = candidates.first ?? "/tmp"
        for candidate in candidates where length(candidate) < length(shortest) { shortest = candidate }
        return shortest
    }

    /// The legacy name's user: ASCII letters and digits, `-` and `_`, at most 64; `unknown` when empty.
    static func legacySanitizedUser(_ user: String?) -> String {
        let kept = (user ?? "").unicodeScalars.filter { scalar in
            scalar.isASCII && (scalar == "-" || scalar == "_" || scalar.properties.isAlphabetic
                || ("0"..."9").contains(scalar))
        }.prefix(64)
        return kept.isEmpty ? "unknown" : String(String.UnicodeScalarView(kept))
    }
}
