// Where xf looks for its daemon: `/tmp/xf-daemon-<user>.sock` (hard-coded /tmp, not $TMPDIR), the user
// from $USER, else $USERNAME, else `default`, sanitised as xf's daemon does (alphanumerics, `_`, `-`,
// at most 64, `default` when nothing is left). `XF_DAEMON_SOCKET` overrides it, as for xf's daemon.
// Pure path arithmetic; never touches the file system.
extension DaemonPaths {
    /// Resolution order: the `--xf-socket` flag, then `XF_DAEMON_SOCKET`, then xf's default path.
    public static func resolveXF(explicitSocket: String? = nil, environment: [String: String]) -> DaemonPaths {
        if let explicitSocket, !explicitSocket.isEmpty { return DaemonPaths(socket: explicitSocket) }
        if let fromEnvironment = environment["XF_DAEMON_SOCKET"], !fromEnvironment.isEmpty {
            return DaemonPaths(socket: fromEnvironment)
        }
        return DaemonPaths(socket: "/tmp/xf-daemon-\(xfSanitizedUser(environment)).sock")
    }

    /// xf's user id for its socket name: `$USER`, else `$USERNAME`, else `default`; then only
    /// alphanumerics (Unicode), `_` and `-`, at most 64 of them; `default` when nothing is left.
    public static func xfSanitizedUser(_ environment: [String: String]) -> String {
        let user = environment["USER"] ?? environment["USERNAME"] ?? "default"
        var kept = String.UnicodeScalarView()
        for scalar in user.unicodeScalars where kept.count < 64 {
            if scalar == "-" || scalar == "_" || isAlphanumeric(scalar) { kept.append(scalar) }
        }
        return kept.isEmpty ? "default" : String(kept)
    }
}
