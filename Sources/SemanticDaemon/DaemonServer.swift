// The socket server (SwiftNIO): accepts connections on the owner-only listening sockets (cass's and
// xf's), frames each connection's bytes, lets the first frame's envelope choose the connection's
// dialect, answers requests one after another per connection through that dialect's door,
// and enforces the limits: at most `maxConnections` connections (one more gets an Overloaded error
// frame, cheaply: ConnectionRefusal.swift), a per-request timeout (Timeout error), and a read timeout
// that disconnects a client that stalls inside a frame or idles between requests. Stopping finishes
// the requests in flight first. Warnings that a client can repeat at will (refusals, bad frames,
// timeouts) go through RepeatedWarnings: a few lines per interval, never one per event.
import Foundation
import Logging
import NIOCore
import NIOPosix
import SemanticRuntime
import SemanticService
import SemanticWire
import Synchronization

/// Whether a connection has a request in hand: frames received whole but not yet answered, counted
/// from the moment the event loop decodes one (not when the serving task picks it up, which a busy
/// concurrency pool can delay past the read timeout: the stall guard then closed a connection whose
/// request was waiting to be served). Shared by the pipeline, the serving task and the stall guard.
final class BusyFlag: Sendable {
    let pending = Atomic<Int>(0)
    var isSet: Bool { pending.load(ordering: .acquiring) > 0 }
    /// A whole frame arrived.
    func received() { pending.wrappingAdd(1, ordering: .acquiringAndReleasing) }
    /// Its answer was written.
    func answered() { pending.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
}

/// Counts each whole frame into the connection's `BusyFlag` as the decoder emits it.
final class FrameArrivals: ChannelInboundHandler, Sendable {
    typealias InboundIn = InboundFrame
    typealias InboundOut = InboundFrame

    let busy: BusyFlag

    init(busy: BusyFlag) {
        self.busy = busy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        busy.received()
        context.fireChannelRead(data)
    }
}

/// The error that closes a connection from another user.
struct PeerRefused: Error {}

/// Per-connection state the server keeps while a connection is open.
final class ConnectionState: Sendable {
    let id: Int
    let busy: BusyFlag
    let channel: Channel
    /// When its last frame arrived (DispatchTime uptime nanoseconds; 0 = none yet).
    let lastFrame = Atomic<UInt64>(0)

    init(id: Int, busy: BusyFlag, channel: Channel) {
        self.id = id
        self.busy = busy
        self.channel = channel
    }
}

/// Counts running connection tasks so the server can wait until the last one has finished.
final class TaskCounter: Sendable {
    private let state = Mutex<(running: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    func enter() { state.withLock { $0.running += 1 } }

    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// Closes a connection that has been silent for the read timeout (a client stalled inside a frame
/// or idling between requests), unless a request is running on it.
final class StallGuard: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let busy: BusyFlag

    init(busy: BusyFlag) {
        self.busy = busy
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, !busy.isSet {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

public final class DaemonServer: Sendable {
    public struct Limits: Sendable {
        public var maxConnections: Int
        public var requestTimeout: Duration
        public var readTimeout: Duration
        /// The only user whose connections are served (SO_PEERCRED); others are closed at once.
        public var servedUserID: UInt32
        /// How long a listener stops accepting after refusing a connection over the limit (unless a
        /// slot frees first): the most a refused client waits in the backlog for its Overloaded, and
        /// what bounds the refusals a client reconnecting without backoff can cost. The refusal's
        /// retry_after_ms (100) says the same.
        public var refusalPause: Duration
        /// The interval of RepeatedWarnings: one summary line per kind of repeated warning per interval.
        public var warningInterval: Duration

        public init(maxConnections: Int = 16, requestTimeout: Duration = .seconds(60), readTimeout: Duration = .seconds(30),
                    servedUserID: UInt32 = getuid(), refusalPause: Duration = .milliseconds(100),
                    warningInterval: Duration = .seconds(10)) {
            self.maxConnections = maxConnections
            self.requestTimeout = requestTimeout
            self.readTimeout = readTimeout
            self.servedUserID = servedUserID
            self.refusalPause = refusalPause
            self.warningInterval = warningInterval
        }
    }

    let service: InferenceService
    /// The doors, one per protocol the sockets speak, all over `service`.
    let cassDoor: CassDoor
    let cassV2Door: CassV2Door
    let xfDoor: XFDoor
    let limits: Limits
    let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let connections = Mutex<[Int: ConnectionState]>([:])
    private let nextConnectionID = Atomic<Int>(0)
    private let serverChannels = Mutex<[Channel]>([])
    private let stopping = Atomic<Bool>(false)
    private let connectionTasks = TaskCounter()
    /// Connections refused because the limit was reached.
    public let refusedConnections = Atomic<Int>(0)
    /// Connections closed unread because their peer was not the daemon's user.
    public let refusedPeers = Atomic<Int>(0)
    /// The warnings a client can repeat at will, bounded to a few lines per interval.
    public let warnings: RepeatedWarnings
    /// The Overloaded frame of each socket dialect, encoded once.
    private let cassRefusal: ByteBuffer
    private let xfRefusal: ByteBuffer
    /// Each listener's accept pause (one per `run`).
    private let acceptPauses = Mutex<[AcceptPause]>([])
    private let warningFlush: RepeatedTask

    public init(service: InferenceService, attestedChannel: AttestedChannel? = nil, limits: Limits, logger: Logger) {
        self.service = service
        cassDoor = CassDoor(service: service)
        cassV2Door = CassV2Door(service: service, channel: attestedChannel)
        xfDoor = XFDoor(service: service)
        self.limits = limits
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        cassRefusal = ByteBuffer(bytes: cassDoor.overloadedReply(maxConnections: limits.maxConnections))
        xfRefusal = ByteBuffer(bytes: xfDoor.overloadedReply(maxConnections: limits.maxConnections))
        let warnings = RepeatedWarnings(logger: logger, interval: limits.warningInterval)
        self.warnings = warnings
        let period = TimeAmount(min(limits.warningInterval, .seconds(1)))
        warningFlush = group.next().scheduleRepeatedTask(initialDelay: period, delay: period) { _ in warnings.flush() }
    }

    /// Connections open now.
    public var openConnections: Int { connections.withLock { $0.count } }

    /// Serves the bound socket until `stop()`; returns once every connection has finished. A
    /// connection speaks the dialect of its first recognisable frame; `dialect` (the socket's own)
    /// answers what comes before one (a refusal, an oversized first frame). Call once per socket.
    ///
    /// Each accepted connection gets its serving task inside the child channel initializer, so an
    /// accepted channel is always served or refused, even when the listener closes at that moment.
    /// (SwiftNIO's async accept stream can drop a channel accepted while it finishes, and a dropped
    /// channel traps the process.)
    public func run(on bound: BoundSocket, dialect: WireDialect = .cass) async throws {
        let readTimeout = TimeAmount(limits.readTimeout)
        // The group has one event loop: the listener's and every connection's.
        let pause = AcceptPause(eventLoop: group.next())
        acceptPauses.withLock { $0.append(pause) }
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(pause) }
            }
            .childChannelInitializer { [self] channel in
                PeerCredentials.read(from: channel).flatMapThrowing { peer in
                    if case .refuse(let reason) = PeerAdmission.decide(peer: peer, daemonUserID: self.limits.servedUserID) {
                        // Failing the initializer closes the channel before a byte of it is read.
                        self.refusedPeers.wrappingAdd(1, ordering: .relaxed)
                        self.warnings.record(.refusedPeer, at: "\(dialect) socket", "refused a connection on the \(dialect) socket: \(reason)")
                        throw PeerRefused()
                    }
                    guard let state = self.admit(channel) else {
                        try self.refuse(channel, socketDialect: dialect, pause: pause)
                        return
                    }
                    do {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: readTimeout))
                        try channel.pipeline.syncOperations.addHandler(StallGuard(busy: state.busy))
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameChannelDecoder()))
                        try channel.pipeline.syncOperations.addHandler(FrameArrivals(busy: state.busy))
                        let connection = try NIOAsyncChannel<InboundFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                        self.start(connection, state: state, socketDialect: dialect)
                    } catch {
                        self.release(state)
                        throw error
                    }
                }
            }
            .withBoundSocket(bound.descriptor)
            .get()
        serverChannels.withLock { $0.append(server) }
        if stopping.load(ordering: .acquiring) { try? await server.close() }
        try? await server.closeFuture.get()
        await connectionTasks.waitUntilEmpty()
    }

    /// A slot for a freshly accepted connection, or nil when `maxConnections` are open (or the server
    /// is stopping).
    private func admit(_ channel: Channel) -> ConnectionState? {
        let state = ConnectionState(id: nextConnectionID.wrappingAdd(1, ordering: .relaxed).newValue, busy: BusyFlag(),
                                    channel: channel)
        return connections.withLock { open -> ConnectionState? in
            guard open.count < limits.maxConnections, !stopping.load(ordering: .acquiring) else { return nil }
            open[state.id] = state
            return state
        }
    }

    /// Frees a connection's slot; a listener paused after a refusal accepts again at once.
    private func release(_ state: ConnectionState) {
        connections.withLock { _ = $0.removeValue(forKey: state.id) }
        for pause in acceptPauses.withLock({ $0 }) { pause.resume() }
    }

    /// Starts the task that serves an admitted connection.
    private func start(_ connection: NIOAsyncChannel<InboundFrame, ByteBuffer>, state: ConnectionState, socketDialect: WireDialect) {
        connectionTasks.enter()
        // On its channel's event loop: see EventLoopExecution.swift.
        Task(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
            await self.serve(connection, state: state, socketDialect: socketDialect)
            self.release(state)
            self.connectionTasks.leave()
        }
    }

    /// Stops accepting, lets each connection finish the request it is running, then closes them.
    ///
    /// The caller removes the socket path first, so no new client can connect. The listening channel
    /// closes after `acceptGrace`, so a connection that reached the listen backlog just before the
    /// path went away is still accepted and answered with an Overloaded frame rather than reset.
    public func stop(acceptGrace: Duration = .milliseconds(100)) {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let grace = TimeAmount(acceptGrace)
        for channel in serverChannels.withLock({ $0 }) {
            channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        }
        let open = connections.withLock { Array($0.values) }
        for connection in open where !connection.busy.isSet {
            connection.channel.close(promise: nil)
        }
        // The backlog is answered (Overloaded) during the grace, not left to the close.
        for pause in acceptPauses.withLock({ $0 }) { pause.resume() }
    }

    public func shutdownEventLoops() async {
        warningFlush.cancel()
        warnings.flushAll()
        try? await group.shutdownGracefully()
    }

    /// Refuses a connection over the limit (ConnectionRefusal.swift): its one handler writes the
    /// pre-encoded Overloaded frame and closes once the request has arrived (unread) or after
    /// `refusalGrace`: closed at once, a client still writing its request got EPIPE and never read the
    /// refusal waiting in its socket. The listener then pauses its accepts for `refusalPause`.
    private func refuse(_ channel: Channel, socketDialect: WireDialect, pause: AcceptPause) throws {
        refusedConnections.wrappingAdd(1, ordering: .relaxed)
        warnings.record(.refusedConnection, at: "\(socketDialect) socket",
                        "connection refused on the \(socketDialect) socket: \(limits.maxConnections) connections are open")
        if !stopping.load(ordering: .acquiring) { pause.pause(for: TimeAmount(limits.refusalPause)) }
        connectionTasks.enter()
        channel.closeFuture.whenComplete { _ in self.connectionTasks.leave() }
        let reply = socketDialect == .xf ? xfRefusal : cassRefusal
        try channel.pipeline.syncOperations.addHandler(RefusalHandler(reply: reply, grace: Self.refusalGrace))
    }

    /// How many times the listeners paused their accepts after a refusal.
    public func acceptPauseCount() async throws -> Int {
        var total = 0
        for pause in acceptPauses.withLock({ $0 }) { total += try await pause.pauseCount().get() }
        return total
    }

    /// How long a refused connection is kept open for its client's request.
    static let refusalGrace = TimeAmount.seconds(1)

    /// The door that answers on a socket of `dialect` before any frame said more (cass: v1's).
    func door(for dialect: WireDialect) -> any SocketDoor {
        switch dialect {
        case .cass: return cassDoor
        case .xf: return xfDoor
        }
    }

    /// The door of a frame's protocol.
    func door(for dialect: FrameDialect) -> any SocketDoor {
        switch dialect {
        case .cassV1: return cassDoor
        case .cassV2: return cassV2Door
        case .xf: return xfDoor
        }
    }

    private func serve(_ connection: NIOAsyncChannel<InboundFrame, ByteBuffer>, state: ConnectionState,
                       socketDialect: WireDialect) async {
        // The family is fixed by the first frame whose envelope is recognisably cass's or xf's. On a cass
        // connection each frame's envelope version picks v1's or v2's door; a frame whose version cannot
        // be read (garbage, an empty frame, one over the limit) goes to the version of the connection's
        // first cass frame (v1 before any).
        var dialect: WireDialect?
        var firstCassVersion: FrameDialect?
        func current() -> FrameDialect {
            switch dialect ?? socketDialect {
            case .xf: return .xf
            case .cass: return firstCassVersion ?? .cassV1
            }
        }
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    switch frame {
                    case .tooLarge(let length):
                        warnings.record(.oversizedFrame, "closing connection \(state.id): frame of \(length) bytes exceeds the limit")
                        let reply = door(for: current()).oversizedFrameReply(length: length)
                        // An empty reply: the protocol closes without one (cass v2).
                        if !reply.isEmpty { try await connection.channel.writeAndFlush(ByteBuffer(bytes: reply)) }
                        return
                    case .body(let buffer):
                        let body = Array(buffer: buffer)
                        let now = DispatchTime.now().uptimeNanoseconds
                        state.lastFrame.store(now, ordering: .relaxed)
                        let detected = FrameDialect.detect(frameBody: body)
                        if dialect == nil {
                            dialect = detected?.wireDialect
                            if dialect == nil {
                                warnings.record(.unrecognisedFrame,
                                                "connection \(state.id): a frame of \(body.count) bytes is neither a cass nor an xf envelope; answering as cass")
                            }
                        }
                        // A frame that is neither dialect's envelope is answered as cass.
                        var version = dialect == .xf ? FrameDialect.xf : (firstCassVersion ?? .cassV1)
                        if dialect != .xf, let detected, detected != .xf {
                            version = detected
                            if firstCassVersion == nil { firstCassVersion = detected }
                        }
                        let door = door(for: version)
                        let eventLoop = connection.channel.eventLoop
                        // A large frame is answered on the pool and never inline; a small one from a
                        // lone client may run on this event loop when the inference lane is idle.
                        let large = body.count > largeFrameBytes
                        let context = ConnectionContext(mayRunInline: !large && isAlone(state, now: now),
                                                        deadline: .now + limits.requestTimeout)
                        let (reply, close) = large
                            ? await onSharedPool { await answer(body, with: door, context: context, connection: state.id, eventLoop: eventLoop) }
                            : await answer(body, with: door, context: context, connection: state.id, eventLoop: eventLoop)
                        if close || stopping.load(ordering: .acquiring) {
                            // The last reply: wait until it is on the socket, then close (an empty one:
                            // the protocol closes without a reply).
                            if !reply.isEmpty { try await connection.channel.writeAndFlush(ByteBuffer(bytes: reply)) }
                            return
                        }
                        try await outbound.write(ByteBuffer(bytes: reply))
                        state.busy.answered()
                    }
                }
            }
        } catch {
            logger.debug("connection \(state.id) ended: \(error)")
        }
    }

    /// No other connection has a request in hand or sent one within `soloWindowNanoseconds`: then this
    /// connection's request may run on the event loop itself when the inference lane is idle
    /// (`ConnectionContext.mayRunInline`), crossing no thread. With other clients active it goes through the lane,
    /// which merges their requests.
    private func isAlone(_ state: ConnectionState, now: UInt64) -> Bool {
        connections.withLock { open in
            open.values.allSatisfy { other in
                guard other !== state else { return true }
                let last = other.lastFrame.load(ordering: .relaxed)
                // a frame stamped after `now` (another thread's clock read) counts as activity
                return !other.busy.isSet && (last == 0 || (now > last && now - last > Self.soloWindowNanoseconds))
            }
        }
    }

    /// How recently another connection's frame counts as activity for `isAlone`.
    static let soloWindowNanoseconds: UInt64 = 50_000_000

    /// Handles one frame body within the request timeout; returns the encoded reply frame.
    /// The reply runs on the calling task's executor (the event loop, or the pool for a large frame).
    private func answer(_ body: [UInt8], with door: any SocketDoor, context: ConnectionContext, connection: Int,
                        eventLoop: any EventLoop) async -> ([UInt8], Bool) {
        let start = ContinuousClock.now
        let timeout = limits.requestTimeout
        let executor: (any TaskExecutor)? = eventLoop.inEventLoop ? EventLoopTaskExecutor(eventLoop) : nil
        let outcome = await service.ledger.whileInFlight(door: door.ledgerDoor) {
            await firstOf({ await door.reply(to: body, connection: context) }, timeout: timeout, eventLoop: eventLoop,
                          executor: executor)
        }
        guard let outcome else {
            warnings.record(.timedOutRequest, "connection \(connection): \(door.dialect) request timed out after \(timeout)")
            let reply = door.timeoutReply(to: body, limit: timeout)
            return (reply, reply.isEmpty)
        }
        logger.debug("connection \(connection): \(outcome.summary) in \(ContinuousClock.now - start)")
        return (outcome.frame, outcome.close)
    }
}
