// Which OpenBLAS kernel this CPU should run, and switching to it when the library fell back to a
// generic one. OpenBLAS picks its kernel from the CPU model when it loads; a CPU newer than the
// installed library (e.g. a Xeon model OpenBLAS 0.3.21 does not know) gets the SSE3 "Prescott" kernel,
// several times slower than the AVX-512 or AVX2 kernel the CPU supports. A DYNAMIC_ARCH build (Debian's,
// Homebrew's) can re-run its kernel choice in place: `gotoblas_dynamic_quit` + `gotoblas_dynamic_init`
// with OPENBLAS_CORETYPE set. That happens once per process, before this module's first BLAS call
// (every product goes through `ensureSelected()`), so no call of ours can run while the kernel table
// is swapped. Reads /proc/cpuinfo.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum BLASKernelSelection {
    /// Kernels without AVX2 that OpenBLAS falls back to on CPUs it does not recognise.
    static let genericKernels: Set<String> = [
        "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "northwood", "katmai", "coppermine",
        "banias", "sandybridge", "athlon", "opteron", "barcelona",
    ]

    /// The kernel matching this CPU's instruction set: "Cooperlake" (AVX-512 with BF16), "SkylakeX"
    /// (AVX-512), "Haswell" (AVX2 + FMA), or nil when none applies or the flags cannot be read.
    public static func preferredCoreType(cpuFlags: Set<String>? = currentCPUFlags()) -> String? {
        guard let flags = cpuFlags else { return nil }
        let avx512 = ["avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"].allSatisfy(flags.contains)
        if avx512 && flags.contains("avx512_bf16") { return "Cooperlake" }
        if avx512 { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// True when OpenBLAS runs a generic kernel although the CPU supports a faster one.
    public static func kernelIsGenericFallback(coreName: String = BLASRuntime.coreName,
                                               cpuFlags: Set<String>? = currentCPUFlags()) -> Bool {
        genericKernels.contains(coreName.lowercased()) && preferredCoreType(cpuFlags: cpuFlags) != nil
    }

    /// The kernel to switch to, or nil when none is needed: the kernel is fine, or the user chose
    /// one (`OPENBLAS_CORETYPE`).
    static func switchTarget(
        environment: [String: String], coreName: String, cpuFlags: Set<String>?
    ) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, kernelIsGenericFallback(coreName: coreName, cpuFlags: cpuFlags)
        else { return nil }
        return preferredCoreType(cpuFlags: cpuFlags)
    }

    /// What the process-wide selection did.
    public enum Outcome: Equatable, Sendable {
        /// Nothing to do: the kernel suits the CPU, or the user chose one with OPENBLAS_CORETYPE.
        case unchanged
        /// OpenBLAS fell back to the generic kernel `from` and now runs `to`.
        case switched(from: String, to: String)
        /// OpenBLAS fell back to `from` and cannot switch in place (not a DYNAMIC_ARCH build, or it
        /// did not take `wanted`); set OPENBLAS_CORETYPE=`wanted` before the program starts.
        case stayed(from: String, wanted: String)

        /// One line for a log: the kernel running and how it came to be.
        public var description: String {
            switch self {
            case .unchanged: return "OpenBLAS kernel \(BLASRuntime.coreName)"
            case .switched(let from, let to):
                return "OpenBLAS kernel \(to) (OpenBLAS chose the generic \(from) for this CPU; switched in place)"
            case .stayed(let from, let wanted):
                return "OpenBLAS kernel \(from), a generic fallback: this OpenBLAS cannot switch in place; "
                    + "start with OPENBLAS_CORETYPE=\(wanted) for the CPU's own kernel"
            }
        }
    }

    /// The selection, made on first use and never again.
    public static var outcome: Outcome { selection }

    /// Makes the selection if it has not been made; a cheap check afterwards. Every BLAS call of this
    /// module runs after it, and executables call it first thing.
    @inline(__always)
    public static func ensureSelected() { _ = selection }

    private static let selection: Outcome = {
        let from = BLASRuntime.coreName
        guard let target = switchTarget(environment: ProcessInfo.processInfo.environment, coreName: from,
                                        cpuFlags: currentCPUFlags()) else { return .unchanged }
        guard let library = dlopen(nil, RTLD_NOW),
              let quitSymbol = dlsym(library, "gotoblas_dynamic_quit"),
              let initSymbol = dlsym(library, "gotoblas_dynamic_init") else { return .stayed(from: from, wanted: target) }
        typealias Entry = @convention(c) () -> Void
        // Left set, so that processes started from here (a spawned semd) load the same kernel at once.
        setenv("OPENBLAS_CORETYPE", target, 1)
        unsafeBitCast(quitSymbol, to: Entry.self)()
        unsafeBitCast(initSymbol, to: Entry.self)()
        let now = BLASRuntime.coreName
        return now.lowercased() == target.lowercased() ? .switched(from: from, to: now) : .stayed(from: now, wanted: target)
    }()

    /// The CPU feature flags of the first processor in /proc/cpuinfo (nil elsewhere).
    public static func currentCPUFlags() -> Set<String>? {
        // Read to the end: Foundation's String(contentsOfFile:) reads a /proc file (size 0) in one
        // read of at most a page, which can end before the first processor's flags line.
        guard let handle = FileHandle(forReadingAtPath: "/proc/cpuinfo"), let data = try? handle.readToEnd() else { return nil }
        try? handle.close()
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return nil
    }
}
