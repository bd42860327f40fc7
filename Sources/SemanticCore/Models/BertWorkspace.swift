// Scratch memory of the BERT forward pass, and the pool that hands workspaces to concurrent calls.
// A workspace is owned by one call at a time; weights never live here, activations never live in the
// weights. Buffers grow to the largest batch seen and are then reused without allocation.
import Synchronization

/// A growable float buffer owned by a workspace.
final class ScratchBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var capacity = 0

    /// Grows to at least `count` floats (contents are not kept).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        capacity = count
    }

    deinit { pointer.deallocate() }
}

/// The activations one pass over a span of T tokens works in. In the layer-parallel pass they cover a
/// whole batch; in the group-parallel pass each worker has its own, sized for one group.
struct LayerBuffers {
    /// ctx: [T, C] attention context (heads side by side).
    let context: UnsafeMutablePointer<Float>
    /// qkv: [T, 3C] during attention, then h: [T, I] in the feed-forward block.
    let wide: UnsafeMutablePointer<Float>
    /// s: [workers, L·(L + 1)] attention scores and row sums, one slab per attention worker.
    let scores: UnsafeMutablePointer<Float>
    let scoreSlab: Int
}

/// Activations of one packed batch of T tokens.
final class BertWorkspace: @unchecked Sendable {
    let hiddenSize: Int
    let wideSize: Int
    /// x: [T, C] hidden states of the whole batch, updated in place layer by layer.
    let hidden = ScratchBuffer()
    /// Layer-parallel pass: context, wide and score buffers for the whole batch.
    private let batchContext = ScratchBuffer(), batchWide = ScratchBuffer(), batchScores = ScratchBuffer()
    /// Group-parallel pass: one set per worker, sized for one group.
    private var workerBuffers: [(context: ScratchBuffer, wide: ScratchBuffer, scores: ScratchBuffer)] = []

    init(config: BertConfig) {
        hiddenSize = config.hiddenSize
        wideSize = max(3 * config.hiddenSize, config.intermediateSize)
    }

    /// x: [T, C] for a batch of `tokens` tokens.
    func reserveHidden(tokens: Int) -> UnsafeMutablePointer<Float> {
        hidden.reserve(tokens * hiddenSize)
        return hidden.pointer
    }

    /// Buffers for a layer-parallel pass over `tokens` tokens with `workers` attention workers.
    func batchBuffers(tokens: Int, maxLength: Int, workers: Int) -> LayerBuffers {
        let slab = maxLength * (maxLength + 1)
        batchContext.reserve(tokens * hiddenSize)
        batchWide.reserve(tokens * wideSize)
        batchScores.reserve(slab * workers)
        return LayerBuffers(context: batchContext.pointer, wide: batchWide.pointer, scores: batchScores.pointer, scoreSlab: slab)
    }

    /// One set of buffers per worker for a group-parallel pass, each for groups of up to `tokens` tokens.
    func workerBuffers(workers: Int, tokens: Int, maxLength: Int) -> [LayerBuffers] {
        let slab = maxLength * (maxLength + 1)
        while workerBuffers.count < workers { workerBuffers.append((ScratchBuffer(), ScratchBuffer(), ScratchBuffer())) }
        return workerBuffers.prefix(workers).map { buffers in
            buffers.context.reserve(tokens * hiddenSize)
            buffers.wide.reserve(tokens * wideSize)
            buffers.scores.reserve(slab)
            return LayerBuffers(context: buffers.context.pointer, wide: buffers.wide.pointer, scores: buffers.scores.pointer, scoreSlab: slab)
        }
    }

    /// Bytes held by the buffers.
    var byteCount: Int {
        let all = [hidden, batchContext, batchWide, batchScores] + workerBuffers.flatMap { [$0.context, $0.wide, $0.scores] }
        return 4 * all.reduce(0) { $0 + $1.capacity }
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
