// cass's own spawn line against the built semd: `semd daemon --socket PATH --data-dir DIR`, as a cass
// client runs it when CASS_DAEMON_BINARY names semd. The daemon serves PATH, answers cass v2's Health
// there, brings the attested channel up for DIR (key and generation files created in DIR/daemon/),
// reports it in its heartbeat, and exits on Shutdown.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing

@Suite struct CassSpawnTests {
    @Test func cassesSpawnCommandLineStartsSemdWithTheAttestedChannel() async throws {
        _ = try Fixtures.requireRealEmbedder()
        let scratch = try TemporaryDirectory(prefix: "semd-cass-spawn")
        defer { scratch.remove() }
        let data = scratch.path("data").path
        let socket = scratch.path("cass.sock").path
        let process = Process()
        process.executableURL = try BuiltExecutables.url("semd")
        process.arguments = ["daemon", "--socket", socket, "--data-dir", data]
        var environment = ProcessInfo.processInfo.environment
        environment["SEMD_MODELS_DIR"] = Fixtures.repositoryRoot.appendingPathComponent("Models").path
        environment["XF_DAEMON_SOCKET"] = scratch.path("xf.sock").path
        environment["SEMD_NICE"] = "0"
        process.environment = environment
        let errors = scratch.path("stderr.log")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let stderr = { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

        let runLock = DaemonPaths(socket: socket).runLock
        try await Poll.until("the attested channel is up", within: .seconds(300)) {
            guard process.isRunning else { throw FixtureError.malformed("semd exited: \(stderr())") }
            return LockFile.readHeartbeat(at: runLock)?.attestedChannel?.state == "up"
        }
        let report = try #require(LockFile.readHeartbeat(at: runLock)?.attestedChannel)
        #expect(report.socket == socket && report.generation == 1 && report.keyID?.hasPrefix("cass-daemon-key-") == true, "\(report)")
        var status = stat()
        #expect(lstat(data + "/daemon/attestation-key-v1.bin", &status) == 0 && status.st_mode & 0o777 == 0o600 && status.st_size == 32)

        // cass v2's Health on the socket cass named, then Shutdown ends the daemon.
        let answers = try await offPool { () -> (CassV2Response, CassV2Response) in
            let connection = try UnixSocketConnection.connect(to: socket)
            defer { connection.close() }
            func send(_ request: CassV2Request) throws -> CassV2Response {
                try connection.send(try CassV2RequestEnvelope(requestID: "spawn", payload: request).encodedFrame(),
                                    deadline: .now + .seconds(60))
                let header = try connection.receive(exactly: 4, deadline: .now + .seconds(60))
                let body = try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: .now + .seconds(60))
                return try CassV2ResponseEnvelope.decode(frameBody: body).payload
            }
            return (try send(.health), try send(.shutdown))
        }
        guard case .health(let health) = answers.0 else { Issue.record("\(answers.0)"); return }
        #expect(health.ready && health.version == 2)
        #expect(answers.1 == .shutdown(message: "daemon shutting down"))
        try await Poll.until("semd exits after Shutdown", within: .seconds(60)) { !process.isRunning }
        #expect(process.terminationStatus == 0, "\(stderr())")
    }
}
