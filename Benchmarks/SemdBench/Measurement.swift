// How semd-bench measures: medians and nearest-rank percentiles of timed runs, the machine's sgemm peak
// (a 2048³ OpenBLAS product, the ceiling the engine's products can reach), runs each paired with the
// peak measured just before it, and a child process's wall time and peak RSS. Measures only; prints
// nothing.
import CBLAS
import Foundation
import SemanticCore
import SemanticRuntime

enum Statistics {
    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    /// Nearest-rank percentile; NaN for no values.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Runs `body` `warmup` times untimed, then `runs` times; returns the durations in seconds.
    /// `pause` (untimed) before each run: calls that each follow an idle gap, as a client's do.
    static func time(runs: Int, warmup: Int = 1, pause: Duration? = nil, _ body: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try body() }
        var seconds: [Double] = []
        for _ in 0..<runs {
            if let pause { Thread.sleep(forTimeInterval: pause.seconds) }
            let start = ContinuousClock.now
            try body()
            seconds.append((ContinuousClock.now - start).seconds)
        }
        return seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

enum SGEMMPeak {
    /// GFLOP/s of a large single-precision GEMM (2048³, the best of `runs`) on `threads` OpenBLAS
    /// threads: the ceiling the engine's matmuls can reach on this machine. Leaves OpenBLAS on
    /// the thread count it found.
    static func measure(threads: Int = BLASRuntime.threads, runs: Int = 5) -> Double {
        let n = 2048
        let a = [Float](repeating: 0.5, count: n * n)
        let b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        BLASKernelSelection.ensureSelected()
        let previous = BLASRuntime.threads
        BLASRuntime.setThreads(threads)
        defer { BLASRuntime.setThreads(previous) }
        var best = 0.0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b,
                        Int32(n), 0, &c, Int32(n))
            let seconds = (ContinuousClock.now - start).seconds
            best = max(best, 2 * Double(n * n * n) / seconds / 1e9)
        }
        return best
    }

    /// Times `body` as `Statistics.time` does, measuring the sgemm peak (best of two) right before
    /// every timed run. On a shared machine the peak drifts by 2× within minutes; a share of peak is
    /// only meaningful against the peak of the same moment, so each run is divided by its own.
    /// OpenBLAS's threads spin for a while after a call, so a short rest separates the two.
    static func paired(
        runs: Int, warmup: Int = 1, threads: Int, flops: Double, _ body: () throws -> Void
    ) rethrows -> PairedRuns {
        for _ in 0..<warmup { try body() }
        var seconds: [Double] = [], peaks: [Double] = []
        var peakResident = ProcessResources.peakResidentBytes()
        for _ in 0..<runs {
            peaks.append(measure(threads: threads, runs: 2))
            // the probe's three 16 MB matrices are freed by now: keep them out of the workload's peak RSS
            resetPeakResident()
            Thread.sleep(forTimeInterval: 0.2)
            let start = ContinuousClock.now
            try body()
            seconds.append((ContinuousClock.now - start).seconds)
            peakResident = max(peakResident, ProcessResources.peakResidentBytes())
        }
        return PairedRuns(seconds: seconds, peaks: peaks, flops: flops, peakResidentBytes: peakResident)
    }

    /// Restarts the kernel's peak-RSS count from the current RSS (Linux: "5" to /proc/self/clear_refs,
    /// which getrusage's ru_maxrss reads). Elsewhere a no-op, and the probe's matrices stay counted.
    private static func resetPeakResident() {
        #if os(Linux)
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return }
        _ = write(descriptor, "5", 1)
        close(descriptor)
        #endif
    }
}

/// Timed runs of a workload, each with the sgemm peak measured just before it.
struct PairedRuns {
    let seconds: [Double]
    let peaks: [Double]
    let flops: Double
    /// The peak RSS of loading, warm-up and the timed runs, without the sgemm probe's matrices.
    let peakResidentBytes: UInt64

    var medianSeconds: Double { Statistics.median(seconds) }

    /// The FLOP rate of the median run against the peaks measured beside the runs.
    var rate: FLOPRate {
        FLOPRate(gflops: flops / medianSeconds / 1e9,
                 percentOfPeak: Statistics.median(zip(seconds, peaks).map { 100 * flops / $0 / 1e9 / $1 }),
                 sgemmPeakGFLOPs: Statistics.median(peaks))
    }

    /// The workload's peak RSS in MB, counting also what ran after the last timed run.
    var peakResidentMegabytes: Double {
        Double(max(peakResidentBytes, ProcessResources.peakResidentBytes())) / 1_048_576
    }
}

/// Wall time and peak RSS of a finished child process, and what it printed.
struct ChildRun {
    let status: Int32
    let standardOutput: String
    let standardError: String
    let wallSeconds: Double
    /// The largest peak RSS among the children waited for so far (this one included).
    let peakResidentMegabytes: Double

    /// Runs this executable with `arguments` and waits for it.
    static func runSelf(_ arguments: [String]) throws -> ChildRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let start = ContinuousClock.now
        try process.run()
        // stderr is read on another thread so neither pipe can fill while the other is read
        let errorData = ErrorCollector(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let wall = (ContinuousClock.now - start).seconds
        return ChildRun(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                        standardError: String(decoding: errorData.wait(), as: UTF8.self), wallSeconds: wall,
                        peakResidentMegabytes: childrenPeakResidentMegabytes())
    }

    /// Reads a pipe to its end on a thread of its own.
    private final class ErrorCollector: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }

    private static func childrenPeakResidentMegabytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_CHILDREN, &usage)
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }
}
