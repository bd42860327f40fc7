// Kernel selection from CPU flags, when OpenBLAS is switched to another kernel, and the switch itself.
import Foundation
import Testing
@testable import SemanticCore

@Suite struct BLASKernelSelectionTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"]

    @Test func preferredKernelFollowsTheInstructionSet() {
        #expect(BLASKernelSelection.preferredCoreType(cpuFlags: avx512.union(["avx512_bf16"])) == "Cooperlake")
        #expect(BLASKernelSelection.preferredCoreType(cpuFlags: avx512) == "SkylakeX")
        #expect(BLASKernelSelection.preferredCoreType(cpuFlags: ["avx2", "fma", "avx"]) == "Haswell")
        #expect(BLASKernelSelection.preferredCoreType(cpuFlags: ["sse3", "avx"]) == nil)
        #expect(BLASKernelSelection.preferredCoreType(cpuFlags: nil) == nil)
    }

    @Test func aGenericFallbackOnAModernCPUIsSwitchedToItsOwnKernel() {
        #expect(BLASKernelSelection.switchTarget(environment: ["PATH": "/bin"], coreName: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASKernelSelection.switchTarget(environment: [:], coreName: "Nehalem", cpuFlags: ["avx2", "fma"]) == "Haswell")
    }

    @Test func noSwitchWhenTheKernelIsRightOrTheUserChoseOne() {
        #expect(BLASKernelSelection.switchTarget(environment: [:], coreName: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(BLASKernelSelection.switchTarget(environment: ["OPENBLAS_CORETYPE": "Prescott"], coreName: "Prescott",
                                                 cpuFlags: avx512) == nil)
        #expect(BLASKernelSelection.switchTarget(environment: [:], coreName: "Prescott", cpuFlags: ["sse3"]) == nil)
    }

    /// On a CPU this OpenBLAS does not know (it then loads Prescott), this process runs the CPU's own
    /// kernel once the selection has run; elsewhere the kernel OpenBLAS chose is left alone.
    @Test func thisProcessRunsTheKernelItsCPUSupports() {
        BLASKernelSelection.ensureSelected()
        switch BLASKernelSelection.outcome {
        case .stayed(let from, let wanted):
            Issue.record("OpenBLAS stayed on \(from), wanted \(wanted)")
        case .switched(let from, let to):
            #expect(BLASKernelSelection.genericKernels.contains(from.lowercased()))
            #expect(BLASRuntime.coreName == to)
            #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == to)
        case .unchanged:
            // the user's OPENBLAS_CORETYPE wins, whatever it names
            if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
                #expect(!BLASKernelSelection.kernelIsGenericFallback())
            }
        }
    }
}
