// The package's built executables (semd, semctl) for end-to-end tests: where they are, and running
// one as a real subprocess with a chosen environment, its output captured in files (so a daemon it
// starts can never hold a test's pipe open), under a deadline.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum BuiltExecutables {
    /// The folder of the running test bundle (`.build*/debug`), where `swift build` puts semd and
    /// semctl; else `<repository>/.build/debug`.
    public static var directory: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [runner.deletingLastPathComponent()]
        // On macOS the runner sits inside a .xctest bundle: …/debug/X.xctest/Contents/MacOS/X.
        candidates.append(runner.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent())
        candidates.append(Fixtures.repositoryRoot.appendingPathComponent(".build/debug", isDirectory: true))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("semctl").path) }
            ?? candidates[0]
    }

    /// The built executable `name`, or an error saying to build it.
    public static func url(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw FixtureError.malformed("\(url.path) is not built; run `swift build` before the end-to-end tests")
        }
        return url
    }
}

/// What a finished subprocess left behind.
public struct ProcessOutput: Sendable, CustomStringConvertible {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
    public let elapsed: Duration

    public var description: String {
        "exit \(status) after \(elapsed)\n--- stdout\n\(standardOutput)--- stderr\n\(standardError)"
    }
}

public enum Subprocess {
    /// Runs `executable` with `arguments`; the environment is this process's without any `SEMD_*`
    /// variable, plus `environment`. Standard input is `input` (or empty). Killed after `timeout`.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           input: String? = nil, timeout: Duration = .seconds(120)) throws -> ProcessOutput {
        let scratch = try TemporaryDirectory(prefix: "semd-subprocess")
        defer { scratch.remove() }
        let outURL = scratch.path("stdout"), errURL = scratch.path("stderr"), inURL = scratch.path("stdin")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: Data((input ?? "").utf8))

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SEMD_") }
        merged.merge(environment) { $1 }
        process.environment = merged
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let stdin = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let start = ContinuousClock.now
        try process.run()
        if exited.wait(timeout: .now() + timeout.timeInterval) == .timedOut {
            process.terminate()
            // SIGTERM gets a grace period (a timeout, not a synchronisation), then SIGKILL.
            if exited.wait(timeout: .now() + 0.2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        let elapsed = ContinuousClock.now - start
        try? out.close()
        try? err.close()
        try? stdin.close()
        return ProcessOutput(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
            elapsed: elapsed)
    }

    /// Whether every thread of the process is stopped (by SIGSTOP), as /proc says.
    public static func isStopped(_ pid: Int32) -> Bool {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"), !threads.isEmpty else {
            return false
        }
        return threads.allSatisfy { thread in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
            return state == "T" || state == "t"
        }
    }

    /// Whether a process with this pid exists (and is not a zombie).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
            return state != "Z"
        }
        #endif
        return true
    }
}
