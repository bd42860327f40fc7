// Socket paths, lock files and owner-only binding, on a real file system and real sockets.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticRuntime
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DaemonPathsTests {
    @Test func defaultPathUsesTMPDIRAndTheSanitisedUser() {
        let paths = DaemonPaths.resolve(environment: ["TMPDIR": "/var/tmp/x/", "USER": "../bad user!"])
        #expect(paths.socket == "/var/tmp/x/semantic-daemon-baduser.sock")
        #expect(DaemonPaths.resolve(environment: [:]).socket == "/tmp/semantic-daemon-unknown.sock")
    }

    @Test func overridesComeFirst() {
        let environment = ["SEMD_SOCKET": "/run/s.sock", "USER": "alice"]
        #expect(DaemonPaths.resolve(explicitSocket: "/a/b.sock", environment: environment).socket == "/a/b.sock")
        #expect(DaemonPaths.resolve(environment: environment).socket == "/run/s.sock")
    }

    @Test func userSanitisation() {
        #expect(DaemonPaths.sanitizedUser("alice") == "alice")
        #expect(DaemonPaths.sanitizedUser("ali-ce_1") == "ali-ce_1")
        #expect(DaemonPaths.sanitizedUser("") == "unknown")
        #expect(DaemonPaths.sanitizedUser("!!!") == "unknown")
        #expect(DaemonPaths.sanitizedUser(nil) == "unknown")
        #expect(DaemonPaths.sanitizedUser("jürgen²") == "jürgen²")  // ² is a No number
        #expect(DaemonPaths.sanitizedUser(String(repeating: "a", count: 80)) == String(repeating: "a", count: 64))
    }

    @Test func xfSocketPathFollowsXF() {
        // xf hard-codes /tmp (not TMPDIR) and falls back USER → USERNAME → "default".
        #expect(DaemonPaths.resolveXF(environment: ["USER": "ada", "TMPDIR": "/var/t"]).socket == "/tmp/xf-daemon-ada.sock")
        #expect(DaemonPaths.resolveXF(environment: ["USERNAME": "bob"]).socket == "/tmp/xf-daemon-bob.sock")
        #expect(DaemonPaths.resolveXF(environment: [:]).socket == "/tmp/xf-daemon-default.sock")
        #expect(DaemonPaths.resolveXF(environment: ["USER": "../bad user!"]).socket == "/tmp/xf-daemon-baduser.sock")
        #expect(DaemonPaths.resolveXF(environment: ["USER": "!!!"]).socket == "/tmp/xf-daemon-default.sock")
        #expect(DaemonPaths.xfSanitizedUser(["USER": String(repeating: "é", count: 70)]) == String(repeating: "é", count: 64))
        // XF_DAEMON_SOCKET (the daemon's variable), then the flag over it.
        let environment = ["USER": "ada", "XF_DAEMON_SOCKET": "/run/xf.sock"]
        #expect(DaemonPaths.resolveXF(environment: environment).socket == "/run/xf.sock")
        #expect(DaemonPaths.resolveXF(explicitSocket: "/flag/xf.sock", environment: environment).socket == "/flag/xf.sock")
        #expect(DaemonPaths.resolveXF(environment: ["USER": "ada"]).runLock == "/tmp/xf-daemon-ada.spawnlock")
    }

    @Test func lockNamesFollowWithExtension() {
        let paths = DaemonPaths(socket: "/tmp/cass-semantic.sock")
        #expect(paths.runLock == "/tmp/cass-semantic.spawnlock")
        #expect(paths.spawnGuard == "/tmp/cass-semantic.spawn-guard.lock")
        #expect(paths.runtimeDirectory == "/tmp/.cass-semantic.sock.runtime")
        #expect(paths.privateSocket == "/tmp/.cass-semantic.sock.runtime/daemon.sock")
        #expect(DaemonPaths(socket: "/tmp/noext").runLock == "/tmp/noext.spawnlock")
        #expect(DaemonPaths(socket: "/tmp/a.b.sock").runLock == "/tmp/a.b.spawnlock")
        #expect(DaemonPaths(socket: "/tmp/.hidden").runLock == "/tmp/.hidden.spawnlock")
    }
}

@Suite struct LockFileTests {
    @Test func runLockIsExclusiveAndCarriesAHeartbeat() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("d.spawnlock").path
        let first = try LockFile.acquireRunLock(at: path)
        try first.writeHeartbeat(pid: 4242, now: Date(timeIntervalSince1970: 1_755_880_000.123))
        #expect(LockFile.readHeartbeat(at: path) == LockFile.Heartbeat(pid: 4242, heartbeatUnixMilliseconds: 1_755_880_000_123))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"pid":4242,"heartbeat_unix_ms":1755880000123}"#)
        #expect(LockFile.isHeld(at: path) == true)
        #expect(throws: RuntimeError.alreadyRunning(lockPath: path, pid: 4242)) { try LockFile.acquireRunLock(at: path) }
        first.release()
        #expect(LockFile.isHeld(at: path) == false)
        let second = try LockFile.acquireRunLock(at: path)
        // A shorter heartbeat truncates the longer one.
        try second.writeHeartbeat(pid: 7, now: Date(timeIntervalSince1970: 1))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"pid":7,"heartbeat_unix_ms":1000}"#)
    }

    @Test func theHeartbeatCanListTheSocketsAndTheirRequestCounts() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("d.spawnlock").path
        let lock = try LockFile.acquireRunLock(at: path)
        let listeners = [LockFile.Listener(dialect: "cass", socket: "/tmp/semantic-daemon-a.sock", requests: 12),
                         LockFile.Listener(dialect: "xf", socket: "/tmp/xf-daemon-a \"q\".sock", requests: 3)]
        try lock.writeHeartbeat(pid: 42, now: Date(timeIntervalSince1970: 2), listeners: listeners)
        #expect(LockFile.readHeartbeat(at: path) == LockFile.Heartbeat(pid: 42, heartbeatUnixMilliseconds: 2000, listeners: listeners))
        // The first two fields stay first, as readers that know only them expect.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"pid":42,"heartbeat_unix_ms":2000,"listeners":["#
            + #"{"dialect":"cass","requests":12,"socket":"/tmp/semantic-daemon-a.sock"},"#
            + #"{"dialect":"xf","requests":3,"socket":"/tmp/xf-daemon-a \"q\".sock"}]}"#)
        // Without listeners the heartbeat is the plain one.
        try lock.writeHeartbeat(pid: 42, now: Date(timeIntervalSince1970: 2))
        #expect(LockFile.readHeartbeat(at: path)?.listeners == nil)
    }

    @Test func lockFilesAreNeverOpenedThroughSymlinksOrHardLinks() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let target = scratch.path("victim").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        let link = scratch.path("x.spawnlock").path
        symlink(target, link)
        #expect(throws: RuntimeError.self) { try LockFile.acquireRunLock(at: link) }
        #expect(throws: RuntimeError.self) { try LockFile.acquireSpawnGuard(at: link, timeout: .milliseconds(50)) }
        let hard = scratch.path("h.spawnlock").path
        Glibc.link(target, hard)
        let lock = try LockFile.acquireRunLock(at: hard)
        #expect(throws: RuntimeError.self) { try lock.writeHeartbeat() }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
    }

    @Test func spawnGuardWaitsThenTimesOut() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("g.lock").path
        let held = try LockFile.acquireSpawnGuard(at: path, timeout: .seconds(1))
        let started = ContinuousClock.now
        #expect(throws: RuntimeError.lockTimeout(path: path)) {
            try LockFile.acquireSpawnGuard(at: path, timeout: .milliseconds(100))
        }
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        held.release()
        _ = try LockFile.acquireSpawnGuard(at: path, timeout: .milliseconds(100))
    }
}

@Suite struct OwnerOnlySocketTests {
    func mode(_ path: String) -> mode_t {
        var status = stat()
        lstat(path, &status)
        return status.st_mode
    }

    @Test func sharedParentBindsInAPrivateRuntimeDirectory() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o1777)
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        let bound = try OwnerOnlySocket.bind(paths)
        defer { close(bound.descriptor) }
        #expect(bound.bindPath == paths.privateSocket)
        #expect(mode(paths.runtimeDirectory) & 0o777 == 0o700)
        #expect(mode(paths.runtimeDirectory) & S_IFMT == S_IFDIR)
        #expect(mode(bound.bindPath) & 0o777 == 0o600)
        #expect(mode(bound.bindPath) & S_IFMT == S_IFSOCK)
        #expect(mode(paths.socket) & S_IFMT == S_IFLNK)
        #expect(OwnerOnlySocket.isStillPublished(bound))

        // A client connects through the symlink.
        let connection = try UnixSocketConnection.connect(to: paths.socket)
        connection.close()

        OwnerOnlySocket.cleanUp(bound)
        #expect(!FileManager.default.fileExists(atPath: paths.socket))
        #expect(!FileManager.default.fileExists(atPath: paths.privateSocket))
    }

    @Test func privateParentBindsDirectly() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o700)
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        let bound = try OwnerOnlySocket.bind(paths)
        defer { close(bound.descriptor); OwnerOnlySocket.cleanUp(bound) }
        #expect(bound.bindPath == paths.socket)
        #expect(mode(paths.socket) & S_IFMT == S_IFSOCK)
        #expect(mode(paths.socket) & 0o777 == 0o600)
    }

    @Test func missingParentIsCreatedPrivate() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let paths = DaemonPaths(socket: scratch.path("new/dir/d.sock").path)
        let bound = try OwnerOnlySocket.bind(paths)
        defer { close(bound.descriptor); OwnerOnlySocket.cleanUp(bound) }
        #expect(mode(scratch.path("new/dir").path) & 0o777 == 0o700)
        #expect(bound.bindPath == paths.socket)
    }

    @Test func staleSocketIsReplaced() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o1777)
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        let first = try OwnerOnlySocket.bind(paths)
        close(first.descriptor)  // the daemon died without cleaning up
        #expect(throws: RuntimeError.notRunning(path: paths.socket)) { try UnixSocketConnection.connect(to: paths.socket) }
        let second = try OwnerOnlySocket.bind(paths)
        defer { close(second.descriptor); OwnerOnlySocket.cleanUp(second) }
        _ = try UnixSocketConnection.connect(to: paths.socket)
    }

    @Test func plantedSymlinkOrFileIsRefusedAndLeftAlone() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o1777)
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        let target = scratch.path("elsewhere").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: target))
        symlink(target, paths.socket)
        #expect(throws: RuntimeError.self) { try OwnerOnlySocket.bind(paths) }
        #expect(mode(paths.socket) & S_IFMT == S_IFLNK)
        #expect(FileManager.default.fileExists(atPath: target))
        unlink(paths.socket)

        try Data("not a socket".utf8).write(to: URL(fileURLWithPath: paths.socket))
        #expect(throws: RuntimeError.self) { try OwnerOnlySocket.bind(paths) }
        #expect(try String(contentsOfFile: paths.socket, encoding: .utf8) == "not a socket")
        unlink(paths.socket)

        // A symlink planted in place of the runtime directory is refused too.
        try FileManager.default.removeItem(atPath: paths.runtimeDirectory)
        try FileManager.default.createDirectory(atPath: scratch.path("attacker").path, withIntermediateDirectories: true)
        #expect(symlink(scratch.path("attacker").path, paths.runtimeDirectory) == 0)
        #expect(throws: RuntimeError.self) { try OwnerOnlySocket.bind(paths) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("attacker").path).isEmpty)
    }

    @Test func overlongPathIsAClearError() throws {
        let long = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o700)
        let paths = DaemonPaths(socket: scratch.path(String(repeating: "y", count: 120) + ".sock").path)
        #expect(throws: RuntimeError.socketPathTooLong(path: paths.socket, limit: OwnerOnlySocket.pathCapacity)) {
            try OwnerOnlySocket.bind(paths)
        }
        #expect(throws: RuntimeError.self) { try UnixSocketConnection.connect(to: long) }
    }

    @Test func connectionDeadlinesAndClosedPeers() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o700)
        let paths = DaemonPaths(socket: scratch.path("d.sock").path)
        let bound = try OwnerOnlySocket.bind(paths)
        defer { close(bound.descriptor); OwnerOnlySocket.cleanUp(bound) }
        let connection = try UnixSocketConnection.connect(to: paths.socket)
        let accepted = accept(bound.descriptor, nil, nil)
        #expect(accepted >= 0)
        // Nothing is sent: the read times out at its deadline.
        #expect(throws: RuntimeError.timedOut(operation: "read from", path: paths.socket)) {
            try connection.receive(exactly: 4, deadline: .now + .milliseconds(50))
        }
        // The peer writes, then closes: the bytes arrive, then the close is reported.
        _ = [UInt8]([1, 2, 3]).withUnsafeBytes { write(accepted, $0.baseAddress, 3) }
        close(accepted)
        #expect(try connection.receive(exactly: 3, deadline: .now + .seconds(1)) == [1, 2, 3])
        #expect(throws: RuntimeError.connectionClosed(path: paths.socket)) {
            try connection.receive(exactly: 1, deadline: .now + .seconds(1))
        }
        #expect(throws: RuntimeError.self) {
            try connection.send(Array(repeating: 0, count: 1 << 20), deadline: .now + .seconds(1))
        }
    }
}
