// Connect to the daemon, or start one: first come wins. A client that finds no daemon takes the spawn
// guard (`<name>.spawn-guard.lock`), checks again, starts `semd --socket PATH --spawned` detached, waits
// for its socket with backoff up to a deadline, and releases the guard; every other client waiting on
// the guard then finds the new daemon. However many clients race, one daemon starts. Never removes a
// socket or lock file: a starting daemon cleans up stale entries itself, under its run lock.
import Foundation
import Logging
import SemanticRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a daemon came to be answering.
public enum DaemonLaunch: Sendable, Equatable {
    /// It was already running.
    case alreadyRunning
    /// This client started it (pid of the new process).
    case started(pid: Int32)
    /// Another client or a manual `semd` started it while this one waited.
    case startedElsewhere
}

/// Why no connection could be made.
enum LaunchFailure: Error, Equatable, CustomStringConvertible {
    /// Nothing listens at the socket and spawning is off.
    case noDaemon(socket: String)
    /// Something is at the socket but will not talk (permissions, a full backlog, a path too long).
    case cannotConnect(String)
    /// Starting a daemon failed.
    case spawnFailed(String)

    var description: String {
        switch self {
        case .noDaemon(let socket): return "no daemon is running at \(socket)"
        case .cannotConnect(let message): return message
        case .spawnFailed(let message): return message
        }
    }
}

struct DaemonLauncher: Sendable {
    let configuration: ClientConfiguration
    let logger: Logger

    var paths: DaemonPaths { configuration.paths }

    /// A connection to a running daemon, or `.noDaemon` without trying to start one.
    func connectExisting() throws(LaunchFailure) -> DaemonConnection {
        do {
            let socket = try UnixSocketConnection.connect(to: paths.socket, timeout: configuration.connectTimeout)
            return DaemonConnection(connected: socket, requestTimeout: configuration.requestTimeout)
        } catch {
            if error.meansNoDaemon { throw .noDaemon(socket: paths.socket) }
            throw .cannotConnect("cannot connect to \(paths.socket): \(error)")
        }
    }

    /// A connection, starting a daemon first when none runs and `spawn` allows it.
    func connect(spawn: Bool) throws(LaunchFailure) -> (DaemonConnection, DaemonLaunch) {
        do {
            return (try connectExisting(), .alreadyRunning)
        } catch .noDaemon where spawn {
            return try spawnAndConnect()
        }
    }

    /// Takes the spawn guard, re-checks, starts semd if still nothing answers, and waits for it.
    func spawnAndConnect() throws(LaunchFailure) -> (DaemonConnection, DaemonLaunch) {
        let executable = try locateDaemonExecutable()
        try createSocketDirectory()
        let guardLock: LockFile
        do {
            guardLock = try LockFile.acquireSpawnGuard(at: paths.spawnGuard, timeout: configuration.spawnGuardTimeout)
        } catch {
            throw .spawnFailed("another client has been starting the daemon for too long: \(error)")
        }
        defer { guardLock.release() }

        // Someone else may have started it while we waited for the guard.
        if let connection = try? connectExisting() { return (connection, .startedElsewhere) }
        // A daemon that holds its run lock but has not bound yet (started by hand or by a client that
        // gave up waiting): wait for it instead of starting a second one that would exit with status 9.
        if LockFile.isHeld(at: paths.runLock) == true {
            logger.debug("a daemon holds \(paths.runLock) but is not listening yet; waiting for it")
            return (try waitForSocket(child: nil), .startedElsewhere)
        }

        // The daemon writes its log itself (capped, rotated; stdout and stderr follow it), to the same
        // file its stdout and stderr are appended to.
        var arguments = ["--socket", paths.socket, "--spawned", "--log-file", paths.logFile]
        if let models = configuration.modelsDirectoryForDaemon { arguments += ["--models-dir", models] }
        logger.debug("starting \(executable) \(arguments.joined(separator: " ")), log \(paths.logFile)")
        let pid: pid_t
        do {
            pid = try DetachedProcess.spawn(executable: executable, arguments: arguments, logFile: paths.logFile)
        } catch {
            throw .spawnFailed(error.description)
        }
        let connection = try waitForSocket(child: pid)
        DetachedProcess.reapInBackground(pid)
        return (connection, .started(pid: pid))
    }

    /// Polls the socket with backoff (5 ms doubling to 100 ms) until it accepts, the child exits, or
    /// `spawnTimeout` passes.
    func waitForSocket(child: pid_t?) throws(LaunchFailure) -> DaemonConnection {
        let start = ContinuousClock.now
        let deadline = start + configuration.spawnTimeout
        var pause = Duration.milliseconds(5)
        while true {
            do {
                let connection = try connectExisting()
                logger.debug("daemon at \(paths.socket) accepted after \(ContinuousClock.now - start)")
                return connection
            } catch .cannotConnect(let message) {
                throw .spawnFailed(message)
            } catch {}
            if let child, let status = DetachedProcess.exitStatus(of: child) {
                // Status 9: another daemon holds the run lock (one not started through the guard); use it.
                if status == 9, let connection = try? waitForOtherDaemon(until: deadline) { return connection }
                throw .spawnFailed("semd exited with status \(status) before it was ready; see \(paths.logFile)")
            }
            if ContinuousClock.now >= deadline {
                throw .spawnFailed("semd did not accept connections within \(configuration.spawnTimeout); "
                    + "see \(paths.logFile)")
            }
            Thread.sleep(forTimeInterval: Double(milliseconds(pause)) / 1000)
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    private func waitForOtherDaemon(until deadline: ContinuousClock.Instant) throws(LaunchFailure) -> DaemonConnection {
        while ContinuousClock.now < deadline {
            if let connection = try? connectExisting() { return connection }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw .noDaemon(socket: paths.socket)
    }

    /// Creates the socket's folder (0700) when it is missing, so the guard and the log can live there.
    /// An existing folder is left as it is; the daemon checks it before binding.
    func createSocketDirectory() throws(LaunchFailure) {
        let parent = paths.parentDirectory
        guard !FileManager.default.fileExists(atPath: parent) else { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .spawnFailed("cannot create \(parent) for the socket: \(error.localizedDescription)")
        }
    }

    /// The configured `semd`, else the one beside the running executable, else the first on `PATH`.
    func locateDaemonExecutable() throws(LaunchFailure) -> String {
        if let configured = configuration.daemonExecutable {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw .spawnFailed("the configured daemon \(configured) is not an executable file")
            }
            return configured
        }
        if let found = Self.daemonExecutableCandidates().first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw .spawnFailed("cannot find semd beside \(Self.runningExecutable() ?? "this program") or on PATH; "
            + "set SEMD_DAEMON_BINARY")
    }

    /// Where `semd` is looked for, in order.
    static func daemonExecutableCandidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var candidates: [String] = []
        if let executable = runningExecutable() {
            candidates.append(((executable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("semd"))
        }
        for folder in (environment["PATH"] ?? "").split(separator: ":") where !folder.isEmpty {
            candidates.append((String(folder) as NSString).appendingPathComponent("semd"))
        }
        return candidates
    }

    /// The running program's resolved path (Linux: /proc/self/exe).
    static func runningExecutable() -> String? {
        #if os(Linux)
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        #endif
        guard let first = CommandLine.arguments.first, first.contains("/") else { return nil }
        return URL(fileURLWithPath: first).resolvingSymlinksInPath().path
    }
}
