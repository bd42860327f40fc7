// How an engine instance runs: its thread count and how many tokens one packed batch may hold.
// A documented Sendable value with defaults; the daemon and the CLI build it from flags in one place.
import Foundation

public struct EngineConfiguration: Sendable, Equatable {
    /// Threads one inference call spreads its work over. Default: every active core.
    ///
    /// The engine parallelises itself (groups of sequences, or slices of each product for small
    /// batches) and sets OpenBLAS to one thread per call (process-wide, at load and before each
    /// forward pass), so `threads` is the whole budget of a call; concurrent calls each use up to
    /// `threads`.
    public var threads: Int
    /// Upper bound on the tokens of one packed batch. Longer inputs are cut into batches in arrival
    /// order. This bounds a call's scratch memory: 4·C bytes per token of the batch for its hidden states
    /// plus, per thread, the activations of one group of at most 512 tokens (≈ 4 MB for a 384-wide
    /// model); a batch too small to split into groups (e.g. one long text) instead uses ≈ 24·C bytes per
    /// token. A single sequence longer than the budget still runs, alone.
    public var tokensPerBatch: Int

    public init(threads: Int? = nil, tokensPerBatch: Int = 4096) {
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.tokensPerBatch = max(1, tokensPerBatch)
    }
}
