// The sockets beside the main one — xf's (`--xf-socket`, `XF_DAEMON_SOCKET`, xf's default
// `/tmp/xf-daemon-<user>.sock`, `--no-xf`) and cass v2's for a cass data directory — set up with the
// same rules as the main socket: a run lock with a heartbeat, owner-only binding, cleanup of only what
// this daemon made. A live process that is not semd (xf's or cass's own daemon) keeps its socket. xf's
// default path is served when possible and skipped with a warning otherwise; an explicitly chosen one
// must be served.
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

/// Why a side socket cannot be served.
public enum SideSocketError: Error, CustomStringConvertible {
    /// Another semd holds the socket's run lock.
    case servedByAnotherSemd(RuntimeError)
    /// Something that is not semd answers at the path; `hint` says what it probably is and what to do.
    case servedByAnotherProcess(path: String, hint: String)
    case setup(RuntimeError)

    public var description: String {
        switch self {
        case .servedByAnotherSemd(let error):
            return "another semd serves it (\(error))"
        case .servedByAnotherProcess(let path, let hint):
            return "a process that is not semd listens at \(path): \(hint)"
        case .setup(let error):
            return error.description
        }
    }
}

/// A side socket while the daemon serves it.
final class SideSocket: Sendable {
    let paths: DaemonPaths
    let lock: LockFile
    let bound: BoundSocket

    private init(paths: DaemonPaths, lock: LockFile, bound: BoundSocket) {
        self.paths = paths
        self.lock = lock
        self.bound = bound
    }

    /// Takes the run lock beside the socket, writes its heartbeat, and binds the socket. `foreignHint`:
    /// what a process that is not semd answering there probably is, and what to do.
    static func open(_ paths: DaemonPaths, foreignHint: String) throws(SideSocketError) -> SideSocket {
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
                throw SideSocketError.servedByAnotherProcess(path: paths.socket, hint: foreignHint)
            }
            return SideSocket(paths: paths, lock: lock, bound: try OwnerOnlySocket.bind(paths))
        } catch let error as SideSocketError {
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
    func openXFListener() throws(DaemonError) -> SideSocket? {
        guard let paths = configuration.xfPaths else { return nil }
        do {
            let listener = try SideSocket.open(paths, foreignHint: "probably xf's own daemon; stop it (`xf daemon stop`) "
                + "or give semd another --xf-socket")
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

    /// The cass v2 socket of the served data directory when it is not the main socket; a failure
    /// leaves the attested channel down with the reason (v1, xf and the main socket keep serving).
    func openCassV2Socket() -> SideSocket? {
        guard let paths = configuration.cassV2Paths else { return nil }
        do {
            let socket = try SideSocket.open(paths, foreignHint: "probably cass's own daemon; stop it (`cass daemon stop`) "
                + "so semd can serve this data directory")
            logger.info("serving cass v2 for \(configuration.cassDataDirectory ?? "") on \(paths.socket)")
            return socket
        } catch {
            attestedChannel?.markDown(reason: "cannot listen on cass's socket \(paths.socket): \(error)")
            logger.warning("not serving cass v2 at \(paths.socket): \(error)")
            return nil
        }
    }

    /// What the heartbeats say about the sockets: each dialect's socket and its request count.
    func heartbeatListeners(sides: [SideSocket]) -> [LockFile.Listener] {
        let ledger = service.ledger
        let cassRequests = ledger.requests(of: .cass) + ledger.requests(of: CassV2Door.door)
        var listeners = [LockFile.Listener(dialect: WireDialect.cass.rawValue, socket: configuration.paths.socket,
                                           requests: cassRequests)]
        for side in sides {
            let isXF = side.paths.socket == configuration.xfPaths?.socket
            listeners.append(LockFile.Listener(dialect: isXF ? WireDialect.xf.rawValue : "cass-v2", socket: side.paths.socket,
                                               requests: isXF ? ledger.requests(of: .xf) : ledger.requests(of: CassV2Door.door)))
        }
        return listeners
    }

    /// The attested channel as the heartbeats report it.
    var heartbeatAttestation: LockFile.AttestedChannelReport? {
        guard let summary = attestedChannel?.summary else { return nil }
        return LockFile.AttestedChannelReport(state: summary.state.rawValue, dataDirectory: summary.dataDirectory,
                                              socket: summary.socket, generation: summary.generation, keyID: summary.keyID,
                                              reason: summary.reason.map { String($0.prefix(512)) })
    }

    /// Refreshes a side socket's heartbeat; says once when it was removed or replaced (the daemon keeps
    /// serving the others; a restart binds it again).
    func watchSide(_ side: SideSocket, listeners: [LockFile.Listener], warned: inout Bool) {
        do {
            try side.lock.writeHeartbeat(listeners: listeners, attestedChannel: heartbeatAttestation)
        } catch {
            logger.warning("heartbeat of \(side.paths.socket) not written: \(error)")
        }
        if !warned, !OwnerOnlySocket.isStillPublished(side.bound) {
            warned = true
            logger.warning("the socket \(side.paths.socket) was removed or replaced; its clients no longer reach this daemon")
        }
    }
}
