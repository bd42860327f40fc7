// How an engine instance runs: its thread count and how many tokens one packed batch may hold.
// A documented Sendable value with defaults; the daemon and the CLI build it from flags in one place.
import Foundation

public struct EngineConfiguration: Sendable, Equatable {
    /// Threads one inference call spreads its work over (GEMM slices, attention heads, element-wise
    /// passes). Default: every active core.
    public var threads: Int
    /// Upper bound on the tokens of one packed batch (a "chunk"). Longer inputs are split into chunks
    /// in arrival order, which bounds the scratch memory of a call: about 28 bytes × hidden size per token
    /// (≈ 44 MB at 4096 tokens for a 384-wide model). A single sequence longer than this still runs alone.
    public var tokensPerBatch: Int

    public init(threads: Int? = nil, tokensPerBatch: Int = 4096) {
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.tokensPerBatch = max(1, tokensPerBatch)
    }
}
