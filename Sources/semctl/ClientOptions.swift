// The options every daemon-facing command shares (--socket, --models-dir, --no-daemon, --no-spawn,
// --no-fallback, -v), turned into a SemanticClient in one place, and the mapping of client errors to
// one line, a hint and an exit code.
import ArgumentParser
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticRuntime

/// Exit status 3: the daemon was required but is not there.
let daemonUnavailableExitCode: Int32 = 3

struct SocketOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Daemon socket (default: $SEMD_SOCKET, else $TMPDIR/semantic-daemon-$USER.sock).", valueName: "path"))
    var socket: String?

    @Flag(name: .shortAndLong, help: "Say which path served the call and why, with timings, on stderr.")
    var verbose = false

    var paths: DaemonPaths { DaemonPaths.resolve(explicitSocket: socket) }

    /// A client for commands that talk to a running daemon only (never in-process).
    func makeClient(modelsDirectory: String? = nil) throws -> SemanticClient {
        do {
            let configuration = try ClientConfiguration.resolve(socket: socket, modelsDirectory: modelsDirectory)
            return SemanticClient(configuration: configuration, logger: makeLogger(verbose: verbose))
        } catch {
            throw CommandFailure(error.description, hint: "fix the environment variable or the flags", exitCode: 2)
        }
    }
}

struct ClientOptions: ParsableArguments {
    @OptionGroup var socketOption: SocketOption

    @Option(name: .long, help: ArgumentHelp(
        "Folder holding one folder per model, for in-process work and a daemon this command starts "
            + "(default: $SEMD_MODELS_DIR, the repository's Models/, then ~/.local/share/semd/models).",
        valueName: "dir"))
    var modelsDir: String?

    @Flag(name: .long, help: "Compute in this process; never touch the daemon (like SEMD_NO_DAEMON=1).")
    var noDaemon = false

    @Flag(name: .long, help: "Use a running daemon but never start one (like SEMD_NO_SPAWN=1).")
    var noSpawn = false

    @Flag(name: .long, help: "Fail with exit status 3 instead of computing in-process when no daemon can answer.")
    var noFallback = false

    var verbose: Bool { socketOption.verbose }

    func makeClient() throws -> SemanticClient {
        do {
            let configuration = try ClientConfiguration.resolve(
                socket: socketOption.socket, modelsDirectory: modelsDir, noDaemon: noDaemon, noSpawn: noSpawn,
                noFallback: noFallback)
            return SemanticClient(configuration: configuration, logger: makeLogger(verbose: verbose))
        } catch {
            throw CommandFailure(error.description, hint: "see `semctl help embed` for the flags and variables", exitCode: 2)
        }
    }
}

/// Debug records of the client on stderr with -v; nothing otherwise.
func makeLogger(verbose: Bool) -> Logger {
    guard verbose else { return Logger(label: "semctl", factory: { _ in SwiftLogNoOpLogHandler() }) }
    var logger = Logger(label: "semctl", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = .debug
    return logger
}

/// Writes one line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension CommandFailure {
    /// The failure to show for a client error.
    init(_ error: ClientError, socket: String) {
        switch error {
        case .unavailable(let message):
            self.init(message, hint: "start a daemon with `semctl start`, or leave out --no-fallback to compute in-process",
                      exitCode: daemonUnavailableExitCode)
        case .timeout(let message):
            self.init(message, hint: "the daemon may be overloaded; see `semctl status` and `semctl logs`")
        case .daemon(let code, let message, _, _):
            self.init("the daemon refused: \(message) (\(code.rawValue))",
                      hint: code == .modelNotFound ? "see `semctl models list`" : "see `semctl logs`")
        case .protocolViolation, .invalidAnswer:
            self.init(error.description, hint: "is \(socket) a semd socket? `semctl restart` starts a fresh daemon")
        case .invalidRequest(let message):
            // A refusal that names its own remedy (an empty text, a missing index directory) needs no hint.
            let aboutModels = message.contains("model") || message.hasPrefix("dims")
            self.init(message, hint: aboutModels ? "see `semctl models list` for model names and dimensions" : nil, exitCode: 2)
        case .engine(let message):
            self.init(message, hint: "check the model with `semctl models verify`")
        case .textTooLong:
            self.init(error.description, hint: "leave out --no-truncate to cut it at the limit; "
                + "`semctl tokenize` shows where it is cut", exitCode: 2)
        }
    }
}

/// Milliseconds of a duration, as a number for JSON.
func milliseconds(_ duration: Duration) -> Double {
    let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    return (value * 100).rounded() / 100
}

/// "3.2 ms", "1.25 s".
func formatted(_ duration: Duration) -> String {
    let value = milliseconds(duration)
    return value < 1000 ? String(format: "%.1f ms", value) : String(format: "%.2f s", value / 1000)
}

/// "95.3 MiB".
func formattedBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

/// "1h 02m 03s".
func formattedUptime(_ seconds: UInt64) -> String {
    let days = seconds / 86_400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, rest = seconds % 60
    if days > 0 { return "\(days)d \(hours)h \(String(format: "%02d", minutes))m" }
    if hours > 0 { return "\(hours)h \(String(format: "%02d", minutes))m \(String(format: "%02d", rest))s" }
    if minutes > 0 { return "\(minutes)m \(String(format: "%02d", rest))s" }
    return "\(rest)s"
}

/// Lines of standard input (without line ends; a final empty line is dropped).
func readStandardInputLines() -> [String] {
    let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
        line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
}

/// Reports progress on stderr as a one-line bar, only when stderr is a terminal and the input is long.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let start = ContinuousClock.now
    private let lock = NSLock()

    init(label: String, total: Int, threshold: Int) {
        self.label = label
        enabled = total > threshold && isatty(STDERR_FILENO) == 1
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        lock.withLock {
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "")
                + String(repeating: " ", count: max(0, width - filled - 1))
            let line = "\r[\(bar)] \(done)/\(total) \(label)  \(formatted(ContinuousClock.now - start))\u{1B}[K"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// "served by daemon at SOCKET in 3.1 ms" or "served in-process (no daemon, spawn disabled) in 150 ms".
func servedByLine(_ servedBy: ServedBy, socket: String, elapsed: Duration) -> String {
    switch servedBy {
    case .daemon: return "served by daemon at \(socket) in \(formatted(elapsed))"
    case .inProcess(let reason): return "served in-process (\(reason)) in \(formatted(elapsed))"
    }
}
