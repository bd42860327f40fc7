// Binds the daemon's listening Unix socket so that only its owner can reach it: directly when the
// socket's parent directory is private (mode & 0o077 == 0), else inside a private 0700 runtime
// directory with a symlink published at the public path. The socket itself is 0600. Removes only
// entries that are provably semd's (a socket, or a symlink into our runtime directory), never follows
// a symlink it did not make, and cleans up after itself.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound, listening socket and where it lives.
#if canImport(Glibc)
let systemBind = Glibc.bind
let systemConnect = Glibc.connect
let systemClose = Glibc.close
let systemSend = Glibc.send
let streamSocketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
#else
let systemBind = Darwin.bind
let systemConnect = Darwin.connect
let systemClose = Darwin.close
let systemSend = Darwin.send
let streamSocketType = SOCK_STREAM
#endif

public struct BoundSocket: Sendable {
    /// The listening descriptor (blocking, close-on-exec).
    public let descriptor: Int32
    /// Where the socket file is.
    public let bindPath: String
    /// Where clients connect (equal to `bindPath`, or a symlink to it).
    public let publicPath: String
    /// The socket file's inode, so cleanup removes only what this process bound.
    let inode: UInt64
}

public enum OwnerOnlySocket {
    /// `sockaddr_un.sun_path` capacity, including the terminating NUL.
    public static var pathCapacity: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) }

    /// Binds and listens. Call only while holding the run lock: stale entries are removed here.
    public static func bind(_ paths: DaemonPaths, backlog: Int32 = 128) throws(RuntimeError) -> BoundSocket {
        let parent = paths.parentDirectory
        try ensurePrivateDirectory(parent, createOnly: true)
        var status = stat()
        guard stat(parent, &status) == 0 else { throw .system(operation: "stat", path: parent, errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .refusingPath(path: parent, reason: "the socket's parent is not a directory")
        }
        let parentIsPrivate = (status.st_mode & 0o077) == 0 && status.st_uid == getuid()

        let bindPath: String
        if parentIsPrivate {
            bindPath = paths.socket
        } else {
            try ensurePrivateDirectory(paths.runtimeDirectory, createOnly: false)
            bindPath = paths.privateSocket
        }
        guard bindPath.utf8.count < pathCapacity else {
            throw .socketPathTooLong(path: bindPath, limit: pathCapacity)
        }
        try removeStaleEntry(at: bindPath, ownSocketTarget: nil)
        if bindPath != paths.socket {
            try removeStaleEntry(at: paths.socket, ownSocketTarget: bindPath)
        }

        let descriptor = socket(AF_UNIX, streamSocketType, 0)
        guard descriptor >= 0 else { throw .system(operation: "socket", path: bindPath, errno: errno) }
        var address = makeAddress(bindPath)
        // Bind with a 0177 umask so the socket is never reachable by others, not even for an instant.
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemBind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let bindErrno = errno
        umask(previousMask)
        guard bound == 0 else {
            close(descriptor)
            throw .system(operation: "bind", path: bindPath, errno: bindErrno)
        }
        chmod(bindPath, 0o600)
        guard listen(descriptor, backlog) == 0 else {
            let code = errno
            close(descriptor)
            unlink(bindPath)
            throw .system(operation: "listen", path: bindPath, errno: code)
        }
        var socketStatus = stat()
        lstat(bindPath, &socketStatus)
        if bindPath != paths.socket {
            guard symlink(bindPath, paths.socket) == 0 else {
                let code = errno
                close(descriptor)
                unlink(bindPath)
                throw .system(operation: "symlink", path: paths.socket, errno: code)
            }
        }
        return BoundSocket(descriptor: descriptor, bindPath: bindPath, publicPath: paths.socket,
                           inode: UInt64(socketStatus.st_ino))
    }

    /// Removes the public symlink and the socket file if they are still the ones this process made.
    public static func cleanUp(_ bound: BoundSocket) {
        if bound.publicPath != bound.bindPath, symlinkTarget(bound.publicPath) == bound.bindPath {
            unlink(bound.publicPath)
        }
        var status = stat()
        if lstat(bound.bindPath, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK,
           UInt64(status.st_ino) == bound.inode {
            unlink(bound.bindPath)
        }
    }

    /// True while the public path still leads to the socket this process bound.
    public static func isStillPublished(_ bound: BoundSocket) -> Bool {
        if bound.publicPath != bound.bindPath, symlinkTarget(bound.publicPath) != bound.bindPath { return false }
        var status = stat()
        return lstat(bound.bindPath, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
            && UInt64(status.st_ino) == bound.inode
    }

    /// Creates `path` as a 0700 directory if missing; an existing one must be a real directory (not a
    /// symlink). With `createOnly`, an existing directory is left as it is (a shared parent such as
    /// /tmp); otherwise it must be ours and is tightened to 0700.
    static func ensurePrivateDirectory(_ path: String, createOnly: Bool) throws(RuntimeError) {
        var status = stat()
        if lstat(path, &status) != 0 {
            guard errno == ENOENT else { throw .system(operation: "lstat", path: path, errno: errno) }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .refusingPath(path: path, reason: "cannot create it: \(error.localizedDescription)")
            }
            guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
                throw .refusingPath(path: path, reason: "it is not a directory after creating it")
            }
            chmod(path, 0o700)
            return
        }
        if createOnly {
            // The parent may be a symlink to a directory (macOS /tmp); stat follows it.
            var followed = stat()
            guard stat(path, &followed) == 0, (followed.st_mode & S_IFMT) == S_IFDIR else {
                throw .refusingPath(path: path, reason: "it is not a directory")
            }
            return
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .refusingPath(path: path, reason: "it is not a directory (a symlink or file was planted there)")
        }
        guard status.st_uid == getuid() else {
            throw .refusingPath(path: path, reason: "it belongs to another user (uid \(status.st_uid))")
        }
        if (status.st_mode & 0o777) != 0o700 { chmod(path, 0o700) }
    }

    /// Removes a leftover entry: a socket we own, or a symlink of ours pointing at `ownSocketTarget`.
    /// Anything else is refused, so a planted file or symlink is never followed or deleted.
    static func removeStaleEntry(at path: String, ownSocketTarget: String?) throws(RuntimeError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw .system(operation: "lstat", path: path, errno: errno)
        }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFSOCK {
            guard status.st_uid == getuid() else {
                throw .refusingPath(path: path, reason: "a socket of another user (uid \(status.st_uid)) is there")
            }
        } else if kind == S_IFLNK {
            let target = symlinkTarget(path)
            guard let ownSocketTarget, target == ownSocketTarget, status.st_uid == getuid() else {
                throw .refusingPath(path: path, reason: "it is a symlink to \(target ?? "?") that semd did not make; "
                    + "remove it yourself if it is yours")
            }
        } else {
            throw .refusingPath(path: path, reason: "it is not a socket (a regular file or directory is there)")
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(operation: "unlink", path: path, errno: errno) }
    }

    static func symlinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func makeAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        return address
    }
}
