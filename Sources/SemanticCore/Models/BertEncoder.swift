// The BERT encoder forward pass over a packed batch, reproducing transformers' BertModel (eager, f32):
// embeddings (word + position 0..L-1 + token type, LayerNorm), then per layer a post-LN self-attention
// block and a post-LN feed-forward block with exact-erf GELU. Linear layers run on all tokens of a span
// of packed sequences at once; attention runs per sequence and head. Two schedules share that code:
// by groups (each thread carries whole groups of sequences through every layer, no synchronisation:
// the throughput path) and by layers (all threads on each product in turn: for batches too small to
// give every thread a group, e.g. one query). Weights are shared read-only; activations live in the
// caller's workspace. It never tokenizes, pools or allocates per layer.

/// Points of the forward pass a test can observe.
enum BertTracePoint: Hashable {
    /// After the embedding LayerNorm: [T, C].
    case embeddings
    /// Q, K, V projections of layer `l` with their biases: [T, 3C].
    case projections(layer: Int)
    /// Output of layer `l`: [T, C].
    case layerOutput(layer: Int)
}

final class BertEncoder: Sendable {
    let config: BertConfig
    let weights: BertWeights
    let parallel: ParallelWork
    let workspaces: WorkspacePool
    /// Products of at most this many rows run on PanelGemm from the pre-packed panels once they are
    /// published; larger ones, and all of them before, on OpenBLAS from the plain weights (see
    /// `defaultPanelRowLimit`). The first forward pass with such a product starts the packing in the
    /// background (BertWeights.packPanelsInBackground), so a process that embeds one text and exits
    /// never pays for it, and one whose products all exceed the limit never holds the panels.
    let panelRowLimit: Int
    /// Whether OpenBLAS's selected kernel has unpacked small-matrix GEMMs (see `smallMatrixBlock`): the
    /// products of few rows before the panels are published.
    let smallMatrixKernels: Bool

    /// `panelRowLimit` overrides `defaultPanelRowLimit` (0 runs every product on OpenBLAS; tests compare
    /// the paths, packing the panels first with `weights.packPanels()`). `smallMatrixKernels` overrides
    /// the detection from OpenBLAS's kernel name.
    init(
        config: BertConfig, weights: BertWeights, configuration: EngineConfiguration, panelRowLimit: Int? = nil,
        smallMatrixKernels: Bool? = nil
    ) {
        // the kernel the CPU supports, before anything asks which kernel runs
        BLASKernelSelection.ensureSelected()
        self.config = config
        self.weights = weights
        parallel = ParallelWork(threads: configuration.threads)
        workspaces = WorkspacePool(config: config, keepIdle: 2)
        // The engine splits work across threads itself; each sgemm call runs on the calling thread.
        BLASRuntime.setThreads(1)
        self.panelRowLimit = max(0, panelRowLimit ?? Self.panelRowLimit(for: configuration))
        self.smallMatrixKernels = smallMatrixKernels
            ?? ["skylakex", "cooperlake", "sapphirerapids"].contains(BLASRuntime.coreName.lowercased())
    }

    /// Rows up to which the panel kernel runs a product: the largest group of the group schedule, so
    /// every product of a batched pass runs on the panels, and only the layer schedule's products of
    /// long single texts or few texts (over 512 tokens together) stay on OpenBLAS. OpenBLAS re-packs the
    /// weight in every call (it has no pre-packed sgemm), which costs most of a call at a few rows
    /// and still shows at hundreds: `semd-bench bench --workload KP` (one thread, MiniLM's layer) ran
    /// the panel tile at 133–138 GFLOP/s against 34 at 10 rows, 161–164 against 113–115 at 80, 161–163
    /// against 143–145 at 320 and 158–160 against 146–148 at 512 (Docs/PERFORMANCE.md); raising the limit
    /// from 128 to 512 made W2 6% and W3 3% faster in alternated runs. In a debug (unoptimised) build SIMD16
    /// arithmetic is a chain of generic calls, about a thousand times slower than the optimised tile
    /// (0.1 GFLOP/s), so there every product runs on OpenBLAS unless a caller asks for the panels;
    /// PanelGemmTests and the encoder's path tests run the tile itself in every build.
    /// The limit a configuration asks for: `standard` unless it turns the panels off.
    static func panelRowLimit(for configuration: EngineConfiguration, standard: Int = defaultPanelRowLimit) -> Int {
        configuration.smallProductPanels ? standard : 0
    }

    #if DEBUG
    static let defaultPanelRowLimit = 0
    #else
    static let defaultPanelRowLimit = 512
    #endif

    /// Runs the encoder on `batch`; returns the final hidden states x: [T, C], valid until the workspace
    /// is reused. `trace` sees intermediate activations (tests only; it forces the layer schedule).
    /// `threads` caps the threads this call uses (nil: the engine's configured count). `pausePoint`
    /// runs before each block and after its first product (four times a layer, so at most one
    /// product's time apart: 24 times for six layers); a caller may block
    /// in it to let other work have the cores (the daemon's background lane does, while client
    /// requests run). It must not touch the workspace.
    func forward(
        _ batch: PackedBatch, workspace: BertWorkspace, threads: Int? = nil,
        trace: ((BertTracePoint, UnsafeBufferPointer<Float>) -> Void)? = nil, pausePoint: (() -> Void)? = nil
    ) -> UnsafePointer<Float> {
        // x: [T, C]
        let x = workspace.reserveHidden(tokens: batch.tokenCount)
        if BLASRuntime.threads != 1 { BLASRuntime.setThreads(1) }  // someone changed it since load
        let parallel = threads.map { ParallelWork(threads: max(1, min($0, self.parallel.threads))) } ?? self.parallel
        let groups = trace == nil ? groupPlan(batch, threads: parallel.threads) : []
        if groups.count >= 2 {
            forwardByGroups(batch, groups: groups, x: x, workspace: workspace, parallel: parallel, pausePoint: pausePoint)
        } else {
            forwardByLayers(batch, x: x, workspace: workspace, parallel: parallel, pausePoint: pausePoint, trace: trace)
        }
        // after the pass, not before it: a one-shot query keeps both cores, the next ones get the panels
        if panelRowLimit > 0, !weights.panelPacking.isClaimed {
            let fewestRows = groups.isEmpty ? batch.tokenCount : groups.map { batch.starts[$0.upperBound] - batch.starts[$0.lowerBound] }.min() ?? 0
            if fewestRows <= panelRowLimit { weights.packPanelsInBackground() }
        }
        return UnsafePointer(x)
    }

    /// Consecutive sequences grouped for the group schedule, or [] when the batch is too small to give
    /// each thread two groups of at least `minimumGroupTokens` (then every product is split across the
    /// threads instead: for a few short texts that is faster, since each thread then streams only its
    /// share of the weights, and no thread waits on a lopsided last group). Groups aim at
    /// T / (2 × threads) tokens, so a thread the OS preempts holds back half of its share rather than
    /// all of it, unless that would make them smaller than `preferredGroupTokens` (then T / threads);
    /// at most 512: large enough for efficient products, small enough to keep a group's activations
    /// near the core's cache and to let threads balance.
    static let minimumGroupTokens = 64

    /// Every product of a group re-packs the weights it reads (OpenBLAS has no pre-packed sgemm), so
    /// the cost of a group is that packing plus tokens × FLOPs: below ~256 rows the packing shows. On
    /// W2 (32 × 20 tokens) two groups of 320 instead of four of 160 made the pass 7–9% faster
    /// (same-process A/B, alternated, medians of 30), with the weight packing down from 16% to 10%.
    static let preferredGroupTokens = 256

    func groupPlan(_ batch: PackedBatch, threads: Int) -> [Range<Int>] {
        guard threads > 1, batch.sequenceCount >= 2 * threads,
              batch.tokenCount >= 2 * threads * Self.minimumGroupTokens else { return [] }
        let share = (batch.tokenCount + threads - 1) / threads
        let target = min(512, share / 2 >= Self.preferredGroupTokens ? (share + 1) / 2 : share)
        var groups: [Range<Int>] = []
        var start = 0, tokens = 0
        for b in 0..<batch.sequenceCount {
            let length = batch.length(b)
            if b > start, tokens + length > target {
                groups.append(start..<b)
                start = b
                tokens = 0
            }
            tokens += length
        }
        groups.append(start..<batch.sequenceCount)
        return groups.count >= threads ? groups : []
    }

    /// Each worker takes whole groups through embeddings and every layer on its own buffers.
    private func forwardByGroups(
        _ batch: PackedBatch, groups: [Range<Int>], x: UnsafeMutablePointer<Float>, workspace: BertWorkspace,
        parallel: ParallelWork, pausePoint: (() -> Void)?
    ) {
        let c = config.hiddenSize
        let starts = batch.starts
        let groupTokens = groups.map { starts[$0.upperBound] - starts[$0.lowerBound] }.max() ?? 0
        let workers = min(parallel.threads, groups.count)
        let buffers = workspace.workerBuffers(workers: workers, tokens: groupTokens, maxLength: batch.maxLength)
        let serial = ParallelWork(threads: 1)
        parallel.forEachItem(count: groups.count) { index, worker in
            let sequences = groups[index]
            let first = starts[sequences.lowerBound]
            // the group's sequence starts, counted from its first row
            let local = starts[sequences.lowerBound...sequences.upperBound].map { $0 - first }
            embed(batch, sequences: sequences, into: x, parallel: serial)
            for (layerIndex, layer) in weights.layers.enumerated() {
                pausePoint?()
                attentionBlock(layer, starts: local, x: x + first * c, buffers: buffers[worker], parallel: serial, layerIndex: layerIndex,
                               trace: nil, pausePoint: pausePoint)
                pausePoint?()
                feedForwardBlock(layer, tokens: local.last!, x: x + first * c, buffers: buffers[worker], parallel: serial, pausePoint: pausePoint)
            }
        }
    }

    /// Every product and pass over the whole batch, split across the threads.
    private func forwardByLayers(
        _ batch: PackedBatch, x: UnsafeMutablePointer<Float>, workspace: BertWorkspace, parallel: ParallelWork,
        pausePoint: (() -> Void)?, trace: ((BertTracePoint, UnsafeBufferPointer<Float>) -> Void)?
    ) {
        let t = batch.tokenCount, c = config.hiddenSize
        let buffers = workspace.batchBuffers(tokens: t, maxLength: batch.maxLength, workers: parallel.threads)
        embed(batch, sequences: 0..<batch.sequenceCount, into: x, parallel: parallel)
        trace?(.embeddings, UnsafeBufferPointer(start: x, count: t * c))
        for (index, layer) in weights.layers.enumerated() {
            pausePoint?()
            attentionBlock(layer, starts: batch.starts, x: x, buffers: buffers, parallel: parallel, layerIndex: index, trace: trace,
                           pausePoint: pausePoint)
            pausePoint?()
            feedForwardBlock(layer, tokens: t, x: x, buffers: buffers, parallel: parallel, pausePoint: pausePoint)
            trace?(.layerOutput(layer: index), UnsafeBufferPointer(start: x, count: t * c))
        }
    }

    // MARK: - Blocks

    /// x[t] = LN(word[id_t] + position[p_t] + type[tt_t]) for the tokens of `sequences`, p_t counted
    /// from 0 in each sequence (BertEmbeddings with absolute positions). x: the batch's [T, C].
    private func embed(_ batch: PackedBatch, sequences: Range<Int>, into x: UnsafeMutablePointer<Float>, parallel: ParallelWork) {
        let c = config.hiddenSize, eps = config.layerNormEps
        let embeddings = weights.embeddings
        let positions = batch.starts
        batch.tokenIDs.withUnsafeBufferPointer { ids in
            batch.typeIDs.withUnsafeBufferPointer { types in
                parallel.forEachRange(count: sequences.count, minimum: 1) { chosen in
                    for b in (sequences.lowerBound + chosen.lowerBound)..<(sequences.lowerBound + chosen.upperBound) {
                        for row in positions[b]..<positions[b + 1] {
                            let word = embeddings.word.pointer + Int(ids[row]) * c
                            let position = embeddings.position.pointer + (row - positions[b]) * c
                            let type = embeddings.tokenType.pointer + Int(types[row]) * c
                            let out = x + row * c
                            for column in 0..<c { out[column] = word[column] + position[column] + type[column] }
                        }
                        let first = positions[b]
                        LayerNorm.inPlace(
                            x + first * c, gamma: embeddings.normWeight.pointer, beta: embeddings.normBias.pointer,
                            rows: positions[b + 1] - first, columns: c, eps: eps)
                    }
                }
            }
        }
    }

    /// x ← LN(x + Attention(x)·Woᵀ + bo) (BertAttention: BertSelfAttention + BertSelfOutput) over the
    /// sequences whose rows start at `starts` (relative to x, last entry = T).
    private func attentionBlock(
        _ layer: BertLayerWeights, starts: [Int], x: UnsafeMutablePointer<Float>, buffers: LayerBuffers,
        parallel: ParallelWork, layerIndex: Int, trace: ((BertTracePoint, UnsafeBufferPointer<Float>) -> Void)?,
        pausePoint: (() -> Void)?
    ) {
        let t = starts[starts.count - 1], c = config.hiddenSize
        let heads = config.numAttentionHeads, d = config.headSize
        let qkv = buffers.wide, context = buffers.context
        // qkv: [T, 3C] = x · Wqkvᵀ + bqkv
        linear(x, rows: t, weight: layer.qkvWeight, panels: layer.panels?.qkv, bias: layer.qkvBias, into: qkv, parallel: parallel)
        trace?(.projections(layer: layerIndex), UnsafeBufferPointer(start: qkv, count: t * 3 * c))
        pausePoint?()

        // per sequence b and head h: context[b rows, h·D..] = softmax(Q Kᵀ/√D) V
        let scale = 1 / Float(d).squareRoot()
        let scores = buffers.scores, slab = buffers.scoreSlab
        parallel.forEachItem(count: (starts.count - 1) * heads) { item, worker in
            let b = item / heads, h = item % heads
            let first = starts[b], length = starts[b + 1] - first
            let q = qkv + first * 3 * c + h * d
            Attention.head(
                q: q, k: q + c, v: q + 2 * c, stride: 3 * c, length: length, headSize: d, scale: scale,
                scores: scores + worker * slab,
                context: context + first * c + h * d, contextStride: c)
        }

        // x ← LN(x + context · Woᵀ + bo): the product accumulates into x (the residual) directly
        linear(context, rows: t, weight: layer.attentionOutputWeight, panels: layer.panels?.attentionOutput, bias: nil, into: x, accumulate: true, parallel: parallel)
        biasNorm(x, bias: layer.attentionOutputBias, gamma: layer.attentionNormWeight, beta: layer.attentionNormBias, rows: t, parallel: parallel)
    }

    /// x ← LN(x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2) (BertIntermediate + BertOutput) over T rows of x.
    private func feedForwardBlock(
        _ layer: BertLayerWeights, tokens t: Int, x: UnsafeMutablePointer<Float>, buffers: LayerBuffers,
        parallel: ParallelWork, pausePoint: (() -> Void)?
    ) {
        let i = config.intermediateSize
        let h = buffers.wide
        // h: [T, I] = GELU(x · W1ᵀ + b1)
        let activation = config.hiddenActivation
        let activated = linear(x, rows: t, weight: layer.intermediateWeight, panels: layer.panels?.intermediate, bias: layer.intermediateBias,
                               into: h, activation: activation, parallel: parallel)
        if !activated {
            parallel.forEachRange(count: t, minimum: max(1, 16_384 / i), piecesPerThread: 4) { rows in
                Self.activate(h + rows.lowerBound * i, count: rows.count * i, activation)
            }
        }
        pausePoint?()
        // x ← LN(x + h · W2ᵀ + b2)
        linear(h, rows: t, weight: layer.outputWeight, panels: layer.panels?.output, bias: nil, into: x, accumulate: true, parallel: parallel)
        biasNorm(x, bias: layer.outputBias, gamma: layer.outputNormWeight, beta: layer.outputNormBias, rows: t, parallel: parallel)
    }

    // MARK: - Parallel building blocks

    /// out[T, N] = input[T, K] · Wᵀ (+ bias) (+ out when `accumulate`) for W: [N, K]. Up to
    /// `panelRowLimit` rows from the packed `panels` when they are published, each thread taking its own
    /// contiguous share of the panels (so no weight is read by two threads); else on OpenBLAS, split over
    /// threads by rows (large T), by output features, or, for few rows, in blocks of output features
    /// small enough for OpenBLAS's unpacked small-matrix kernel. A bias is written into `out` first and the OpenBLAS product
    /// accumulated onto it, so OpenBLAS never runs its separate pass that zeroes the output.
    /// With `activation`, the panel path also applies it to the columns each thread wrote, while they
    /// are in its cache (one pass over the threads fewer); returns whether it did, else the caller applies it.
    @discardableResult
    func linear(
        _ input: UnsafePointer<Float>, rows t: Int, weight: FloatTensor, panels: FloatTensor?, bias: FloatTensor?,
        into out: UnsafeMutablePointer<Float>, accumulate: Bool = false, activation: BertActivation? = nil,
        parallel: ParallelWork
    ) -> Bool {
        let n = weight.shape[0], k = weight.shape[1]
        if t <= panelRowLimit, let panels {
            assert(!(accumulate && bias != nil), "a product accumulates onto its output or starts from a bias, not both")
            let start: PanelGemm.Start = accumulate ? .output : bias.map { .bias($0.pointer) } ?? .zero
            let count = PanelGemm.panelCount(outputs: n)
            let minimum = t * n * k < 1 << 18 ? count : 1
            parallel.forEachRange(count: count, minimum: minimum) { chosen in
                PanelGemm.linear(
                    x: input, xStride: k, packed: panels.pointer, panels: chosen, y: out, yStride: n,
                    rows: t, outputs: n, inputs: k, start: start)
                if let activation {
                    let first = chosen.lowerBound * PanelGemm.panelWidth
                    let width = min(n, chosen.upperBound * PanelGemm.panelWidth) - first
                    for row in 0..<t { Self.activate(out + row * n + first, count: width, activation) }
                }
            }
            return activation != nil
        }
        let w = weight.pointer
        let b = bias?.pointer
        let product = { (rows: Range<Int>, columns: Range<Int>) in
            let y = out + rows.lowerBound * n + columns.lowerBound
            if let b {
                for row in 0..<rows.count { (y + row * n).update(from: b + columns.lowerBound, count: columns.count) }
            }
            Gemm.linear(
                x: input + rows.lowerBound * k, xStride: k, weight: w + columns.lowerBound * k, weightStride: k,
                y: y, yStride: n, rows: rows.count, outputs: columns.count, inputs: k,
                accumulate: accumulate || b != nil)
        }
        if let block = smallMatrixBlock(rows: t, outputs: n, inputs: k) {
            // few tokens: blocks of output features small enough for OpenBLAS's unpacked kernel
            let blocks = (n + block - 1) / block
            parallel.forEachItem(count: blocks) { index, _ in
                product(0..<t, (index * block)..<min(n, (index + 1) * block))
            }
        } else if parallel.threads == 1 || t * n * k < 1 << 18 {
            product(0..<t, 0..<n)
        } else if t >= 64 * parallel.threads {
            // pieces of 1024 rows (fewer for smaller batches) keep each call large: every piece re-packs
            // the weights, which costs ~1% at that size
            parallel.forEachRange(count: t, minimum: min(1024, t / parallel.threads), piecesPerThread: 4) { rows in product(rows, 0..<n) }
        } else {
            parallel.forEachRange(count: n, minimum: 16, alignment: 16) { columns in product(0..<t, columns) }
        }
        return false
    }

    /// Width of output-feature blocks for a product of few rows, or nil to use one call per thread slice.
    /// With few rows OpenBLAS spends most of a call packing the weights; its AVX-512 kernels (SkylakeX,
    /// Cooperlake, SapphireRapids) have an unpacked "small matrix" path that it takes for a TN product
    /// when M·N·K <= 1e6 and M·N <= 1200 (here M = output features, N = rows). Cutting the outputs
    /// into blocks within those limits makes W1-sized products about 3× faster than whole calls: what a
    /// cold one-shot query runs before the panels exist.
    func smallMatrixBlock(rows t: Int, outputs n: Int, inputs k: Int) -> Int? {
        guard smallMatrixKernels, t <= 32, k >= 32 else { return nil }
        let limit = min(n, 1200 / t, 1_000_000 / (t * k))
        guard limit >= 16 else { return nil }
        return limit >= n ? n : limit / 16 * 16
    }

    /// h ← activation(h) over `count` floats.
    @inline(__always)
    static func activate(_ h: UnsafeMutablePointer<Float>, count: Int, _ activation: BertActivation) {
        switch activation {
        case .geluErf: Activations.geluErf(h, count: count)
        case .geluTanh: Activations.geluTanh(h, count: count)
        }
    }

    /// x ← LN(x + bias)·gamma + beta over T rows, split over threads.
    private func biasNorm(
        _ x: UnsafeMutablePointer<Float>, bias: FloatTensor, gamma: FloatTensor, beta: FloatTensor, rows t: Int, parallel: ParallelWork
    ) {
        let c = config.hiddenSize, eps = config.layerNormEps
        parallel.forEachRange(count: t, minimum: max(1, 16_384 / c), piecesPerThread: 4) { rows in
            LayerNorm.biasInPlace(
                x + rows.lowerBound * c, bias: bias.pointer, gamma: gamma.pointer, beta: beta.pointer,
                rows: rows.count, columns: c, eps: eps)
        }
    }
}
