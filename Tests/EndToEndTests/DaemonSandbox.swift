// A private place for one end-to-end test: a temporary socket path, a models folder holding only the
// real all-MiniLM-L6-v2 (so no reranker is installed), runs of the built semctl with that environment,
// the semd processes serving that socket, and a cleanup that always stops them. Every wait for a
// subprocess runs off the concurrency pool, so other tests' in-process daemons keep being served.
import Foundation
import SemanticRuntime
import SemanticTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class DaemonSandbox: Sendable {
    let scratch: TemporaryDirectory
    let paths: DaemonPaths
    let modelsDirectory: URL
    let semctl: URL
    let semd: URL

    init() throws {
        let realModel = try Fixtures.requireRealEmbedder()
        semctl = try BuiltExecutables.url("semctl")
        semd = try BuiltExecutables.url("semd")
        scratch = try TemporaryDirectory(prefix: "semd-e2e")
        paths = DaemonPaths(socket: scratch.path("d.sock").path)
        modelsDirectory = scratch.path("models")
        try FileManager.default.createDirectory(at: modelsDirectory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: modelsDirectory.appendingPathComponent("all-MiniLM-L6-v2"),
                                                   withDestinationURL: realModel)
    }

    /// The xf dialect's socket of the sandbox's daemons (never xf's shared default).
    var xfSocket: String { scratch.path("xf.sock").path }

    var environment: [String: String] {
        // Generous timeouts: a debug semd loading the real model on a loaded machine is slow, and a
        // timeout would turn a "served by daemon" into a fallback.
        ["SEMD_SOCKET": paths.socket, "SEMD_MODELS_DIR": modelsDirectory.path, "XF_DAEMON_SOCKET": xfSocket,
         "SEMD_SPAWN_TIMEOUT_MS": "120000", "SEMD_REQUEST_TIMEOUT_MS": "300000"]
    }

    /// Runs a fresh sandbox through `body`, then stops its daemons and removes it, whatever happened.
    static func with(_ body: (DaemonSandbox) async throws -> Void) async throws {
        let sandbox = try DaemonSandbox()
        do {
            try await body(sandbox)
        } catch {
            await sandbox.cleanUp()
            throw error
        }
        await sandbox.cleanUp()
    }

    /// Runs the built semctl with the sandbox's environment plus `extra`.
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:], input: String? = nil) async throws
        -> ProcessOutput {
        let (semctl, environment) = (semctl, environment.merging(extra) { $1 })
        return try await offPool { try Subprocess.run(semctl, arguments, environment: environment, input: input) }
    }

    /// `semctl embed --json TEXT`, parsed.
    func embed(_ text: String, environment extra: [String: String] = [:]) async throws -> EmbedOutput {
        let output = try await run(["embed", "--json", text], environment: extra)
        guard output.status == 0 else { throw SandboxError.failed("embed", output) }
        return try EmbedOutput(json: output.standardOutput)
    }

    /// Live (non-zombie) semd processes started for this sandbox's socket.
    func daemonProcesses() -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let program = arguments.first, program.hasSuffix("/semd") || program == "semd",
                  let flag = arguments.firstIndex(of: "--socket"), flag + 1 < arguments.count,
                  arguments[flag + 1] == paths.socket else { return false }
            return Subprocess.isAlive(pid)
        }.sorted()
    }

    /// The pid in the run lock's heartbeat, while the lock is held.
    var heartbeatPID: Int32? {
        guard LockFile.isHeld(at: paths.runLock) == true else { return nil }
        return LockFile.readHeartbeat(at: paths.runLock)?.pid
    }

    /// Whether anything is at the public socket path (a socket or the published symlink).
    var socketEntryExists: Bool {
        var status = stat()
        return lstat(paths.socket, &status) == 0
    }

    var log: String { (try? String(contentsOfFile: paths.logFile, encoding: .utf8)) ?? "" }

    /// Stops every daemon of this sandbox (Shutdown, then SIGKILL for any left) and removes the folder.
    func cleanUp() async {
        _ = try? await run(["stop", "--timeout", "10"])
        for pid in daemonProcesses() { kill(pid, SIGKILL) }
        // Not our children (semctl started them detached): their end is polled.
        _ = await Poll.holds(within: .seconds(5)) { daemonProcesses().isEmpty }
        scratch.remove()
    }
}

enum SandboxError: Error, CustomStringConvertible {
    case failed(String, ProcessOutput)
    case malformed(String)

    var description: String {
        switch self {
        case .failed(let what, let output): return "semctl \(what) failed: \(output)"
        case .malformed(let what): return "unexpected output: \(what)"
        }
    }
}

/// What `semctl embed --json` prints.
struct EmbedOutput {
    let model: String
    let dimension: Int
    let servedBy: String
    let elapsedMilliseconds: Double
    let embeddings: [[Float]]

    init(json: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let model = object["model"] as? String, let dimension = object["dimension"] as? Int,
              let servedBy = object["served_by"] as? String, let elapsed = object["elapsed_ms"] as? Double,
              let embeddings = object["embeddings"] as? [[Double]] else {
            throw SandboxError.malformed(json)
        }
        self.model = model
        self.dimension = dimension
        self.servedBy = servedBy
        elapsedMilliseconds = elapsed
        self.embeddings = embeddings.map { $0.map { Float($0) } }
    }
}
