// KP: the linear-layer products of one MiniLM layer on one thread, for 1, 10, 80, 128, 320 and 512 rows
// (one short query, eight of them batched, the panel limit, W2's groups, the largest groups): the panel
// kernel against OpenBLAS on the same
// data (SemanticCore's ProductProbe), and both against a one-thread 2048³ sgemm measured right before
// each row count, so the share of the peak is of the same moment of a shared machine.
import Foundation
import SemanticCore

/// KP's result: per row count, the layer's four products together.
struct KernelProbeResult: WorkloadResult {
    struct Entry: Codable, Sendable {
        let rows: Int
        /// The four products' FLOPs over their summed times.
        let panelGFLOPs: Double
        let openBLASGFLOPs: Double
        /// One-thread sgemm peak measured just before this row count.
        let peakGFLOPs: Double
        var panelPercent: Double { 100 * panelGFLOPs / peakGFLOPs }
        var openBLASPercent: Double { 100 * openBLASGFLOPs / peakGFLOPs }
    }
    let entries: [Entry]
    let kernel: String

    var workload: String { "KP" }
    var fields: [ReportField] {
        [ReportField("tile", text: kernel)] + entries.flatMap { entry in
            [ReportField("rows\(entry.rows)_panel_gflops", entry.panelGFLOPs),
             ReportField("rows\(entry.rows)_openblas_gflops", entry.openBLASGFLOPs),
             ReportField("rows\(entry.rows)_peak1_gflops", entry.peakGFLOPs),
             ReportField("rows\(entry.rows)_panel_percent_of_peak", entry.panelPercent)]
        }
    }
    var summary: String {
        "one thread, \(kernel) tile: " + entries.map { entry in
            String(format: "%d rows panel %.0f (%.0f%%) / OpenBLAS %.0f (%.0f%%)", entry.rows, entry.panelGFLOPs,
                   entry.panelPercent, entry.openBLASGFLOPs, entry.openBLASPercent)
        }.joined(separator: "; ") + " GFLOP/s (% of the one-thread sgemm peak beside it)"
    }
}

enum KernelProbeWorkload {
    static let rowCounts = [1, 10, 80, 128, 320, 512]

    static func run() -> KernelProbeResult {
        let entries = rowCounts.map { rows in
            let peak = SGEMMPeak.measure(threads: 1, runs: 3)
            var flops = 0.0, panelSeconds = 0.0, blasSeconds = 0.0
            for shape in ProductProbe.miniLMLayer {
                let rate = ProductProbe.measure(rows: rows, outputs: shape.outputs, inputs: shape.inputs)
                let work = 2.0 * Double(rows * shape.outputs * shape.inputs) / 1e9
                flops += work
                panelSeconds += work / rate.panelGFLOPs
                blasSeconds += work / rate.openBLASGFLOPs
            }
            return KernelProbeResult.Entry(rows: rows, panelGFLOPs: flops / panelSeconds,
                                           openBLASGFLOPs: flops / blasSeconds, peakGFLOPs: peak)
        }
        return KernelProbeResult(entries: entries, kernel: ProductProbe.tile)
    }
}
