// Warnings that can repeat without bound (refused connections, other users' connections, malformed or
// oversized frames, timed-out requests), kept to a few lines: the first of a kind after a quiet spell
// is logged as it happens, with its detail; the ones after it are only counted, and once `interval` has
// passed since that line one summary line says how many there were ("refused 12,345 connections over
// the connection limit on the cass socket in the last 10 s"), and so on every interval while they go
// on. A storm of any kind therefore writes about one line per interval per kind and place (a socket). No event is lost from the count: each
// is in a detail line or a summary. Never formats the detail of an event it only counts.
import Foundation
import Logging
import Synchronization

public final class RepeatedWarnings: Sendable {
    public enum Kind: Int, CaseIterable, Sendable {
        /// A connection over the connection limit, answered Overloaded.
        case refusedConnection
        /// A connection from another user, closed unread.
        case refusedPeer
        /// A frame over the size limit (its connection closed).
        case oversizedFrame
        /// A first frame that is neither a cass nor an xf envelope.
        case unrecognisedFrame
        /// A request answered with a Timeout.
        case timedOutRequest

        /// What a summary of `count` events says happened.
        func summary(_ count: Int) -> String {
            let number = RepeatedWarnings.grouped(count)
            switch self {
            case .refusedConnection: return "refused \(number) connection\(count == 1 ? "" : "s") over the connection limit"
            case .refusedPeer: return "closed \(number) connection\(count == 1 ? "" : "s") of other users unread"
            case .oversizedFrame: return "closed \(number) connection\(count == 1 ? "" : "s") that sent a frame over the size limit"
            case .unrecognisedFrame: return "answered \(number) first frame\(count == 1 ? "" : "s") that were neither a cass nor an xf envelope as cass"
            case .timedOutRequest: return "answered \(number) request\(count == 1 ? "" : "s") with a Timeout"
            }
        }

        /// The level its lines are logged at.
        var level: Logger.Level { self == .refusedPeer ? .info : .warning }
    }

    /// Per kind and place: when its current interval began (nil: quiet) and the events counted since.
    private struct Interval {
        var began: ContinuousClock.Instant?
        var counted = 0
    }

    /// A kind of warning at one place ("the cass socket"; "" when the kind says enough).
    private struct Source: Hashable {
        let kind: Kind
        let place: String
    }

    private let intervals = Mutex([Source: Interval]())
    private let logger: Logger
    /// The longest a counted event waits before a summary line reports it.
    public let interval: Duration

    public init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// One event of `kind` at `place` (each place has its own interval): logged with `detail` when
    /// quiet, else counted, and summarised now, with this one, when the interval has passed.
    public func record(_ kind: Kind, at place: String = "", now: ContinuousClock.Instant = .now,
                       _ detail: @autoclosure () -> String) {
        let source = Source(kind: kind, place: place)
        switch decide(source, now: now) {
        case .count: return
        case .logDetail: logger.log(level: kind.level, "\(detail())")
        case .summarise(let count, let over): log(source, count: count, over: over)
        }
    }

    private enum Decision {
        case count
        case logDetail
        case summarise(count: Int, over: Duration)
    }

    private func decide(_ source: Source, now: ContinuousClock.Instant) -> Decision {
        intervals.withLock { intervals in
            guard let began = intervals[source]?.began else {
                intervals[source] = Interval(began: now, counted: 0)
                return .logDetail
            }
            let counted = intervals[source, default: Interval()].counted + 1
            guard now - began >= interval else {
                intervals[source]?.counted = counted
                return .count
            }
            intervals[source] = Interval(began: now, counted: 0)
            return .summarise(count: counted, over: now - began)
        }
    }

    /// Writes the summary of every kind whose interval has passed with events counted; one whose
    /// interval passed without any becomes quiet (its next event is logged in full). Called
    /// periodically (DaemonServer does, every second).
    public func flush(now: ContinuousClock.Instant = .now) {
        let due = intervals.withLock { intervals -> [(Source, Int, Duration)] in
            var due: [(Source, Int, Duration)] = []
            for (source, entry) in intervals {
                guard let began = entry.began, now - began >= interval else { continue }
                if entry.counted > 0 {
                    due.append((source, entry.counted, now - began))
                    intervals[source] = Interval(began: now, counted: 0)
                } else {
                    intervals[source] = nil
                }
            }
            return due
        }
        for (source, count, over) in due { log(source, count: count, over: over) }
    }

    /// Writes every pending count now, whatever the interval (when the daemon stops).
    public func flushAll(now: ContinuousClock.Instant = .now) {
        let due = intervals.withLock { intervals -> [(Source, Int, Duration)] in
            defer { intervals = [:] }
            return intervals.compactMap { source, entry in
                guard let began = entry.began, entry.counted > 0 else { return nil }
                return (source, entry.counted, now - began)
            }
        }
        for (source, count, over) in due { log(source, count: count, over: over) }
    }

    private func log(_ source: Source, count: Int, over: Duration) {
        let place = source.place.isEmpty ? "" : " on the \(source.place)"
        logger.log(level: source.kind.level, "\(source.kind.summary(count))\(place) in the last \(Self.seconds(over))")
    }

    /// "10 s", "0.2 s": whole seconds from 10 s up, one decimal below.
    static func seconds(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return seconds >= 10 ? "\(Int(seconds.rounded())) s" : String(format: "%.1f s", seconds)
    }

    /// 12345 as "12,345".
    static func grouped(_ count: Int) -> String {
        let digits = String(count.magnitude)
        var output = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { output.append(",") }
            output.append(digit)
        }
        return count < 0 ? "-" + output : output
    }
}
