// Replacing the running executable with a fresh copy of itself under a changed environment (used to
// load OpenBLAS with the right kernel, which can only be chosen before the library loads).
// Only executables call this; library code never replaces or exits the process.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum ProcessRestart {
    /// Re-executes this program with the same arguments and `environment`. Returns only if exec
    /// failed (the caller then simply goes on in the current process).
    public static func replaceProcess(environment: [String: String]) {
        #if os(Linux)
        let executable = "/proc/self/exe"
        #else
        let executable = CommandLine.arguments[0]
        #endif
        var arguments: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        var variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") }
        variables.append(nil)
        execve(executable, arguments, variables)
        for pointer in arguments { free(pointer) }
        for pointer in variables { free(pointer) }
    }
}
