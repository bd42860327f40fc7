// The real `semd` binary: owner-only socket and permissions, one daemon per socket, stale and
// planted entries, SIGTERM cleanup, idle timeout, kill -9 leftovers. Uses the real MiniLM model.
import Foundation
import SemanticClient
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct DaemonLifecycleTests {
    func mode(_ path: String) -> mode_t {
        var status = stat()
        lstat(path, &status)
        return status.st_mode
    }

    func healthy(_ socket: String) -> Bool { DaemonProcess.answersHealth(at: socket) }

    /// Starts the real semd (real MiniLM) on a socket in a fresh shared-style directory (1777, so the
    /// private runtime directory is used), waits until it answers Health, runs `body`, then stops it
    /// and removes the folder.
    func withRealDaemon(arguments: [String] = [], _ body: (DaemonPaths, DaemonProcess) throws -> Void) throws {
        _ = try Fixtures.requireRealEmbedder()
        try DaemonProcess.with(sharedParent: true, arguments: arguments, readyWithin: .seconds(120)) { daemon in
            try body(daemon.paths, daemon)
        }
    }

    @Test func ownerOnlySocketSecondDaemonRefusedAndSIGTERMCleansUp() throws {
        try withRealDaemon { paths, daemon in

            #expect(mode(paths.socket) & S_IFMT == S_IFLNK)
            #expect(mode(paths.runtimeDirectory) & 0o777 == 0o700)
            #expect(mode(paths.privateSocket) & 0o777 == 0o600)
            #expect(LockFile.readHeartbeat(at: paths.runLock)?.pid == daemon.process.processIdentifier)
            #expect(LockFile.isHeld(at: paths.runLock) == true)

            // A second daemon on the same socket exits at once with status 9, leaving the first alone.
            let second = try DaemonProcess(socket: paths.socket)
            defer { second.stop() }
            #expect(second.waitForExit(timeout: .seconds(120)) == 9)
            #expect(second.errorOutput.contains("already running"))
            #expect(healthy(paths.socket))

            // SIGTERM: graceful stop, socket and symlink removed, exit 0.
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit(timeout: .seconds(120)) == 0)
            #expect(!FileManager.default.fileExists(atPath: paths.privateSocket))
            #expect(mode(paths.socket) == 0, "the public symlink is gone")
            #expect(LockFile.isHeld(at: paths.runLock) == false)
        }
    }

    @Test func aDaemonKilledHardLeavesAStaleSocketTheNextOneReplaces() throws {
        _ = try Fixtures.requireRealEmbedder()
        let first = try DaemonProcess(sharedParent: true)
        defer { first.stop() }  // last: it removes the directory
        let socket = first.socket
        try first.waitUntilAnswering(within: .seconds(120))
        first.signal(SIGKILL)
        _ = first.waitForExit(timeout: .seconds(10))
        #expect(!healthy(socket))
        let second = try DaemonProcess(socket: socket)
        defer { second.stop() }
        try second.waitUntilAnswering(within: .seconds(120))
    }

    @Test func aPlantedSymlinkAtTheSocketPathIsRefusedAndKept() throws {
        let scratch = try TemporaryDirectory.forDaemon(sharedParent: true)
        defer { scratch.remove() }
        let socket = scratch.path("d.sock").path
        let target = scratch.path("precious").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        symlink(target, socket)
        let daemon = try DaemonProcess(socket: socket)
        defer { daemon.stop() }
        #expect(daemon.waitForExit(timeout: .seconds(120)) == 1)
        #expect(daemon.errorOutput.contains("refusing"))
        #expect(mode(socket) & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
    }

    @Test func idleTimeoutStopsTheDaemonAndCleansUp() throws {
        _ = try Fixtures.requireRealEmbedder()
        let daemon = try DaemonProcess(sharedParent: true, arguments: ["--idle-timeout", "2"])
        defer { daemon.stop() }
        let socket = daemon.socket
        try daemon.waitUntilAnswering(within: .seconds(120))
        #expect(daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.contains("idle"))
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func aDaemonOverItsMemoryLimitStopsGracefully() throws {
        _ = try Fixtures.requireRealEmbedder()
        // 1 MiB is far below any daemon's resident size: the first check (after a second) stops it.
        let daemon = try DaemonProcess(sharedParent: true, arguments: ["--memory-limit", "1M"])
        defer { daemon.stop() }
        let socket = daemon.socket
        #expect(daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.contains("exceeds the limit"))
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func aRemovedSocketMakesTheDaemonStopCleanly() throws {
        try withRealDaemon { paths, daemon in
            unlink(paths.socket)
            #expect(daemon.waitForExit(timeout: .seconds(120)) == 0)
            #expect(daemon.errorOutput.contains("removed"))
            #expect(LockFile.isHeld(at: paths.runLock) == false)
        }
    }

    /// Clients connecting in a storm while the daemon stops: every connection is served, refused with
    /// an error frame, or finds no socket, and the daemon still exits 0 with everything cleaned up.
    @Test func aConnectStormDuringStopEndsCleanly() throws {
        try withRealDaemon { paths, daemon in
            final class Flag: Sendable { let raised = Atomic<Bool>(true) }
            let storming = Flag()
            // Each stormer says when it has connected a few times: the storm is on.
            let stormingNow = DispatchSemaphore(value: 0)
            let stormers = (0..<4).map { _ in
                Thread {
                    var connected = 0
                    while storming.raised.load(ordering: .relaxed) {
                        if let connection = try? UnixSocketConnection.connect(to: paths.socket) {
                            connection.close()
                            connected += 1
                            if connected == 5 { stormingNow.signal() }
                        }
                    }
                }
            }
            for thread in stormers { thread.start() }
            for _ in stormers {
                guard stormingNow.wait(timeout: .now() + 60) == .success else {
                    storming.raised.store(false, ordering: .relaxed)
                    throw PollTimeout(what: "four clients connecting in a storm", timeout: .seconds(60),
                                      location: "\(#fileID):\(#line)", detail: daemon.errorOutput)
                }
            }
            daemon.signal(SIGTERM)
            let status = daemon.waitForExit(timeout: .seconds(120))
            storming.raised.store(false, ordering: .relaxed)
            #expect(status == 0, "\(daemon.errorOutput)")
            #expect(!daemon.errorOutput.contains("Fatal error"))
            #expect(!FileManager.default.fileExists(atPath: paths.privateSocket))
            #expect(LockFile.isHeld(at: paths.runLock) == false)
        }
    }
}
