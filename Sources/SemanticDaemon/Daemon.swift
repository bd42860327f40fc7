// A whole daemon's life: take the run lock (one daemon per socket), write the heartbeat, lower the
// priority, bind the owner-only socket, load the models while already accepting, serve, and on any
// stop (Shutdown request, signal, idle timeout, memory limit, socket removed) finish in-flight work,
// remove the socket and release the lock. The xf socket and a cass data directory's v2 socket, when
// configured, live beside it (SideSockets.swift); the cass v2 attested channel starts after the model.
// Library code: it never exits the process.
import Foundation
import Logging
import SemanticCore
import SemanticRuntime
import SemanticService
import CSemdSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum DaemonError: Error, CustomStringConvertible {
    /// Another daemon holds the run lock of this socket.
    case alreadyRunning(RuntimeError)
    /// The socket or the lock could not be set up.
    case setup(String)

    public var description: String {
        switch self {
        case .alreadyRunning(let error): return error.description
        case .setup(let message): return message
        }
    }
}

public final class Daemon: Sendable {
    public let configuration: DaemonConfiguration
    /// The protocol-free service every door calls: models, inference, jobs, the ledger.
    public let service: InferenceService
    /// cass v2's attested channel, when a cass data directory is served.
    public let attestedChannel: AttestedChannel?
    let server: DaemonServer
    let logger: Logger
    /// Why the daemon is stopping (the first reason wins).
    final class StopReason: Sendable {
        private let reason = Mutex<String?>(nil)
        func record(_ value: String) { reason.withLock { if $0 == nil { $0 = value } } }
        var value: String? { reason.withLock { $0 } }
    }

    private let stopReason = StopReason()
    private let stopSignal = AsyncStream<Void>.makeStream()

    public init(configuration: DaemonConfiguration, registry: ModelRegistry = .daemon,
                metrics: DaemonMetrics = DaemonMetrics(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var scheduler = InferenceSchedulerConfiguration()
        scheduler.maxBatchTokens = configuration.maxBatchTokens
        scheduler.maxWait = configuration.maxBatchWait
        scheduler.maxBackgroundBatchTokens = configuration.backgroundBatchTokens
        let stop = stopSignal.continuation
        let reason = stopReason
        let catalog = Self.catalog(configuration: configuration, registry: registry, logger: logger)
        service = InferenceService(registry: registry, modelsRoot: configuration.modelsRoot,
                                  engineConfiguration: EngineConfiguration(threads: configuration.threads),
                                  schedulerConfiguration: scheduler, metrics: metrics, runsJobs: true, logger: logger,
                                  catalog: catalog) {
            reason.record("Shutdown request")
            stop.yield()
        }
        attestedChannel = configuration.cassChannelSocket.map {
            AttestedChannel(dataDirectory: configuration.cassDataDirectory ?? "", socket: $0)
        }
        server = DaemonServer(service: service, attestedChannel: attestedChannel, limits: DaemonServer.Limits(
            maxConnections: configuration.maxConnections, requestTimeout: configuration.requestTimeout,
            readTimeout: configuration.readTimeout, servedUserID: configuration.servedUserID,
            refusalPause: configuration.refusalPause, warningInterval: configuration.repeatedWarningInterval), logger: logger)
    }

    /// The models the daemon serves: `registry`, the configuration's user models and the models file.
    /// `semd` checks the user models before it builds a daemon; one that clashes here is logged and
    /// left out rather than stopping a daemon built in-process.
    static func catalog(configuration: DaemonConfiguration, registry: ModelRegistry, logger: Logger) -> ModelCatalog {
        let file = configuration.followsModelsFile ? UserModelsFile(root: configuration.modelsRoot) : nil
        do {
            let catalog = try ModelCatalog(registry: registry, commandLineModels: configuration.userModels, modelsFile: file)
            if let problem = catalog.problem { logger.warning("\(problem)") }
            return catalog
        } catch {
            logger.error("user models not served: \(error)")
            return (try? ModelCatalog(registry: registry, modelsFile: file)) ?? ModelCatalog(fixed: registry)
        }
    }

    /// The daemon's bounded warnings (RepeatedWarnings), for companions such as the HTTP listener.
    public var repeatedWarnings: RepeatedWarnings { server.warnings }

    /// Asks the daemon to stop (graceful): used for signals and by tests.
    public func requestStop(reason: String) {
        stopReason.record(reason)
        stopSignal.continuation.yield()
    }

    /// Runs until stopped. Throws `DaemonError.alreadyRunning` at once when another daemon owns the
    /// socket; returns normally after a clean stop (socket removed, lock released).
    public func run() async throws {
        let paths = configuration.paths
        let lock: LockFile
        do {
            lock = try LockFile.acquireRunLock(at: paths.runLock)
        } catch {
            if case .alreadyRunning = error { throw DaemonError.alreadyRunning(error) }
            throw DaemonError.setup(error.description)
        }
        defer { lock.release() }
        do {
            try lock.writeHeartbeat()
        } catch {
            throw DaemonError.setup("cannot write the heartbeat: \(error)")
        }
        lowerPriority()
        let bound: BoundSocket
        do {
            bound = try OwnerOnlySocket.bind(paths)
        } catch {
            throw DaemonError.setup(error.description)
        }
        defer { OwnerOnlySocket.cleanUp(bound) }
        let xf = try openXFListener()
        let cassV2 = openCassV2Socket()
        let sides = [xf, cassV2].compactMap { $0 }
        defer { for side in sides { side.close() } }
        try? lock.writeHeartbeat(listeners: heartbeatListeners(sides: sides), attestedChannel: heartbeatAttestation)
        logger.info("semd \(SemanticCoreInfo.version) listening on \(paths.socket) (pid \(getpid()), models \(configuration.modelsRoot))")
        logger.info("\(BLASKernelSelection.outcome.description)")

        // Load the models while already accepting: early requests wait for the load, not for a connect.
        let service = self.service
        let preload = configuration.preloadReranker
        let logger = self.logger
        let channel = attestedChannel
        let warmedUp = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { warmedUp.signal() }
            let start = ContinuousClock.now
            service.warmUp(preloadReranker: preload)
            let states = service.models.states().map { "\($0.descriptor.id)=\($0.loaded ? "loaded" : ($0.failure ?? "not loaded"))" }
            logger.info("models warmed up in \(ContinuousClock.now - start): \(states.joined(separator: ", "))")
            // The attested channel publishes only once the embedder is loaded (cass v2 spec §6.1).
            channel?.establish(service: service, semdVersion: SemanticCoreInfo.version, logger: logger)
        }

        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.server.run(on: bound) }
            if let xf { group.addTask { try await self.server.run(on: xf.bound, dialect: .xf) } }
            if let cassV2 { group.addTask { try await self.server.run(on: cassV2.bound, dialect: .cass) } }
            group.addTask { await self.watch(lock: lock, bound: bound, sides: sides) }
            group.addTask {
                for await _ in self.stopSignal.stream { break }
            }
            // The first task to end is the stop signal (or a watcher decision, or a server failure).
            do {
                _ = try await group.next()
            } catch {
                logger.error("server failed: \(error)")
            }
            let reason = stopReason.value ?? "server ended"
            logger.info("stopping: \(reason)")
            // New clients find no socket from here on (they spawn or fall back); clients already
            // connected finish the request they are running.
            OwnerOnlySocket.cleanUp(bound)
            for side in sides { OwnerOnlySocket.cleanUp(side.bound) }
            server.stop()
            stopSignal.continuation.finish()
            do {
                try await group.waitForAll()
            } catch {
                logger.debug("while stopping: \(error)")
            }
        }
        await service.jobs?.stop()
        // A stop during start-up waits for the warm-up inference: nothing of ours may still be computing
        // once run() returns (the process may exit right after, tearing down OpenBLAS under it).
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                warmedUp.wait()
                continuation.resume()
            }
        }
        service.stop()
        // A request answered with a Timeout may have left its batch running: wait for it too.
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                service.waitUntilIdle()
                continuation.resume()
            }
        }
        await server.shutdownEventLoops()
        logger.info("stopped")
    }

    /// Once a second: refresh the heartbeat, and stop on idle timeout, memory limit or a removed socket.
    private func watch(lock: LockFile, bound: BoundSocket, sides: [SideSocket]) async {
        var warned = Array(repeating: false, count: sides.count)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if stopReason.value != nil { return }
            let listeners = heartbeatListeners(sides: sides)
            do {
                try lock.writeHeartbeat(listeners: listeners, attestedChannel: heartbeatAttestation)
            } catch {
                logger.warning("heartbeat not written: \(error)")
            }
            for (index, side) in sides.enumerated() { watchSide(side, listeners: listeners, warned: &warned[index]) }
            if let idle = configuration.idleTimeout,
               IdleTimeout<ContinuousClock>(limit: idle).hasExpired(
                   now: .now, lastActivity: service.lastActivityInstant, openConnections: server.openConnections) {
                requestStop(reason: "idle for \(idle)")
                return
            }
            if let limit = configuration.memoryLimit {
                let resident = ProcessResources.residentBytes()
                if resident > limit {
                    logger.error("resident memory \(resident) bytes exceeds the limit of \(limit) bytes")
                    requestStop(reason: "memory limit")
                    return
                }
            }
            if !OwnerOnlySocket.isStillPublished(bound) {
                logger.error("the socket \(bound.publicPath) was removed or replaced; stopping so a new daemon can bind")
                requestStop(reason: "socket removed")
                return
            }
        }
    }

    /// nice +N and best-effort I/O priority (Linux), as a background service should run.
    private func lowerPriority() {
        guard configuration.niceness != 0 else { return }
        #if os(Linux)
        errno = 0
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, current + configuration.niceness) != 0 {
            logger.warning("could not lower the CPU priority: \(String(cString: strerror(errno)))")
        }
        if semd_set_io_priority(2, 4) != 0 {
            logger.debug("could not set the I/O priority: \(String(cString: strerror(errno)))")
        }
        #endif
    }
}
