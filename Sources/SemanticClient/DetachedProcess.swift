// Starts a program detached from its caller, without fork: posix_spawn in a new session (setsid), stdin
// from /dev/null, stdout and stderr appended to a log file (ours, never through a symlink or another
// link), no other descriptor inherited, signal
// dispositions and mask reset. The child is reaped by a background thread so it never lingers as a
// zombie while the caller lives; once the caller exits it belongs to init. Knows nothing of semd.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct SpawnError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

enum DetachedProcess {
    #if os(Linux)
    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h, `__USE_GNU`), which Swift's Glibc module does not expose.
    static let setSessionFlag: Int32 = 0x80
    #else
    static let setSessionFlag: Int32 = Int32(POSIX_SPAWN_SETSID)
    #endif

    /// Starts `executable` with `arguments` (not including argv[0]) and the caller's environment.
    /// Returns the child's pid.
    static func spawn(executable: String, arguments: [String], logFile: String) throws(SpawnError) -> pid_t {
        guard access(executable, X_OK) == 0 else {
            throw SpawnError(message: "\(executable) is not an executable file (\(String(cString: strerror(errno))))")
        }
        let log = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard log >= 0 else {
            throw SpawnError(message: "cannot open the log file \(logFile): \(String(cString: strerror(errno)))")
        }
        defer { close(log) }
        // The log sits beside the socket, often in a shared /tmp: append only to a file of our own that
        // no other name reaches (O_NOFOLLOW has already refused a symlink).
        var logStatus = stat()
        guard fstat(log, &logStatus) == 0, (logStatus.st_mode & S_IFMT) == S_IFREG, logStatus.st_uid == getuid(),
              logStatus.st_nlink == 1 else {
            throw SpawnError(message: "refusing the log file \(logFile): it must be a regular file of your own with "
                + "no other link (remove it and try again)")
        }

        #if canImport(Glibc)
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #else
        var attributes: posix_spawnattr_t? = nil
        var actions: posix_spawn_file_actions_t? = nil
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // A daemon must not inherit the caller's ignored signals (SIGPIPE, SIGINT of a shell job) or mask.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        let flags = Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK) | setSessionFlag
        posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: flags))

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        if !addCloseFrom(&actions, lowest: 3) {
            markDescriptorsCloseOnExec(from: 3)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The child's exit status if it has ended (it is reaped then), nil while it runs.
    static func exitStatus(of pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG spelled out: they are macros.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reaps `pid` on a background thread whenever it exits.
    static func reapInBackground(_ pid: pid_t) {
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    #if canImport(Glibc)
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), looked up at run time because the
    /// Glibc module hides it behind `__USE_GNU`.
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, lowest: Int32) -> Bool {
        guard let handle = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return false }
        let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
        return closeFrom(&actions, lowest) == 0
    }
    #else
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t?, lowest: Int32) -> Bool { false }
    #endif

    /// Without closefrom: marks every open descriptor from `lowest` up close-on-exec in this process.
    static func markDescriptorsCloseOnExec(from lowest: Int32) {
        let limit = min(Int32(clamping: sysconf(Int32(_SC_OPEN_MAX))), 65_536)
        guard lowest < limit else { return }
        for descriptor in lowest..<limit {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && (flags & FD_CLOEXEC) == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
