// Resident memory of this process (Linux: /proc/self/statm; elsewhere the peak from getrusage).
// Read-only; never fails (0 when unknown).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum ProcessResources {
    /// Current resident set size in bytes.
    public static func residentBytes() -> UInt64 {
        #if os(Linux)
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return 0 }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        return pages * UInt64(pageSize > 0 ? pageSize : 4096)
        #else
        return peakResidentBytes()
        #endif
    }

    /// Peak resident set size in bytes since the process started.
    public static func peakResidentBytes() -> UInt64 {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        #endif
        #if os(Linux)
        return UInt64(usage.ru_maxrss) * 1024
        #else
        return UInt64(usage.ru_maxrss)
        #endif
    }
}
