// The `semd` subprocess of every test that runs the built daemon: started on a socket in a private
// temporary directory (or a socket a test chose), its stderr captured beside the socket, waited for by
// polling (`Poll`: a subprocess announces nothing to us) with a clear error that carries its stderr and
// that comes at once if the process exits first, and stopped (SIGTERM, then SIGKILL), reaped and its
// directory removed when the test is done, also when it fails. It must never sleep to wait, and never
// leave a process running past its test. (`RunningDaemon` is the harness for an in-process daemon.)
import Foundation
import SemanticClient
import SemanticRuntime
import SemanticWire
#if canImport(Glibc)
import Glibc
#endif

public final class DaemonProcess: @unchecked Sendable {
    public let process: Process
    public let socket: String
    /// The private directory this harness made for the daemon, removed by `stop()` (nil when the
    /// test chose the socket).
    public let scratch: TemporaryDirectory?
    private let errorFile: URL
    /// Left when the process has exited (its termination handler).
    private let exited = DispatchGroup()

    public var paths: DaemonPaths { DaemonPaths(socket: socket) }

    /// The xf dialect's socket beside `socket` (`d.sock` → `d-xf.sock`), which every test daemon
    /// serves unless its arguments or environment choose otherwise, so no test takes xf's shared
    /// default `/tmp/xf-daemon-$USER.sock`.
    public static func xfSocket(besides socket: String) -> String {
        (socket as NSString).deletingPathExtension + "-xf.sock"
    }

    /// Starts `semd --socket SOCKET ARGUMENTS…` with the real models unless `arguments` say otherwise,
    /// and the xf socket `xfSocket(besides: SOCKET)` unless `arguments` or `environment` name one.
    public convenience init(socket: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(socket: socket, scratch: nil, arguments: arguments, environment: environment)
    }

    /// Starts semd on `d.sock` in a fresh private directory; `sharedParent` makes that directory
    /// world-writable and sticky (1777), as /tmp is, so the daemon binds in its private runtime directory.
    public convenience init(sharedParent: Bool = false, arguments: [String] = [], environment: [String: String] = [:]) throws {
        let scratch = try TemporaryDirectory.forDaemon(sharedParent: sharedParent)
        do {
            try self.init(socket: scratch.path("d.sock").path, scratch: scratch, arguments: arguments, environment: environment)
        } catch {
            scratch.remove()
            throw error
        }
    }

    private init(socket: String, scratch: TemporaryDirectory?, arguments: [String], environment: [String: String]) throws {
        self.socket = socket
        self.scratch = scratch
        errorFile = URL(fileURLWithPath: socket + ".stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process = Process()
        process.executableURL = try BuiltExecutables.url("semd")
        let choosesXF = arguments.contains { $0 == "--xf-socket" || $0 == "--no-xf" } || environment["XF_DAEMON_SOCKET"] != nil
        process.arguments = ["--socket", socket, "--nice", "0"] + arguments
            + (choosesXF ? [] : ["--xf-socket", Self.xfSocket(besides: socket)])
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        exited.enter()
        process.terminationHandler = { [exited] _ in exited.leave() }
        try process.run()
    }

    /// Starts semd in a fresh private directory, waits until it answers Health, runs `body`, and stops
    /// it and removes the directory whatever happened (printing its stderr if `body` threw).
    public static func with<T>(sharedParent: Bool = false, arguments: [String] = [], environment: [String: String] = [:],
                               readyWithin timeout: Duration = .seconds(180),
                               _ body: (DaemonProcess) throws -> T) throws -> T {
        let daemon = try DaemonProcess(sharedParent: sharedParent, arguments: arguments, environment: environment)
        defer { daemon.stop() }
        do {
            try daemon.waitUntilAnswering(within: timeout)
            return try body(daemon)
        } catch {
            FileHandle.standardError.write(Data("the test failed with \(error); semd's stderr:\n\(daemon.errorOutput)\n".utf8))
            throw error
        }
    }

    /// What the daemon wrote to stderr so far.
    public var errorOutput: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    // MARK: Waiting

    /// Blocks (call it off the concurrency pool) until `condition` holds. Throws `PollTimeout` with the
    /// daemon's stderr after `timeout`, or at once when the process exits first (unless `condition`
    /// holds then: a wait for the exit itself).
    public func waitUntil(_ what: String, within timeout: Duration = .seconds(180), fileID: String = #fileID,
                          line: Int = #line, _ condition: () throws -> Bool) throws {
        do {
            try Poll.blockUntil(what, within: timeout, fileID: fileID, line: line) {
                if try condition() { return true }
                if !process.isRunning {
                    throw PollTimeout(what: what, timeout: timeout, location: "\(fileID):\(line)",
                                      detail: "semd exited with status \(process.terminationStatus) first; its stderr:\n\(errorOutput)")
                }
                return false
            }
        } catch let timeout as PollTimeout where timeout.detail.isEmpty {
            throw PollTimeout(what: timeout.what, timeout: timeout.timeout, location: timeout.location,
                              detail: "semd's stderr:\n\(errorOutput)")
        }
    }

    /// Blocks until the daemon answers a Health request on its socket (loaded or still loading).
    public func waitUntilAnswering(within timeout: Duration = .seconds(180), fileID: String = #fileID, line: Int = #line) throws {
        try waitUntil("semd answers Health on \(socket)", within: timeout, fileID: fileID, line: line) {
            Self.answersHealth(at: socket)
        }
    }

    /// Whether something answers a Health request at `socket` now.
    public static func answersHealth(at socket: String) -> Bool {
        guard let connection = try? DaemonConnection(socketPath: socket),
              let answer = try? connection.send(.health, timeout: .seconds(5)),
              case .health = answer.response else { return false }
        return true
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    public func waitForExit(timeout: Duration) -> Int32? {
        exited.wait(timeout: .now() + timeout.timeInterval) == .success ? process.terminationStatus : nil
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// SIGTERM, then SIGKILL after 5 s; reaps the process; removes the captured stderr, and the
    /// directory when the harness made it.
    public func stop() {
        if process.isRunning {
            signal(SIGTERM)
            if waitForExit(timeout: .seconds(5)) == nil { signal(SIGKILL) }
            exited.wait()
        }
        try? FileManager.default.removeItem(at: errorFile)
        scratch?.remove()
    }
}

/// Runs a blocking call (a socket round trip, a wait for a process) on a thread of its own, so a test
/// never ties up the concurrency pool that an in-process daemon needs to answer it.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
