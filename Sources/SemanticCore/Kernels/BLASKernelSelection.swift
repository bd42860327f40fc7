// Which OpenBLAS kernel this CPU should run, and whether the library fell back to a generic one.
// OpenBLAS picks its kernel from the CPU model when it loads; a CPU newer than the installed library
// (e.g. a Xeon model OpenBLAS 0.3.21 does not know) gets the SSE3 "Prescott" kernel, several times
// slower than the AVX-512 or AVX2 kernel the CPU supports. The kernel can only be chosen before the
// library loads (OPENBLAS_CORETYPE), so executables use `reexecutionEnvironment()` to restart once
// with the right kernel. Reads /proc/cpuinfo; never changes anything itself.
import Foundation

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

    /// The environment to restart this process with so that OpenBLAS loads the right kernel, or nil
    /// when no restart is needed: the kernel is fine, the user chose one (`OPENBLAS_CORETYPE`), or a
    /// restart already happened (`SEMD_BLAS_KERNEL_SELECTED`).
    public static func reexecutionEnvironment(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        coreName: String = BLASRuntime.coreName,
        cpuFlags: Set<String>? = currentCPUFlags()
    ) -> [String: String]? {
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["SEMD_BLAS_KERNEL_SELECTED"] == nil,
              kernelIsGenericFallback(coreName: coreName, cpuFlags: cpuFlags),
              let preferred = preferredCoreType(cpuFlags: cpuFlags) else { return nil }
        var updated = environment
        updated["OPENBLAS_CORETYPE"] = preferred
        updated["SEMD_BLAS_KERNEL_SELECTED"] = "\(coreName)->\(preferred)"
        return updated
    }

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
