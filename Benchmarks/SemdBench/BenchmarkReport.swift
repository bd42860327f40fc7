// What `semd-bench bench` reports: each workload's typed result (WorkloadResult), one row per workload
// with the machine's context (the sgemm peak at the start, the OpenBLAS kernel, the thread count), as a
// JSON line of ordered fields or as a row of the table. Formats only: it measures nothing.
import Foundation

/// One value of a report line.
enum ReportValue: Equatable {
    case text(String)
    case number(Double)
    case count(Int)
}

/// One named value of a report line, in the order a reader expects.
struct ReportField: Equatable {
    let key: String
    let value: ReportValue

    init(_ key: String, _ value: Double) { (self.key, self.value) = (key, .number(value)) }
    init(_ key: String, count: Int) { (self.key, self.value) = (key, .count(count)) }
    init(_ key: String, text: String) { (self.key, self.value) = (key, .text(text)) }
}

/// A workload's FLOP rate: GFLOP/s, and its share of the sgemm peak when that was measured beside
/// every run (`SGEMMPeak.paired`); without it the row sets the rate against the peak at the start.
struct FLOPRate: Codable, Equatable {
    let gflops: Double
    let percentOfPeak: Double?
    let sgemmPeakGFLOPs: Double?

    /// `gflops`, `percent_of_peak` and `sgemm_peak_gflops` as far as they are known here.
    var fields: [ReportField] {
        [ReportField("gflops", gflops)] + [percentOfPeak.map { ReportField("percent_of_peak", $0) },
                                           sgemmPeakGFLOPs.map { ReportField("sgemm_peak_gflops", $0) }].compactMap { $0 }
    }
}

/// What one workload measured. Codable so a child process can hand it to its parent whole.
protocol WorkloadResult: Codable, Sendable {
    /// The workload's name in the report: W1, W2, …, C8, MP.
    var workload: String { get }
    /// The workload's own fields, after `workload`, in report order.
    var fields: [ReportField] { get }
    /// The RESULT cell of the table.
    var summary: String { get }
    var tokensPerSecond: Double? { get }
    var rate: FLOPRate? { get }
    var peakResidentMegabytes: Double? { get }
}

extension WorkloadResult {
    var tokensPerSecond: Double? { nil }
    var rate: FLOPRate? { nil }
    var peakResidentMegabytes: Double? { nil }
}

/// One workload's result in the context of the whole run.
struct BenchmarkRow {
    let result: any WorkloadResult
    /// The sgemm peak measured when the run started (GFLOP/s).
    let startPeak: Double
    let kernel: String
    let threads: Int

    /// The result's own share of peak, else its rate against the peak at the start.
    var percentOfPeak: Double? { result.rate.map { $0.percentOfPeak ?? 100 * $0.gflops / startPeak } }
    /// The peak the result was measured against.
    var sgemmPeak: Double { result.rate?.sgemmPeakGFLOPs ?? startPeak }

    var fields: [ReportField] {
        var fields = [ReportField("workload", text: result.workload)] + result.fields
        if let rate = result.rate, rate.percentOfPeak == nil {
            fields.append(ReportField("percent_of_peak", 100 * rate.gflops / startPeak))
        }
        if result.rate?.sgemmPeakGFLOPs == nil { fields.append(ReportField("sgemm_peak_gflops", startPeak)) }
        fields.append(ReportField("kernel", text: kernel))
        fields.append(ReportField("threads", count: threads))
        return fields
    }

    /// The row as one compact JSON object (`ReportField.jsonObject`).
    var jsonLine: String { ReportField.jsonObject(fields) }

    /// The table's cells: WORKLOAD, RESULT, TOKENS/S, GFLOP/S, % PEAK, PEAK, PEAK RSS.
    var cells: [String] {
        [result.workload, result.summary, cell(result.tokensPerSecond, "%.0f"), cell(result.rate?.gflops, "%.1f"),
         cell(percentOfPeak, "%.0f%%"), result.rate == nil ? "" : cell(sgemmPeak, "%.0f"),
         cell(result.peakResidentMegabytes, "%.0f MB")]
    }

    static let columns = ["WORKLOAD", "RESULT", "TOKENS/S", "GFLOP/S", "% PEAK", "PEAK", "PEAK RSS"]

    private func cell(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "" }
}

extension ReportField {
    /// `fields` as one compact JSON object, keys in report order, numbers in their shortest round-trip
    /// form, a number that is not finite as null.
    static func jsonObject(_ fields: [ReportField]) -> String {
        "{" + fields.map { field in
            let value: String
            switch field.value {
            case .text(let text): value = quoted(text)
            case .number(let number): value = number.isFinite ? "\(number)" : "null"
            case .count(let count): value = String(count)
            }
            return quoted(field.key) + ": " + value
        }.joined(separator: ", ") + "}"
    }

    private static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 { output += String(format: "\\u%04x", scalar.value) } else { output.unicodeScalars.append(scalar) }
            }
        }
        return output + "\""
    }
}

/// Plain-text tables: columns padded to their widest cell, the chosen ones right-aligned.
struct TextTable {
    let columns: [String]
    let rightAligned: Set<Int>
    private var rows: [[String]] = []

    init(columns: [String], rightAligned: Set<Int> = []) {
        self.columns = columns
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                if index == cells.count - 1 && !rightAligned.contains(index) { return cell }
                return rightAligned.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        return ([line(columns)] + rows.map(line)).joined(separator: "\n")
    }
}
