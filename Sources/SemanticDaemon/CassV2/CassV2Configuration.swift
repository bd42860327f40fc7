// Where the cass v2 attested channel lives: the cass data directory (`--cass-data-dir`,
// `SEMD_CASS_DATA_DIR`, or the `--data-dir` cass passes when it spawns `semd daemon`), and the socket a
// cass client of that directory connects to (cass v2's own rules: `CASS_DAEMON_SOCKET`, else the
// hashed per-data-directory name of spec §8). When that socket is not semd's main one, semd listens on
// it too. Resolution only: it binds nothing.
import Foundation
import SemanticAttestation
import SemanticRuntime

extension DaemonConfiguration {
    /// Fills in `cassDataDirectory` and `cassV2Paths` from the flag and the environment.
    mutating func resolveCassChannel(dataDirectory explicit: String?, environment: [String: String]) throws {
        let given = [explicit, environment["SEMD_CASS_DATA_DIR"]].compactMap { $0 }.first { !$0.isEmpty }
        guard let given else {
            cassDataDirectory = nil
            cassV2Paths = nil
            return
        }
        let currentDirectory = FileManager.default.currentDirectoryPath
        let directory = PathIdentity.normalize((given as NSString).expandingTildeInPath, currentDirectory: currentDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError.invalid(name: "cass data directory", value: given, expected: "an existing directory")
        }
        cassDataDirectory = directory
        let resolved = CassSocketPaths.resolve(explicitSocket: nil, dataDirectory: directory,
                                               environment: CassDaemonEnvironment(variables: environment,
                                                                                  currentDirectory: currentDirectory))
        cassV2Paths = resolved.daemonPaths.socket == paths.socket ? nil : resolved.daemonPaths
        if let v2 = cassV2Paths, v2.socket == xfPaths?.socket {
            throw ConfigurationError.invalid(name: "cass v2 socket", value: v2.socket, expected: "a path other than the xf socket")
        }
    }

    /// The socket whose endpoint the attested identity names: cass's socket for the data directory.
    public var cassChannelSocket: String? {
        guard cassDataDirectory != nil else { return nil }
        return cassV2Paths?.socket ?? paths.socket
    }

    /// cass's default data directory (cass-daemon-spec §3.1): `CASS_DATA_DIR`, then
    /// `$XDG_DATA_HOME/coding-agent-search`, then `~/.local/share/coding-agent-search`.
    public static func defaultCassDataDirectory(environment: [String: String]) -> String {
        if let directory = environment["CASS_DATA_DIR"], !directory.isEmpty { return directory }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/coding-agent-search" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/coding-agent-search"
    }
}
