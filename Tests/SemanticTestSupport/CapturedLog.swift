// Every line an in-process daemon (or its HTTP listener) logs, kept for assertions and for the report
// when a test fails, and the event the in-process harness waits on: a line logged wakes every waiter,
// which checks its condition again on its own task (never inside the logging call, which may run under
// a lock of the code that logs). So "the daemon is ready" is seen the moment the daemon says anything
// after becoming ready, without a sleep. Lines at warning and above are also echoed to stderr, as a
// test daemon's logger always did. Never used for a subprocess: its log is a file (DaemonProcess).
import Foundation
import Logging
import Synchronization

public final class CapturedLog: Sendable {
    private struct State {
        var lines: [String] = []
        var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    public let label: String
    /// Lines at this level and above are echoed to stderr as well (nil: none).
    public let echoLevel: Logger.Level?

    public init(label: String = "semd-test", echoing echoLevel: Logger.Level? = .warning) {
        self.label = label
        self.echoLevel = echoLevel
    }

    /// Every line so far, as "level message" (`info listening on …`).
    public var all: [String] { state.withLock { $0.lines } }

    /// The whole log, one line each, for a failure report.
    public var text: String { all.joined(separator: "\n") }

    /// A logger writing here at `level` and above (info: the level the daemon announces its state at).
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { _ in CapturingHandler(log: self) }
        logger.logLevel = level
        return logger
    }

    public var logger: Logger { logger() }

    public func append(_ line: String, level: Logger.Level) {
        let entry = "\(level) \(line)"
        let waiters = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            state.lines.append(entry)
            return Array(state.waiters.values)
        }
        if let echoLevel, level >= echoLevel {
            FileHandle.standardError.write(Data("\(label): \(entry)\n".utf8))
        }
        for waiter in waiters { waiter.yield() }
    }

    /// Wakes every waiter to check its condition again, after a change no line announces (a daemon's
    /// task ending).
    public func recheck() {
        for waiter in state.withLock({ Array($0.waiters.values) }) { waiter.yield() }
    }

    /// Waits until `condition` holds: checked at once, then again after every line logged and every
    /// `recheck()`. Throws `PollTimeout` naming `what`, with the log, after `timeout`; an error the
    /// condition throws ends the wait.
    public func waitUntil(_ what: String, within timeout: Duration, fileID: String = #fileID, line: Int = #line,
                          _ condition: () throws -> Bool) async throws {
        let (wakeUps, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = continuation
            return state.nextWaiter
        }
        // The deadline (not a synchronisation): ends the stream, so the loop below gives up.
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            continuation.finish()
        }
        defer {
            deadline.cancel()
            _ = state.withLock { $0.waiters.removeValue(forKey: id) }
        }
        if try condition() { return }
        for await _ in wakeUps {
            if try condition() { return }
        }
        if try condition() { return }
        throw PollTimeout(what: what, timeout: timeout, location: "\(fileID):\(line)", detail: "\(label)'s log:\n\(text)")
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append("\(event.message)", level: event.level)
        }
    }
}
