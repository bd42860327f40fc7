// The one way tests poll: for a condition that no event announces (another process's state, a file
// another process writes, a counter of code that exposes no callback), checked again and again until it
// holds or a deadline passes, and then a `PollTimeout` that says what was awaited, for how long, and
// where. Never use it to wait for time to pass: a test that needs "later" waits for the event that
// makes it later. Whatever can announce itself (a log line, a continuation, a semaphore) is waited for
// with that instead (see `CapturedLog.waitUntil`).
import Foundation

/// A polled condition did not hold before its deadline.
public struct PollTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public let location: String
    /// What the test knows that may explain it (a daemon's log, a process's stderr).
    public let detail: String

    public init(what: String, timeout: Duration, location: String, detail: String = "") {
        self.what = what
        self.timeout = timeout
        self.location = location
        self.detail = detail
    }

    public var description: String {
        "\(what) did not happen within \(timeout) (awaited at \(location))" + (detail.isEmpty ? "" : "\n\(detail)")
    }
}

public enum Poll {
    /// How often a condition is checked unless a caller says otherwise.
    public static let defaultInterval: Duration = .milliseconds(10)

    /// Waits until `condition` holds, sleeping between checks (the task holds no thread meanwhile);
    /// throws `PollTimeout` naming `what` after `timeout`. An error `condition` throws ends the wait.
    public static func until(_ what: String, within timeout: Duration, every interval: Duration = defaultInterval,
                             fileID: String = #fileID, line: Int = #line,
                             _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw PollTimeout(what: what, timeout: timeout, location: "\(fileID):\(line)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Whether `condition` came to hold within `timeout` (for an `#expect` with its own message).
    public static func holds(within timeout: Duration, every interval: Duration = defaultInterval,
                             _ condition: () async throws -> Bool) async -> Bool {
        (try? await until("the condition", within: timeout, every: interval, condition)) != nil
    }

    /// `until` for a thread of its own (inside `offPool`, or a synchronous test): blocks the thread.
    public static func blockUntil(_ what: String, within timeout: Duration, every interval: Duration = defaultInterval,
                                  fileID: String = #fileID, line: Int = #line,
                                  _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                throw PollTimeout(what: what, timeout: timeout, location: "\(fileID):\(line)")
            }
            Thread.sleep(forTimeInterval: interval.timeInterval)
        }
    }

    /// `holds` for a thread of its own: blocks the thread.
    public static func blockUntilHolds(within timeout: Duration, every interval: Duration = defaultInterval,
                                       _ condition: () throws -> Bool) -> Bool {
        (try? blockUntil("the condition", within: timeout, every: interval, condition)) != nil
    }
}

/// Polls an in-process condition for up to fifteen minutes: in a full test run, long synchronous
/// engine tests can hold both threads of the concurrency pool for minutes on a 2-core machine, and
/// the polling task with them (over ten minutes under AddressSanitizer, `make test-asan`). Ends as
/// soon as the condition holds.
public func eventually(_ what: String = "the condition", within timeout: Duration = .seconds(900),
                       fileID: String = #fileID, line: Int = #line, _ condition: () throws -> Bool) async throws {
    try await Poll.until(what, within: timeout, every: .milliseconds(2), fileID: fileID, line: line, condition)
}

extension Duration {
    /// The duration in seconds, for APIs that take a TimeInterval.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
