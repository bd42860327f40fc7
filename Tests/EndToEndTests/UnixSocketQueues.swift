// Whether data waits unread on a Unix socket's connections, read from the kernel's socket table
// through NETLINK_SOCK_DIAG (what `ss -x` shows), so a test can see that a client's request has reached
// a daemon that does not read it (a SIGSTOPped one). Linux only; reads the table, never a socket.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum UnixSocketQueues {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Whether a connection to `path` (the bound path: a daemon's private socket) holds data its
    /// server has not read: an accepted connection's receive queue, or, for one still waiting to be
    /// accepted (which the table does not list), its client's send queue.
    static func hasUnreadData(at path: String) throws -> Bool {
        let table = try entries()
        let named = table.filter { $0.path == path }
        if named.contains(where: { $0.state != listening && $0.receiveQueue > 0 }) { return true }
        let waitingClients = Set(named.filter { $0.state == listening }.flatMap(\.pendingPeers))
        return table.contains { waitingClients.contains($0.inode) && $0.sendQueue > 0 }
    }

    /// TCP_LISTEN, the state the kernel gives a listening Unix socket.
    private static let listening: UInt8 = 10

    private struct Entry {
        var inode: UInt32
        var state: UInt8
        var path: String?
        var receiveQueue: UInt32 = 0
        var sendQueue: UInt32 = 0
        /// For a listening socket: the client ends of the connections waiting to be accepted.
        var pendingPeers: [UInt32] = []
    }

    // linux/netlink.h, linux/sock_diag.h, linux/unix_diag.h
    private static let netlinkSockDiag: Int32 = 4
    private static let sockDiagByFamily: UInt16 = 20
    private static let requestFlag: UInt16 = 0x1, dumpFlag: UInt16 = 0x300
    private static let messageDone: UInt16 = 3, messageError: UInt16 = 2
    private static let showName: UInt32 = 0x1, showPendingPeers: UInt32 = 0x8, showQueues: UInt32 = 0x10
    private static let attributeName: UInt16 = 0, attributePendingPeers: UInt16 = 3, attributeQueues: UInt16 = 4

    private static func entries() throws -> [Entry] {
        let descriptor = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkSockDiag)
        guard descriptor >= 0 else { throw Failure(description: "netlink socket: errno \(errno)") }
        defer { close(descriptor) }

        // nlmsghdr (16 bytes) + unix_diag_req (24 bytes), in host byte order.
        var request = [UInt8]()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value) { request.append(contentsOf: $0) } }
        append(UInt32(40)); append(sockDiagByFamily); append(requestFlag | dumpFlag); append(UInt32(1)); append(UInt32(0))
        append(UInt8(AF_UNIX)); append(UInt8(0)); append(UInt16(0))
        append(UInt32.max)  // every state
        append(UInt32(0))  // every inode
        append(showName | showPendingPeers | showQueues)
        append(UInt32.max); append(UInt32.max)  // no cookie
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw Failure(description: "netlink send: errno \(errno)") }

        var found: [Entry] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { throw Failure(description: "netlink receive: errno \(errno)") }
            var offset = 0
            while offset + 16 <= received {
                let length = Int(read(UInt32.self, buffer, offset))
                let type = read(UInt16.self, buffer, offset + 4)
                guard length >= 16, offset + length <= received else { throw Failure(description: "a malformed netlink message") }
                if type == messageDone { return found }
                if type == messageError {
                    throw Failure(description: "sock_diag refused the dump: errno \(-read(Int32.self, buffer, offset + 16))")
                }
                // unix_diag_msg (16 bytes: family, type, state, pad, inode, cookie), then attributes.
                var entry = Entry(inode: read(UInt32.self, buffer, offset + 16 + 4), state: buffer[offset + 16 + 2])
                var attribute = offset + 32
                while attribute + 4 <= offset + length {
                    let attributeLength = Int(read(UInt16.self, buffer, attribute))
                    let attributeType = read(UInt16.self, buffer, attribute + 2)
                    guard attributeLength >= 4 else { break }
                    let payload = buffer[(attribute + 4)..<min(attribute + attributeLength, offset + length)]
                    if attributeType == attributeName {
                        entry.path = String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
                    } else if attributeType == attributeQueues, payload.count >= 8 {
                        entry.receiveQueue = read(UInt32.self, buffer, attribute + 4)
                        entry.sendQueue = read(UInt32.self, buffer, attribute + 8)
                    } else if attributeType == attributePendingPeers {
                        entry.pendingPeers = stride(from: 0, to: payload.count - 3, by: 4).map {
                            read(UInt32.self, buffer, attribute + 4 + $0)
                        }
                    }
                    attribute += (attributeLength + 3) & ~3
                }
                found.append(entry)
                offset += (length + 3) & ~3
            }
        }
    }

    private static func read<T: FixedWidthInteger>(_ type: T.Type, _ buffer: [UInt8], _ offset: Int) -> T {
        buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
