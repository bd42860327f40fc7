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
    /// How the weights are held (default: a private copy, which a change to the file cannot reach).
    public var weightStorage: WeightStorage = .privateCopy
    /// Whether products of up to 512 rows may run on the panel kernel (default), whose weight panels
    /// (42.5 MB for MiniLM) are packed in the background after the first pass that can use them; `false`
    /// keeps every product on OpenBLAS and never packs (a model loaded only to be checked once).
    public var smallProductPanels = true

    public init(threads: Int? = nil, tokensPerBatch: Int = 4096) {
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.tokensPerBatch = max(1, tokensPerBatch)
    }
}

/// How a model's weights are held in memory.
public enum WeightStorage: Sendable, Equatable {
    /// Read once into private memory (`FileImage`): the file may be truncated, rewritten or replaced
    /// while the process runs without reaching it. A long-running process (the daemon) wants this.
    /// Reading costs about 60 ms for the 91 MB MiniLM on the 2-core development machine.
    case privateCopy
    /// Mapped from the file: ready in a few milliseconds, but a truncated file raises SIGBUS on the
    /// next access and a file rewritten in place changes the weights. For short-lived processes.
    case mapped
}
