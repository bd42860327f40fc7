// What `semd-bench soak` measured: every request's outcome from every worker, semd's RSS sampled once a
// second, folded into windows (requests, errors, p50/p99 latency, RSS at the window's end) and a
// verdict. The verdict fails on any error answer to a well-formed request and on RSS growth after
// warm-up above the limit; the RSS at start, middle and end are medians of the samples in the 5 s
// before each point, so one allocator burst does not decide it.
import Foundation

/// One finished request or hostile action, as a worker reported it.
struct SoakEvent {
    enum Kind { case ok, error, hostile }
    let kind: Kind
    let role: String
    let time: Double          // seconds since the end of warm-up (negative during warm-up)
    let latencyMilliseconds: Double
    let message: String
}

final class SoakLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SoakEvent] = []
    private var rss: [(time: Double, bytes: UInt64)] = []
    private var unreadable: [String] = []

    func add(line: String, measuredFrom origin: Date) {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let epochMilliseconds = Double(parts[2]) else {
            lock.withLock { unreadable.append(line) }
            return
        }
        let time = epochMilliseconds / 1000 - origin.timeIntervalSince1970
        let event: SoakEvent
        switch parts[0] {
        case "ok": event = SoakEvent(kind: .ok, role: parts[1], time: time, latencyMilliseconds: Double(parts[3]) ?? .nan, message: "")
        case "error": event = SoakEvent(kind: .error, role: parts[1], time: time, latencyMilliseconds: .nan, message: parts[3])
        case "hostile": event = SoakEvent(kind: .hostile, role: parts[1], time: time, latencyMilliseconds: .nan, message: "")
        default:
            lock.withLock { unreadable.append(line) }
            return
        }
        lock.withLock { events.append(event) }
    }

    func addRSS(_ bytes: UInt64, at time: Double) { lock.withLock { rss.append((time, bytes)) } }

    var snapshot: (events: [SoakEvent], rss: [(time: Double, bytes: UInt64)], unreadable: [String]) {
        lock.withLock { (events, rss, unreadable) }
    }
}

struct SoakReport {
    let events: [SoakEvent]
    let rss: [(time: Double, bytes: UInt64)]
    let unreadable: [String]
    let seconds: Double
    let warmup: Double
    let window: Double
    let growthLimitPercent: Double
    let daemonFailure: String?

    var requests: [SoakEvent] { events.filter { $0.kind != .hostile } }
    var errors: [SoakEvent] { events.filter { $0.kind == .error } }

    /// Median RSS of the samples in the 5 s before `time`.
    func rss(before time: Double) -> UInt64? {
        let near = rss.filter { $0.time <= time && $0.time > time - 5 }.map(\.bytes).sorted()
        return near.isEmpty ? rss.last(where: { $0.time <= time })?.bytes : near[near.count / 2]
    }

    var rssStart: UInt64? { rss(before: 0) }
    var rssMiddle: UInt64? { rss(before: seconds / 2) }
    var rssEnd: UInt64? { rss(before: seconds) }
    var growthPercent: Double? {
        guard let start = rssStart, let end = rssEnd, start > 0 else { return nil }
        return (Double(end) - Double(start)) / Double(start) * 100
    }

    var passed: Bool {
        daemonFailure == nil && errors.isEmpty && unreadable.isEmpty && (growthPercent.map { $0 <= growthLimitPercent } ?? false)
    }

    func text() -> String {
        var lines: [String] = []
        let ok = requests.filter { $0.kind == .ok }
        lines.append("soak: \(Int(seconds)) s after \(Int(warmup)) s of warm-up; \(ok.count) requests served, \(errors.count) errors, "
                     + "\(events.count - requests.count) hostile actions, finished jobs and refused connections (retried)")
        var byRole: [String: (ok: Int, errors: Int, hostile: Int)] = [:]
        for event in events {
            var counts = byRole[event.role] ?? (0, 0, 0)
            switch event.kind {
            case .ok: counts.ok += 1
            case .error: counts.errors += 1
            case .hostile: counts.hostile += 1
            }
            byRole[event.role] = counts
        }
        lines.append("by role: " + byRole.keys.sorted().map { role in
            let counts = byRole[role]!
            return counts.hostile > 0 && counts.ok == 0 ? "\(role) \(counts.hostile)" : "\(role) \(counts.ok)/\(counts.errors)err"
        }.joined(separator: ", "))
        lines.append("")
        lines.append(pad(["window", "requests", "errors", "p50 ms", "p99 ms", "embed p50", "embed p99", "RSS MiB"]))
        var starts: [Double] = [-warmup]
        var start = 0.0
        while start < seconds - 0.5 { starts.append(start); start += window }
        for (index, from) in starts.enumerated() {
            let to = index == 0 ? 0 : min(from + window, seconds)
            let inWindow = requests.filter { $0.time >= from && $0.time < to }
            let latencies = inWindow.filter { $0.kind == .ok }.map(\.latencyMilliseconds)
            let embeds = inWindow.filter { $0.kind == .ok && $0.role == "cass-embed" }.map(\.latencyMilliseconds)
            let label = index == 0 ? "warm-up" : String(format: "%.0f-%.0f s", from, to)
            lines.append(pad([label, "\(latencies.count)", "\(inWindow.count - latencies.count)",
                              number(Statistics.percentile(latencies, 0.5)), number(Statistics.percentile(latencies, 0.99)),
                              number(Statistics.percentile(embeds, 0.5)), number(Statistics.percentile(embeds, 0.99)),
                              rss(before: to).map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "-"]))
        }
        lines.append("")
        func mebibytes(_ value: UInt64?) -> String { value.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "unknown" }
        lines.append("semd RSS: start (after warm-up) \(mebibytes(rssStart)), middle \(mebibytes(rssMiddle)), end \(mebibytes(rssEnd)); "
                     + "growth \(growthPercent.map { String(format: "%+.2f%%", $0) } ?? "unknown") (limit \(growthLimitPercent)%)")
        // Every kind of error with its count (numbers masked, so "request 7" and "request 9" are one
        // kind), most frequent first, each with its first occurrence.
        var kinds: [String: (count: Int, first: SoakEvent)] = [:]
        for error in errors {
            let kind = error.role + ": " + error.message.split(whereSeparator: \.isNumber).joined(separator: "#")
            if let seen = kinds[kind] { kinds[kind] = (seen.count + 1, seen.first) } else { kinds[kind] = (1, error) }
        }
        for (_, entry) in kinds.sorted(by: { $0.value.count > $1.value.count }).prefix(12) {
            lines.append("\(entry.count) × error (\(entry.first.role)), first at \(String(format: "%.1f", entry.first.time)) s: \(entry.first.message)")
        }
        for line in unreadable.prefix(5) { lines.append("unreadable worker line: \(line)") }
        if let daemonFailure { lines.append("semd: \(daemonFailure)") }
        lines.append(passed ? "soak: PASS" : "soak: FAIL")
        return lines.joined(separator: "\n")
    }

    private func number(_ value: Double) -> String { value.isNaN ? "-" : String(format: "%.1f", value) }

    private func pad(_ cells: [String]) -> String {
        let widths = [12, 9, 7, 8, 8, 10, 10, 8]
        return zip(cells, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ")
    }
}
