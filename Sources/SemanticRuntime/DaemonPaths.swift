// Where a daemon lives on disk: its public socket path (default `$TMPDIR/semantic-daemon-<user>.sock`),
// the lock files beside it, the private runtime directory used in shared parents, and its log file.
// Pure path arithmetic; never touches the file system.
import Foundation

public struct DaemonPaths: Sendable, Equatable {
    /// The path clients connect to (a socket, or a symlink to one in the runtime directory).
    public let socket: String

    public init(socket: String) {
        self.socket = socket
    }

    /// Resolution order: the `--socket` flag, then `environmentVariable` (`SEMD_SOCKET`), then the
    /// default `<temp dir>/semantic-daemon-<user>.sock`.
    public static func resolve(
        explicitSocket: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        environmentVariable: String = "SEMD_SOCKET",
        defaultFileName: (String) -> String = { "semantic-daemon-\($0).sock" }
    ) -> DaemonPaths {
        if let explicitSocket, !explicitSocket.isEmpty { return DaemonPaths(socket: explicitSocket) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return DaemonPaths(socket: fromEnvironment)
        }
        let user = sanitizedUser(environment["USER"])
        let directory = temporaryDirectory(environment)
        return DaemonPaths(socket: (directory as NSString).appendingPathComponent(defaultFileName(user)))
    }

    /// `$TMPDIR` when set, else `/tmp` (the temp directory rule of the Rust peers).
    public static func temporaryDirectory(_ environment: [String: String]) -> String {
        if let directory = environment["TMPDIR"], !directory.isEmpty { return directory }
        return "/tmp"
    }

    /// Keeps alphanumerics (Unicode letters and numbers), `-` and `_`; at most 64 scalars; "unknown"
    /// when nothing is left. `"../bad user!"` becomes `baduser`.
    public static func sanitizedUser(_ user: String?) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in (user ?? "").unicodeScalars where kept.count < 64 {
            if scalar == "-" || scalar == "_" || isAlphanumeric(scalar) { kept.append(scalar) }
        }
        return kept.isEmpty ? "unknown" : String(kept)
    }

    /// Rust `char::is_alphanumeric`: Alphabetic, or general category Nd, Nl or No.
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isAlphabetic { return true }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// The directory holding the public socket.
    public var parentDirectory: String { (socket as NSString).deletingLastPathComponent.isEmpty
        ? "." : (socket as NSString).deletingLastPathComponent }

    public var socketFileName: String { (socket as NSString).lastPathComponent }

    /// Held by the daemon for its whole life: `<name>.spawnlock`.
    public var runLock: String { replacingExtension(with: "spawnlock") }

    /// Held briefly by a client while it spawns the daemon: `<name>.spawn-guard.lock`.
    public var spawnGuard: String { replacingExtension(with: "spawn-guard.lock") }

    /// The private directory used when the parent is shared: `<parent>/.<socket file name>.runtime`.
    public var runtimeDirectory: String {
        (parentDirectory as NSString).appendingPathComponent(".\(socketFileName).runtime")
    }

    /// Where the socket is bound when the parent is shared.
    public var privateSocket: String { (runtimeDirectory as NSString).appendingPathComponent("daemon.sock") }

    /// The daemon's log file when it is spawned by a client: `<name>.log` beside the socket.
    public var logFile: String { replacingExtension(with: "log") }

    /// Rust `Path::with_extension`: replaces what follows the file name's last `.` (a leading dot does
    /// not start an extension), or appends one.
    func replacingExtension(with newExtension: String) -> String {
        let name = socketFileName
        var stem = name
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            stem = String(name[..<dot])
        }
        let file = "\(stem).\(newExtension)"
        let parent = (socket as NSString).deletingLastPathComponent
        return parent.isEmpty ? file : (parent as NSString).appendingPathComponent(file)
    }
}
