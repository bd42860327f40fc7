// A real `semd` process for tests: started from the built binary on a temporary socket, with its
// stderr captured, and stopped (SIGTERM, then SIGKILL) when the test is done.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum BuiltProducts {
    /// The folder holding the built executables: beside the running test binary, else the
    /// repository's `.build/debug`.
    public static var directory: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [beside, beside.deletingLastPathComponent(), Fixtures.repositoryRoot.appendingPathComponent(".build/debug")]
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("semd").path) {
            return candidate
        }
        return beside
    }

    public static func executable(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

public final class DaemonProcess: @unchecked Sendable {
    public let process: Process
    public let socket: String
    private let errorFile: URL

    /// The xf dialect's socket beside `socket` (`d.sock` → `d-xf.sock`), which every test daemon
    /// serves unless its arguments or environment choose otherwise, so no test takes xf's shared
    /// default `/tmp/xf-daemon-$USER.sock`.
    public static func xfSocket(besides socket: String) -> String {
        (socket as NSString).deletingPathExtension + "-xf.sock"
    }

    /// Starts `semd --socket SOCKET ARGUMENTS…` with the real models unless `arguments` say otherwise,
    /// and the xf socket `xfSocket(besides: SOCKET)` unless `arguments` or `environment` name one.
    public init(socket: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.socket = socket
        errorFile = URL(fileURLWithPath: socket + ".stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process = Process()
        process.executableURL = BuiltProducts.executable("semd")
        let choosesXF = arguments.contains { $0 == "--xf-socket" || $0 == "--no-xf" } || environment["XF_DAEMON_SOCKET"] != nil
        process.arguments = ["--socket", socket, "--nice", "0"] + arguments
            + (choosesXF ? [] : ["--xf-socket", Self.xfSocket(besides: socket)])
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
    }

    /// What the daemon wrote to stderr so far.
    public var errorOutput: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    @discardableResult
    public static func wait(timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    public func waitForExit(timeout: Duration) -> Int32? {
        DaemonProcess.wait(timeout: timeout) { !process.isRunning } ? process.terminationStatus : nil
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// SIGTERM, then SIGKILL after 5 s; removes the captured stderr.
    public func stop() {
        if process.isRunning {
            signal(SIGTERM)
            if waitForExit(timeout: .seconds(5)) == nil { signal(SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: errorFile)
    }
}

/// Runs a blocking call (a socket round trip, a sleep) on a thread of its own, so a test never ties up
/// the concurrency pool that an in-process daemon needs to answer it.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
