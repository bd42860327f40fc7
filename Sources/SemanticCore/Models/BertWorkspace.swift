// Per-worker scratch memory of the BERT forward pass, and the pool that hands workspaces to concurrent
// calls. A workspace is owned by one call at a time; weights never live here, activations never live
// in the weights. Buffers grow to the largest batch seen and are reused without allocation.
import Synchronization

/// Activations of one packed batch of T tokens.
final class BertWorkspace: @unchecked Sendable {
    private(set) var tokenCapacity = 0
    private(set) var scoreCapacity = 0
    let hiddenSize: Int
    let wideSize: Int

    /// x: [T, C] hidden states, updated in place layer by layer.
    private(set) var hidden: UnsafeMutablePointer<Float>
    /// ctx: [T, C] attention context (heads side by side).
    private(set) var context: UnsafeMutablePointer<Float>
    /// qkv: [T, 3C] during attention, then h: [T, I] in the feed-forward block.
    private(set) var wide: UnsafeMutablePointer<Float>
    /// s: [workers, L·(L + 1)] attention scores and row sums, one slab per worker.
    private(set) var scores: UnsafeMutablePointer<Float>

    init(config: BertConfig) {
        hiddenSize = config.hiddenSize
        wideSize = max(3 * config.hiddenSize, config.intermediateSize)
        hidden = .allocate(capacity: 1)
        context = .allocate(capacity: 1)
        wide = .allocate(capacity: 1)
        scores = .allocate(capacity: 1)
    }

    /// Grows the buffers to hold `tokens` tokens and `workers` score slabs of `maxLength`·(`maxLength` + 1).
    func reserve(tokens: Int, maxLength: Int, workers: Int) {
        if tokens > tokenCapacity {
            for pointer in [hidden, context, wide] { pointer.deallocate() }
            hidden = .allocate(capacity: tokens * hiddenSize)
            context = .allocate(capacity: tokens * hiddenSize)
            wide = .allocate(capacity: tokens * wideSize)
            tokenCapacity = tokens
        }
        let scoreFloats = maxLength * (maxLength + 1) * workers
        if scoreFloats > scoreCapacity {
            scores.deallocate()
            scores = .allocate(capacity: scoreFloats)
            scoreCapacity = scoreFloats
        }
    }

    /// Bytes held by the buffers.
    var byteCount: Int { 4 * (tokenCapacity * (2 * hiddenSize + wideSize) + scoreCapacity) }

    deinit {
        for pointer in [hidden, context, wide, scores] { pointer.deallocate() }
    }
}

/// Idle workspaces, handed out one per concurrent call and returned afterwards.
final class WorkspacePool: Sendable {
    private let idle = Mutex<[BertWorkspace]>([])
    private let config: BertConfig
    /// Idle workspaces kept beyond this are freed on return.
    private let keepIdle: Int

    init(config: BertConfig, keepIdle: Int) {
        self.config = config
        self.keepIdle = keepIdle
    }

    func withWorkspace<R>(_ body: (BertWorkspace) throws -> R) rethrows -> R {
        let workspace = idle.withLock { $0.popLast() } ?? BertWorkspace(config: config)
        defer {
            idle.withLock { workspaces in
                if workspaces.count < keepIdle { workspaces.append(workspace) }
            }
        }
        return try body(workspace)
    }

    /// Bytes held by idle workspaces.
    var idleByteCount: Int { idle.withLock { $0.reduce(0) { $0 + $1.byteCount } } }
}
