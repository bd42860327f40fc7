// Kernel selection from CPU flags, and when a restart with OPENBLAS_CORETYPE is called for.
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

    @Test func aGenericFallbackOnAModernCPUAsksForARestart() {
        let environment = BLASKernelSelection.reexecutionEnvironment(environment: ["PATH": "/bin"], coreName: "Prescott",
                                                                     cpuFlags: avx512)
        #expect(environment?["OPENBLAS_CORETYPE"] == "SkylakeX")
        #expect(environment?["SEMD_BLAS_KERNEL_SELECTED"] == "Prescott->SkylakeX")
        #expect(environment?["PATH"] == "/bin")
    }

    @Test func noRestartWhenTheKernelIsRightTheUserChoseOrWeAlreadyDid() {
        #expect(BLASKernelSelection.reexecutionEnvironment(environment: [:], coreName: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(BLASKernelSelection.reexecutionEnvironment(environment: ["OPENBLAS_CORETYPE": "Prescott"],
                                                           coreName: "Prescott", cpuFlags: avx512) == nil)
        #expect(BLASKernelSelection.reexecutionEnvironment(environment: ["SEMD_BLAS_KERNEL_SELECTED": "x"],
                                                           coreName: "Prescott", cpuFlags: avx512) == nil)
        #expect(BLASKernelSelection.reexecutionEnvironment(environment: [:], coreName: "Prescott",
                                                           cpuFlags: ["sse3"]) == nil)
    }
}
