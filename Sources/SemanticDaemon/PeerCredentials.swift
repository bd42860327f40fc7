// Who is on the other end of an accepted Unix-socket connection, and whether to serve them. The
// socket's permissions (0600 in a 0700 directory) already keep other users out; this check holds even
// when those permissions were loosened: every connection on the cass and xf sockets is served only
// when the kernel says the peer runs as the daemon's own user (Linux: SO_PEERCRED; macOS:
// LOCAL_PEERCRED and LOCAL_PEERPID, a path no machine of this project has built or run). Root gets no
// exception. A connection whose credentials cannot be read is refused (fail closed). Never reads
// request bytes.
import CSemdSystem
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The peer of a connection as the kernel recorded it when it connected.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public var processID: Int32
    public var userID: UInt32
    public var groupID: UInt32

    public init(processID: Int32, userID: UInt32, groupID: UInt32) {
        self.processID = processID
        self.userID = userID
        self.groupID = groupID
    }

    public var description: String { "uid \(userID), pid \(processID)" }
}

/// Whether a peer may use the daemon: only the daemon's own user.
public enum PeerAdmission: Sendable, Equatable {
    case serve
    case refuse(reason: String)

    /// The decision for `peer` (nil: the credentials could not be read) on a daemon running as
    /// `daemonUserID`. A peer running as root is refused unless the daemon itself runs as root.
    public static func decide(peer: PeerCredentials?, daemonUserID: UInt32) -> PeerAdmission {
        guard let peer else { return .refuse(reason: "the peer's credentials could not be read") }
        guard peer.userID == daemonUserID else {
            return .refuse(reason: "\(peer) is not the daemon's user (uid \(daemonUserID))")
        }
        return .serve
    }
}

extension PeerCredentials {
    /// The peer of an accepted Unix-socket channel, completed on the channel's event loop; nil when
    /// the platform or the channel cannot say (the caller then refuses the connection).
    public static func read(from channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        #if os(macOS)
        return readLocalPeer(from: provider)
        #else
        let option = semd_so_peercred()
        guard option >= 0 else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<semd_peer_credentials> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: option))
        return future.map { credentials -> PeerCredentials? in
            PeerCredentials(processID: credentials.pid, userID: credentials.uid, groupID: credentials.gid)
        }.recover { _ in nil }
        #endif
    }

    #if os(macOS)
    /// macOS has no SO_PEERCRED: LOCAL_PEERCRED (the leading fields of `struct xucred`: the effective
    /// uid and groups, what getpeereid(3) reads) and LOCAL_PEERPID (the pid), both at level SOL_LOCAL.
    /// Written against Apple's headers; untested, since no machine of this project runs macOS (README,
    /// "Platforms").
    private static func readLocalPeer(from provider: SocketOptionProvider) -> EventLoopFuture<PeerCredentials?> {
        let level = NIOBSDSocket.OptionLevel(rawValue: CInt(SOL_LOCAL))
        let credentials: EventLoopFuture<semd_local_peer_credentials> = provider.unsafeGetSocketOption(
            level: level, name: NIOBSDSocket.Option(rawValue: CInt(LOCAL_PEERCRED)))
        let processID: EventLoopFuture<pid_t> = provider.unsafeGetSocketOption(
            level: level, name: NIOBSDSocket.Option(rawValue: CInt(LOCAL_PEERPID)))
        return credentials.and(processID).map { peer, processID -> PeerCredentials? in
            guard peer.version == UInt32(XUCRED_VERSION) else { return nil }
            let groupID = peer.group_count > 0 ? peer.groups.0 : 0
            return PeerCredentials(processID: processID, userID: peer.uid, groupID: groupID)
        }.recover { _ in nil }
    }
    #endif
}

/// The same check for a pipeline someone else builds (the HTTP listener's Unix socket): added to an
/// accepted channel, it reads the peer's credentials when it joins the pipeline and closes the channel
/// when the peer is not `servedUserID`, before anything read reaches the handlers after it. Until the
/// decision is made nothing passes (fail closed); on an event loop the decision is immediate.
public final class PeerGate: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = Any

    private let servedUserID: UInt32
    private let onRefusal: @Sendable (String) -> Void
    private var admitted = false

    /// `onRefusal` hears the reason for each connection closed (for a log line and a counter).
    public init(servedUserID: UInt32, onRefusal: @escaping @Sendable (String) -> Void) {
        self.servedUserID = servedUserID
        self.onRefusal = onRefusal
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        PeerCredentials.read(from: context.channel).whenSuccess { peer in
            let (gate, context) = loopBound.value
            switch PeerAdmission.decide(peer: peer, daemonUserID: gate.servedUserID) {
            case .serve:
                gate.admitted = true
            case .refuse(let reason):
                gate.onRefusal(reason)
                context.close(promise: nil)
            }
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted else { return }
        context.fireChannelRead(data)
    }
}
