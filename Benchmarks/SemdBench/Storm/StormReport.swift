// What `semd-bench storm` measured, and its verdict: the served clients' texts/s without and with the
// storm in the same run, semd's CPU, the machine's load from everyone else, the log lines semd wrote,
// the storm's refusals, and whether semd was alive and answering at the end. The verdict fails when
// the served throughput under the storm falls below `minimumRatio` of the storm-free figure, when
// semd died or stopped answering, when more than `maximumLogLines` lines per 15 s were written during
// the storm, when a served client got an error, or when the storm clients were never refused (no
// storm took place). Formats and judges only: it measures nothing.
import Foundation

/// What happened during one phase (summed over the rounds).
struct StormPhase: Equatable {
    var seconds: Double = 0
    /// Embed requests the served clients completed, and the texts embedded in them.
    var servedRequests = 0
    var servedTexts = 0
    /// Error answers or broken connections the served clients saw.
    var servedErrors = 0
    /// Connections the storm clients opened that were answered with Overloaded.
    var refusals = 0
    /// Storm connections that were served instead (a slot was free).
    var stormServed = 0
    /// Storm connections that failed (could not connect, closed without an answer).
    var stormFailures = 0
    /// CPU time, in clock ticks: semd's, this benchmark's, and the whole machine's busy and total.
    var semdTicks: UInt64 = 0
    var benchTicks: UInt64 = 0
    var machineBusyTicks: UInt64 = 0
    var machineTotalTicks: UInt64 = 0
    /// Lines semd's log gained.
    var logLines = 0

    var textsPerSecond: Double { seconds > 0 ? Double(servedTexts) / seconds : 0 }

    static func + (left: StormPhase, right: StormPhase) -> StormPhase {
        StormPhase(seconds: left.seconds + right.seconds, servedRequests: left.servedRequests + right.servedRequests,
                   servedTexts: left.servedTexts + right.servedTexts, servedErrors: left.servedErrors + right.servedErrors,
                   refusals: left.refusals + right.refusals, stormServed: left.stormServed + right.stormServed,
                   stormFailures: left.stormFailures + right.stormFailures, semdTicks: left.semdTicks + right.semdTicks,
                   benchTicks: left.benchTicks + right.benchTicks,
                   machineBusyTicks: left.machineBusyTicks + right.machineBusyTicks,
                   machineTotalTicks: left.machineTotalTicks + right.machineTotalTicks, logLines: left.logLines + right.logLines)
    }
}

/// The run's shape: what was asked of the clients and the bars the verdict uses.
struct StormSetup: Equatable {
    var servedClients = 16
    var stormClients = 8
    var textsPerRequest = 8
    var phaseSeconds = 15.0
    var rounds = 1
    var maxConnections = 16
    var minimumRatio = 0.70
    /// Log lines allowed per 15 s of storm.
    var maximumLogLines = 100
    var cores = 2
    var ticksPerSecond = 100
    /// The machine's 1-minute load average when the run started.
    var loadAverage = 0.0
}

struct StormReport {
    let setup: StormSetup
    let quiet: StormPhase
    let storm: StormPhase
    /// Why semd is not alive and answering at the end (nil: it is).
    let daemonFailure: String?
    /// The first error a served client saw, and the first storm connection failure, for the report.
    let firstServedError: String?
    let firstStormFailure: String?

    /// Served texts/s under the storm as a share of the storm-free figure.
    var ratio: Double { quiet.textsPerSecond > 0 ? storm.textsPerSecond / quiet.textsPerSecond : 0 }

    /// Log lines written during the storm, scaled to 15 s.
    var logLinesPer15Seconds: Double { storm.seconds > 0 ? Double(storm.logLines) * 15 / storm.seconds : 0 }

    /// A phase's CPU as a percentage of one core (200% = both cores of two).
    func percentOfOneCore(_ ticks: UInt64, _ phase: StormPhase) -> Double {
        phase.seconds > 0 ? Double(ticks) / Double(setup.ticksPerSecond) / phase.seconds * 100 : 0
    }

    /// The machine's busy share during a phase, of all its cores, in percent.
    func machineBusyPercent(_ phase: StormPhase) -> Double {
        phase.machineTotalTicks > 0 ? Double(phase.machineBusyTicks) / Double(phase.machineTotalTicks) * 100 : 0
    }

    /// CPU the rest of the machine (not semd, not this benchmark) used during a phase, in percent of one core.
    func othersPercentOfOneCore(_ phase: StormPhase) -> Double {
        let others = Int64(phase.machineBusyTicks) - Int64(phase.semdTicks) - Int64(phase.benchTicks)
        return percentOfOneCore(UInt64(max(0, others)), phase)
    }

    /// Every reason the run fails; empty when it passes.
    var failures: [String] {
        var reasons: [String] = []
        if ratio < setup.minimumRatio {
            reasons.append(String(format: "served throughput under the storm is %.2f× the storm-free figure (at least %.2f× required)",
                                  ratio, setup.minimumRatio))
        }
        if let daemonFailure { reasons.append("semd: \(daemonFailure)") }
        if logLinesPer15Seconds > Double(setup.maximumLogLines) {
            reasons.append(String(format: "%d log lines in %.0f s of storm (%.0f per 15 s; at most %d)", storm.logLines,
                                  storm.seconds, logLinesPer15Seconds, setup.maximumLogLines))
        }
        let servedErrors = quiet.servedErrors + storm.servedErrors
        if servedErrors > 0 {
            reasons.append("\(servedErrors) served requests failed" + (firstServedError.map { ", the first: \($0)" } ?? ""))
        }
        if storm.refusals == 0 {
            reasons.append("the storm clients were never refused, so there was no storm"
                           + (firstStormFailure.map { " (their first failure: \($0))" } ?? ""))
        }
        return reasons
    }

    var passed: Bool { failures.isEmpty }

    var fields: [ReportField] {
        [ReportField("workload", text: "storm"),
         ReportField("served_clients", count: setup.servedClients), ReportField("storm_clients", count: setup.stormClients),
         ReportField("texts_per_request", count: setup.textsPerRequest), ReportField("max_connections", count: setup.maxConnections),
         ReportField("phase_seconds", setup.phaseSeconds), ReportField("rounds", count: setup.rounds),
         ReportField("quiet_texts_per_s", quiet.textsPerSecond), ReportField("storm_texts_per_s", storm.textsPerSecond),
         ReportField("ratio", ratio),
         ReportField("quiet_semd_cpu_ticks", count: Int(quiet.semdTicks)), ReportField("storm_semd_cpu_ticks", count: Int(storm.semdTicks)),
         ReportField("quiet_semd_cpu_percent", percentOfOneCore(quiet.semdTicks, quiet)),
         ReportField("storm_semd_cpu_percent", percentOfOneCore(storm.semdTicks, storm)),
         ReportField("storm_bench_cpu_percent", percentOfOneCore(storm.benchTicks, storm)),
         ReportField("quiet_others_cpu_percent", othersPercentOfOneCore(quiet)),
         ReportField("storm_others_cpu_percent", othersPercentOfOneCore(storm)),
         ReportField("quiet_machine_busy_percent", machineBusyPercent(quiet)),
         ReportField("storm_machine_busy_percent", machineBusyPercent(storm)),
         ReportField("load_average_at_start", setup.loadAverage),
         ReportField("refusals", count: storm.refusals), ReportField("refusals_per_s", storm.seconds > 0 ? Double(storm.refusals) / storm.seconds : 0),
         ReportField("storm_served", count: storm.stormServed), ReportField("storm_failures", count: storm.stormFailures),
         ReportField("served_errors", count: quiet.servedErrors + storm.servedErrors),
         ReportField("quiet_log_lines", count: quiet.logLines), ReportField("storm_log_lines", count: storm.logLines),
         ReportField("daemon_alive", text: daemonFailure == nil ? "yes" : "no"),
         ReportField("cores", count: setup.cores), ReportField("passed", text: passed ? "yes" : "no")]
    }

    var jsonLine: String { ReportField.jsonObject(fields) }

    func text() -> String {
        func grouped(_ value: Int) -> String { value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) }
        var table = TextTable(columns: ["PHASE", "SERVED TEXTS/S", "REQUESTS", "SEMD CPU", "OTHERS' CPU", "LOG LINES", "REFUSALS"],
                              rightAligned: [1, 2, 3, 4, 5, 6])
        for (name, phase) in [("storm-free", quiet), ("storm", storm)] {
            table.add([name, String(format: "%.1f", phase.textsPerSecond), grouped(phase.servedRequests),
                       String(format: "%.0f%%", percentOfOneCore(phase.semdTicks, phase)),
                       String(format: "%.0f%%", othersPercentOfOneCore(phase)), grouped(phase.logLines),
                       phase.refusals == 0 ? "-" : "\(grouped(phase.refusals)) (\(String(format: "%.0f", Double(phase.refusals) / phase.seconds))/s)"])
        }
        var lines = ["storm: \(setup.servedClients) served clients × \(setup.textsPerRequest) texts per Embed; "
                     + "\(setup.stormClients) storm clients reconnecting without backoff after every refusal; "
                     + "--max-connections \(setup.maxConnections); \(setup.rounds) × (\(Int(setup.phaseSeconds)) s storm-free + "
                     + "\(Int(setup.phaseSeconds)) s storm)",
                     table.render(),
                     String(format: "served throughput under the storm: %.2f× the storm-free figure (at least %.2f×); "
                            + "log lines %.0f per 15 s of storm (at most %d); semd %@",
                            ratio, setup.minimumRatio, logLinesPer15Seconds, setup.maximumLogLines,
                            daemonFailure == nil ? "alive and answering" : "NOT alive"),
                     String(format: "machine: %d cores, load average %.2f at the start; busy %.0f%% storm-free, %.0f%% during the storm "
                            + "(CPU columns: %% of one core; the benchmark's own clients used %.0f%% during the storm)",
                            setup.cores, setup.loadAverage, machineBusyPercent(quiet), machineBusyPercent(storm),
                            percentOfOneCore(storm.benchTicks, storm))]
        if storm.stormServed > 0 || storm.stormFailures > 0 {
            lines.append("storm connections served: \(storm.stormServed); failed: \(storm.stormFailures)"
                         + (firstStormFailure.map { " (first: \($0))" } ?? ""))
        }
        for failure in failures { lines.append("FAIL: \(failure)") }
        lines.append(passed ? "storm: PASS" : "storm: FAIL")
        return lines.joined(separator: "\n")
    }
}
