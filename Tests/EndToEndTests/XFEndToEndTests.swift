// End to end with xf's bytes: a daemon started by `semctl start` also serves the xf socket of its
// environment (XF_DAEMON_SOCKET); the golden request frames xf's Rust client wrote are answered there;
// `semctl status` lists both sockets with each dialect's request count; `semctl stop` removes both.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct XFEndToEndTests {
    /// Sends one golden xf request frame on a connection of its own (as xf's client does) and returns
    /// the answer's body.
    func send(_ frame: WireFrame, to socket: String) throws -> [UInt8] {
        let connection = try UnixSocketConnection.connect(to: socket)
        defer { connection.close() }
        let deadline = ContinuousClock.now + .seconds(60)
        try connection.send(frame.bytes, deadline: deadline)
        let header = try connection.receive(exactly: 4, deadline: deadline)
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        return try connection.receive(exactly: length, deadline: deadline)
    }

    @Test func semctlStatusListsBothSocketsWithEachDialectsRequests() async throws {
        let frames = try WireFrames.load("xf-frames.json")
        let health = try #require(frames.first { $0.name == "xf-req-health" })
        let status = try #require(frames.first { $0.name == "xf-req-status" })
        try await DaemonSandbox.with { sandbox in
            let start = try await sandbox.run(["start"])
            #expect(start.status == 0, "\(start)")
            let xfSocket = sandbox.xfSocket
            let answers = try await offPool { [self] in
                try [health, status, health].map { try send($0, to: xfSocket) }
            }
            // [version 1, the request's id, payload]: ids 1, 5, 1 as in the golden requests.
            #expect(answers.map { Array($0.prefix(3)) } == [[0x93, 0x01, 0x01], [0x93, 0x01, 0x05], [0x93, 0x01, 0x01]])
            // The payload is {"Health": …}: its bytes 81 a6 "Health" travel as integers (cc 81 cc a6 48 65 …).
            let healthPayload: [UInt8] = [0xcc, 0x81, 0xcc, 0xa6] + Array("Health".utf8)
            #expect(answers[0].count > 4 + healthPayload.count
                && (4...5).contains { Array(answers[0].dropFirst($0).prefix(healthPayload.count)) == healthPayload },
                "\(answers[0])")
            _ = try await sandbox.embed("hello")

            var report: [String: Any] = [:]
            let listed = await Poll.holds(within: .seconds(30)) {
                guard let output = try? Subprocess.run(sandbox.semctl, ["status", "--json"], environment: sandbox.environment),
                      let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
                      let listeners = object["listeners"] as? [[String: Any]],
                      listeners.first(where: { $0["dialect"] as? String == "xf" })?["requests"] as? Int == 3 else { return false }
                report = object
                return true
            }
            #expect(listed, "semctl status never listed 3 xf requests")
            let listeners = report["listeners"] as? [[String: Any]] ?? []
            #expect(listeners.map { $0["dialect"] as? String } == ["cass", "xf"])
            #expect(listeners.map { $0["socket"] as? String } == [sandbox.paths.socket, xfSocket])
            #expect((listeners.first?["requests"] as? Int ?? 0) >= 1)
            let table = try await sandbox.run(["status"])
            #expect(table.status == 0 && table.standardOutput.contains("DIALECT") && table.standardOutput.contains(xfSocket),
                    "\(table)")

            let stop = try await sandbox.run(["stop"])
            #expect(stop.status == 0, "\(stop)")
            var entry = stat()
            #expect(lstat(xfSocket, &entry) != 0, "the xf socket is left behind")
        }
    }
}
