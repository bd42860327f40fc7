// What refusing a connection over the limit costs, kept small. A refused connection gets one handler
// and nothing else (no frame decoder, no async channel, no task): it writes the socket's Overloaded
// frame, encoded once when the server starts, and closes once the client's request has arrived or a
// grace period has passed, so a client that writes first still reads its answer. And after a refusal
// the listener stops accepting for a pause, as HAProxy's full listener and nginx's disabled accept do:
// connections wait in the kernel's backlog meanwhile, costing nothing, and are accepted at once when a
// served connection closes (a slot freed) or answered when the pause ends. A client that reconnects
// in a tight loop therefore waits in the backlog instead of spinning the daemon. Never reads a byte of
// a refused connection's request.
import NIOCore

/// The refusal of one connection: the pre-encoded Overloaded frame, then a close.
final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reply: ByteBuffer
    private let grace: TimeAmount
    private var sent = false
    private var written = false
    private var requestArrived = false
    private var graceEnd: Scheduled<Void>?

    init(reply: ByteBuffer, grace: TimeAmount) {
        self.reply = reply
        self.grace = grace
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    /// The request (or anything) arrived: it is not read; the connection closes once the reply is out.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        requestArrived = true
        if written { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        graceEnd?.cancel()
        graceEnd = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func send(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        let loop = context.eventLoop.assumeIsolated()
        context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { [self] _ in
            written = true
            if requestArrived { context.close(promise: nil) }
        }
        graceEnd = loop.scheduleTask(in: grace) { context.close(promise: nil) }
    }
}

/// Holds back a listener's accepts while paused (as NIO's AcceptBackoffHandler does after an accept
/// error): the channel's `read` is not passed on until `resume()` or the pause's end. Its state lives
/// on `eventLoop`; `pause(for:)` and `resume()` may be called from anywhere and run there.
final class AcceptPause: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    typealias OutboundIn = Channel

    let eventLoop: any EventLoop
    // On `eventLoop` only:
    private var context: ChannelHandlerContext?
    private var paused = false
    private var readHeld = false
    private var pauseEnd: Scheduled<Void>?
    private var pauses = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        precondition(context.eventLoop === eventLoop, "an AcceptPause serves the listener of its own event loop")
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resumeOnLoop()
        self.context = nil
    }

    func read(context: ChannelHandlerContext) {
        if paused { readHeld = true } else { context.read() }
    }

    /// Stops accepting for `amount`, unless already paused (the running pause's end stands).
    func pause(for amount: TimeAmount) {
        onLoop { [self] in
            guard !paused, context != nil else { return }
            paused = true
            pauses += 1
            pauseEnd = eventLoop.assumeIsolated().scheduleTask(in: amount) { [self] in resumeOnLoop() }
        }
    }

    /// Accepts again now (a served connection closed, or the server is stopping).
    func resume() {
        onLoop { [self] in resumeOnLoop() }
    }

    /// How many pauses began (for tests and diagnostics); read on the event loop.
    func pauseCount() -> EventLoopFuture<Int> {
        eventLoop.submit { [self] in pauses }
    }

    private func resumeOnLoop() {
        pauseEnd?.cancel()
        pauseEnd = nil
        guard paused else { return }
        paused = false
        if readHeld, let context {
            readHeld = false
            context.read()
        }
    }

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop { body() } else { eventLoop.execute(body) }
    }
}
