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

    func healthy(_ socket: String) -> Bool {
        guard let connection = try? DaemonConnection(socketPath: socket),
              let answer = try? connection.send(.health, timeout: .seconds(5)),
              case .health = answer.response else { return false }
        return true
    }

    /// A shared-style parent directory (1777) so the private runtime directory is used.
    func sharedScratch() throws -> TemporaryDirectory {
        let scratch = try TemporaryDirectory(prefix: "semd-life")
        chmod(scratch.url.path, 0o1777)
        return scratch
    }

    /// Starts the real semd (real MiniLM) on a socket in a fresh shared-style directory, waits until it
    /// answers Health unless `waitUntilHealthy` is false, runs `body`, then stops it and removes the folder.
    func withRealDaemon(arguments: [String] = [], waitUntilHealthy: Bool = true,
                        _ body: (DaemonPaths, DaemonProcess) throws -> Void) throws {
        _ = try Fixtures.requireRealEmbedder()
        let scratch = try sharedScratch()
        defer { scratch.remove() }
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        let daemon = try DaemonProcess(socket: paths.socket, arguments: arguments)
        defer { daemon.stop() }
        if waitUntilHealthy {
            #expect(DaemonProcess.wait(timeout: .seconds(120)) { healthy(paths.socket) }, "\(daemon.errorOutput)")
        }
        try body(paths, daemon)
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
        let scratch = try sharedScratch()
        defer { scratch.remove() }
        let socket = scratch.path("d.sock").path
        let first = try DaemonProcess(socket: socket)
        #expect(DaemonProcess.wait(timeout: .seconds(120)) { healthy(socket) }, "\(first.errorOutput)")
        first.signal(SIGKILL)
        _ = first.waitForExit(timeout: .seconds(10))
        first.stop()
        #expect(!healthy(socket))
        let second = try DaemonProcess(socket: socket)
        defer { second.stop() }
        #expect(DaemonProcess.wait(timeout: .seconds(120)) { healthy(socket) }, "\(second.errorOutput)")
    }

    @Test func aPlantedSymlinkAtTheSocketPathIsRefusedAndKept() throws {
        let scratch = try sharedScratch()
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
        let scratch = try sharedScratch()
        defer { scratch.remove() }
        let socket = scratch.path("d.sock").path
        let daemon = try DaemonProcess(socket: socket, arguments: ["--idle-timeout", "2"])
        defer { daemon.stop() }
        #expect(DaemonProcess.wait(timeout: .seconds(120)) { healthy(socket) }, "\(daemon.errorOutput)")
        #expect(daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.errorOutput)")
        #expect(daemon.errorOutput.contains("idle"))
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func aDaemonOverItsMemoryLimitStopsGracefully() throws {
        _ = try Fixtures.requireRealEmbedder()
        let scratch = try sharedScratch()
        defer { scratch.remove() }
        let socket = scratch.path("d.sock").path
        // 1 MiB is far below any daemon's resident size: the first check (after a second) stops it.
        let daemon = try DaemonProcess(socket: socket, arguments: ["--memory-limit", "1M"])
        defer { daemon.stop() }
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
            let stormers = (0..<4).map { _ in
                Thread {
                    while storming.raised.load(ordering: .relaxed) {
                        if let connection = try? UnixSocketConnection.connect(to: paths.socket) {
                            connection.close()
                        }
                    }
                }
            }
            for thread in stormers { thread.start() }
            usleep(50_000)
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
