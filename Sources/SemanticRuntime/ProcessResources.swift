// Resident memory of this process (Linux: /proc/self/statm; macOS: Mach's task_info, a path no machine
// of this project has built or run; elsewhere the peak from getrusage). Read-only; never fails (0 when
// unknown).
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
        #elseif os(macOS)
        return machResidentBytes() ?? peakResidentBytes()
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

    #if os(macOS)
    /// The current resident size from Mach (`MACH_TASK_BASIC_INFO`), nil when the kernel refuses.
    private static func machResidentBytes() -> UInt64? {
        var info = mach_task_basic_info()
        var count = mach_msg_type_number_t(MemoryLayout<mach_task_basic_info>.size / MemoryLayout<natural_t>.size)
        let result = withUnsafeMutablePointer(to: &info) { pointer in
            pointer.withMemoryRebound(to: integer_t.self, capacity: Int(count)) { words in
                task_info(mach_task_self_, task_flavor_t(MACH_TASK_BASIC_INFO), words, &count)
            }
        }
        return result == KERN_SUCCESS ? UInt64(info.resident_size) : nil
    }
    #endif
}
