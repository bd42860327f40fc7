// The xf dialect's socket beside cass's: its configuration (`--xf-socket`, `XF_DAEMON_SOCKET`, xf's
// default `/tmp/xf-daemon-<user>.sock`, `--no-xf`) and its setup with the same rules as the main
// socket: a run lock with a heartbeat, owner-only binding, cleanup of only what this daemon made.
// A live process that is not semd (xf's own daemon) keeps its socket. The default path is served
// when possible and skipped with a warning otherwise; an explicitly chosen one must be served.
import Foundation
import Logging
import SemanticRuntime
import SemanticService
import SemanticWire

extension DaemonConfiguration {
    /// Fills in `xfPaths` and `xfSocketRequired` from the flag, the environment and `--no-xf`.
    mutating func resolveXFSocket(explicit: String?, disabled: Bool, environment: [String: String]) throws {
        guard !disabled else {
            xfPaths = nil
            xfSocketRequired = false
            return
        }
        let xf = DaemonPaths.resolveXF(explicitSocket: explicit, environment: environment)
        guard xf.socket != paths.socket else {
            throw ConfigurationError.invalid(name: "xf socket", value: xf.socket,
                                             expected: "a path other than the cass socket (or --no-xf)")
        }
        xfPaths = xf
        xfSocketRequired = !(explicit ?? "").isEmpty || !(environment["XF_DAEMON_SOCKET"] ?? "").isEmpty
    }
}

/// Why the xf socket cannot be served.
public enum XFListenerError: Error, CustomStringConvertible {
    /// Another semd holds the xf socket's run lock.
    case servedByAnotherSemd(RuntimeError)
    /// Something that is not semd (xf's own daemon) answers at the path.
    case servedByAnotherProcess(path: String)
    case setup(RuntimeError)

    public var description: String {
        switch self {
        case .servedByAnotherSemd(let error):
            return "another semd serves it (\(error))"
        case .servedByAnotherProcess(let path):
            return "a process that is not semd (probably xf's own daemon) listens at \(path); stop it "
                + "(`xf daemon stop`) or give semd another --xf-socket"
        case .setup(let error):
            return error.description
        }
    }
}

/// The xf socket while the daemon serves it.
final class XFListener: Sendable {
    let paths: DaemonPaths
    let lock: LockFile
    let bound: BoundSocket

    private init(paths: DaemonPaths, lock: LockFile, bound: BoundSocket) {
        self.paths = paths
        self.lock = lock
        self.bound = bound
    }

    /// Takes the run lock beside the xf socket, writes its heartbeat, and binds the socket.
    static func open(_ paths: DaemonPaths) throws(XFListenerError) -> XFListener {
        let lock: LockFile
        do {
            lock = try LockFile.acquireRunLock(at: paths.runLock)
        } catch {
            if case .alreadyRunning = error { throw .servedByAnotherSemd(error) }
            throw .setup(error)
        }
        do {
            try lock.writeHeartbeat()
            // No semd holds the lock, so whatever still answers here is someone else's daemon.
            if let connection = try? UnixSocketConnection.connect(to: paths.socket, timeout: .milliseconds(250)) {
                connection.close()
                lock.release()
                throw XFListenerError.servedByAnotherProcess(path: paths.socket)
            }
            return XFListener(paths: paths, lock: lock, bound: try OwnerOnlySocket.bind(paths))
        } catch let error as XFListenerError {
            throw error
        } catch let error as RuntimeError {
            lock.release()
            throw .setup(error)
        } catch {
            lock.release()
            throw .setup(.refusingPath(path: paths.socket, reason: String(describing: error)))
        }
    }

    /// Removes the socket (if still ours) and releases the lock.
    func close() {
        OwnerOnlySocket.cleanUp(bound)
        lock.release()
    }
}

extension Daemon {
    /// The xf socket, or nil when the configuration has none or (for xf's default path) it cannot be
    /// served; throws when an explicitly chosen one cannot be served.
    func openXFListener() throws(DaemonError) -> XFListener? {
        guard let paths = configuration.xfPaths else { return nil }
        do {
            let listener = try XFListener.open(paths)
            logger.info("serving the xf dialect on \(paths.socket)")
            return listener
        } catch {
            if configuration.xfSocketRequired {
                throw DaemonError.setup("cannot serve the xf socket \(paths.socket): \(error)")
            }
            logger.warning("not serving the xf dialect at \(paths.socket): \(error); serving cass only")
            return nil
        }
    }

    /// What the heartbeats say about the sockets: each dialect's socket and its request count.
    func heartbeatListeners(xf: XFListener?) -> [LockFile.Listener] {
        let ledger = service.ledger
        var listeners = [LockFile.Listener(dialect: WireDialect.cass.rawValue, socket: configuration.paths.socket,
                                           requests: ledger.requests(of: .cass))]
        if let xf {
            listeners.append(LockFile.Listener(dialect: WireDialect.xf.rawValue, socket: xf.paths.socket,
                                               requests: ledger.requests(of: .xf)))
        }
        return listeners
    }

    /// Refreshes the xf lock's heartbeat; says once when the xf socket was removed or replaced (the
    /// daemon keeps serving cass; a restart binds xf's socket again).
    func watchXF(_ xf: XFListener, listeners: [LockFile.Listener], warned: inout Bool) {
        do {
            try xf.lock.writeHeartbeat(listeners: listeners)
        } catch {
            logger.warning("xf heartbeat not written: \(error)")
        }
        if !warned, !OwnerOnlySocket.isStillPublished(xf.bound) {
            warned = true
            logger.warning("the xf socket \(xf.paths.socket) was removed or replaced; xf clients no longer reach this daemon")
        }
    }
}
