// SO_PEERCRED on the daemon's sockets: the decision (only the daemon's own user, root included in the
// refusal), an in-process daemon told to serve another uid closing our connections on both the cass
// and the xf socket with an info line and no answer, and, when the tests run as root, a real process
// of another user reaching the socket through loosened permissions and being refused while the same
// program under our own uid is served.
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Synchronization
import Testing
@testable import SemanticDaemon
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct PeerCredentialTests {
    @Test func onlyTheDaemonsOwnUserIsServedAndRootIsNoException() {
        let own = PeerCredentials(processID: 10, userID: 1000, groupID: 1000)
        #expect(PeerAdmission.decide(peer: own, daemonUserID: 1000) == .serve)
        let other = PeerCredentials(processID: 11, userID: 1001, groupID: 1000)
        guard case .refuse(let reason) = PeerAdmission.decide(peer: other, daemonUserID: 1000) else {
            Issue.record("another user was served")
            return
        }
        #expect(reason.contains("uid 1001") && reason.contains("uid 1000"))
        let root = PeerCredentials(processID: 1, userID: 0, groupID: 0)
        #expect(PeerAdmission.decide(peer: root, daemonUserID: 1000) != .serve, "root is refused by a user's daemon")
        #expect(PeerAdmission.decide(peer: root, daemonUserID: 0) == .serve, "a root daemon serves root")
        #expect(PeerAdmission.decide(peer: nil, daemonUserID: 1000) != .serve, "unreadable credentials: refused")
    }

    /// A daemon (tiny embedder) on a fresh socket pair in a shared-style parent (as /tmp is: the daemon
    /// binds in its private 0700 runtime directory), waited for until its sockets are bound rather than
    /// until it answers, since a daemon serving another uid never answers us.
    func withDaemon(servedUserID: UInt32, log: CapturedLog, _ body: (DaemonConfiguration, Daemon) async throws -> Void)
        async throws {
        try await RunningDaemon.with(registry: ModelRegistry(models: [.tinyEmbedder]), sharedParent: true, log: log,
                                     readiness: .listening, configure: { configuration in
            configuration.xfPaths = DaemonPaths(socket: configuration.paths.parentDirectory + "/xf.sock")
            configuration.xfSocketRequired = true
            configuration.servedUserID = servedUserID
        }) { running in
            try await body(running.configuration, running.daemon)
        }
    }

    @Test func aConnectionFromAnotherUserIsClosedUnreadOnBothSockets() async throws {
        let log = CapturedLog()
        try await withDaemon(servedUserID: getuid() &+ 4242, log: log) { configuration, daemon in
            for socket in [configuration.paths.socket, configuration.xfPaths!.socket] {
                let outcome = try await offPool { () -> String in
                    let connection = try DaemonConnection(socketPath: socket)
                    defer { connection.close() }
                    do {
                        let answer = try connection.send(.health, timeout: .seconds(60))
                        return "answered: \(answer.response)"
                    } catch {
                        return "\(error)"
                    }
                }
                #expect(!outcome.hasPrefix("answered"), "\(socket): \(outcome)")
            }
            #expect(daemon.server.refusedPeers.load(ordering: .relaxed) == 2)
            let refusals = log.all.filter { $0.contains("refused a connection") }
            #expect(refusals.count == 2, "\(log.all)")
            #expect(refusals.allSatisfy { $0.hasPrefix("info ") && $0.contains("uid \(getuid())") })
            #expect(refusals.contains { $0.contains("cass socket") } && refusals.contains { $0.contains("xf socket") })
            #expect(daemon.service.ledger.totals.requests == 0, "no request of a refused peer was read")
        }
    }

    /// Runs `python3` with a one-connection client: connect (a failure exits 1), send `frame`, print how
    /// many bytes came back (0 when the daemon closed the connection).
    func probe(socket: String, frame: [UInt8], asUser user: UInt32?) throws -> ProcessOutput {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(60)
            s.connect(sys.argv[1])
            try:
                s.sendall(bytes.fromhex(sys.argv[2]))
                data = s.recv(65536)
            except (BrokenPipeError, ConnectionResetError):
                data = b""
            print(len(data))
            """
        let hex = frame.map { String(format: "%02x", $0) }.joined()
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else { throw FixtureError.malformed("no python3") }
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
        if let user {
            return try Subprocess.run(setpriv, ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", python,
                                                "-c", script, socket, hex])
        }
        return try Subprocess.run(URL(fileURLWithPath: python), ["-c", script, socket, hex])
    }

    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && ["/usr/bin/python3", "/usr/local/bin/python3"].contains { FileManager.default.isExecutableFile(atPath: $0) }))
    func anotherUsersProcessIsRefusedEvenThroughLoosenedPermissions() async throws {
        let log = CapturedLog()
        try await withDaemon(servedUserID: getuid(), log: log) { configuration, daemon in
            // Loosen everything a file mode can: the folder searchable and the socket writable by all.
            chmod(configuration.paths.runtimeDirectory, 0o755)
            chmod(configuration.paths.privateSocket, 0o666)
            let frame = try RequestEnvelope(requestID: "probe", request: .health).encodedFrame()
            let socket = configuration.paths.privateSocket
            let ours = try await offPool { try self.probe(socket: socket, frame: frame, asUser: nil) }
            #expect(ours.status == 0 && (Int(ours.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0,
                    "our own uid is served: \(ours)")
            let nobody: UInt32 = 65534
            let theirs = try await offPool { try self.probe(socket: socket, frame: frame, asUser: nobody) }
            #expect(theirs.status == 0, "the other user reached the socket: \(theirs)")
            #expect(theirs.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(theirs)")
            #expect(daemon.server.refusedPeers.load(ordering: .relaxed) == 1)
            let oursAgain = try await offPool { try self.probe(socket: socket, frame: frame, asUser: nil) }
            #expect((Int(oursAgain.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0,
                    "the daemon keeps serving its user after a refusal: \(oursAgain)")
            #expect(log.all.contains { $0.hasPrefix("info ") && $0.contains("refused a connection") && $0.contains("uid \(nobody)") },
                    "\(log.all)")
        }
    }
}
