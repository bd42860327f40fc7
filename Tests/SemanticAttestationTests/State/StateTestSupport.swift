// Shared by the state tests: the `state_files`, `socket_path` and `worked_example` sections of
// Tests/Fixtures/wire/v2-frames.json, hex conversion, and a scratch data directory with helpers to
// plant files in it. Only reads the fixture; writes only inside its own temporary directory.
import Foundation
import SemanticTestSupport
#if canImport(Glibc)
import Glibc
#endif

enum V2Vectors {
    static func section(_ name: String) throws -> [String: Any] {
        guard let root = try Fixtures.json("wire/v2-frames.json") as? [String: Any],
              let section = root[name] as? [String: Any] else {
            throw FixtureError.malformed("v2-frames.json has no object \(name)")
        }
        return section
    }

    static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw FixtureError.malformed("missing string \(key)") }
        return value
    }

    static func objects(_ object: [String: Any], _ key: String) throws -> [[String: Any]] {
        guard let value = object[key] as? [[String: Any]] else { throw FixtureError.malformed("missing array \(key)") }
        return value
    }

    static func object(_ object: [String: Any], _ key: String) throws -> [String: Any] {
        guard let value = object[key] as? [String: Any] else { throw FixtureError.malformed("missing object \(key)") }
        return value
    }
}

func bytes(fromHex hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// A fresh data directory `<tmp>/semd-attest-XXXXXXXX/data` (not yet created) and its state paths.
struct ScratchDataDirectory {
    let temporary: TemporaryDirectory
    let dataDirectory: String

    init() throws {
        temporary = try TemporaryDirectory(prefix: "semd-attest")
        dataDirectory = temporary.path("data").path
    }

    var stateDirectory: String { dataDirectory + "/daemon" }
    var keyPath: String { stateDirectory + "/attestation-key-v1.bin" }
    var logPath: String { stateDirectory + "/attestation-generations-v1.log" }

    /// Creates `<data>/daemon` 0700, as the daemon leaves it.
    func createStateDirectory() throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        chmod(stateDirectory, 0o700)
    }

    /// Writes `content` to `path` with exactly `mode`.
    func write(_ content: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        try Data(content).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    func contents(of path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    func mode(of path: String) -> mode_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & 0o7777 : nil
    }

    func remove() { temporary.remove() }
}
