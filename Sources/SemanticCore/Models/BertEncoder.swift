// The BERT encoder forward pass over a packed batch, reproducing transformers' BertModel (eager, f32):
// embeddings (word + position 0..L-1 + token type, LayerNorm), then per layer a post-LN self-attention
// block and a post-LN feed-forward block with exact-erf GELU. Every linear layer runs on all T tokens of
// the batch at once; attention runs per sequence and head. Weights are shared read-only; all activations
// live in the caller's workspace. It never tokenizes, pools or allocates per layer.

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
    /// Whether OpenBLAS's selected kernel has unpacked small-matrix GEMMs (see `smallMatrixBlock`).
    let smallMatrixKernels: Bool

    /// `smallMatrixKernels` overrides the detection from OpenBLAS's kernel name (tests use it to run the
    /// blocked small-row path on any kernel).
    init(config: BertConfig, weights: BertWeights, configuration: EngineConfiguration, smallMatrixKernels: Bool? = nil) {
        self.config = config
        self.weights = weights
        parallel = ParallelWork(threads: configuration.threads)
        workspaces = WorkspacePool(config: config, keepIdle: 2)
        // The engine splits work across threads itself; each sgemm call runs on the calling thread.
        BLASRuntime.setThreads(1)
        self.smallMatrixKernels = smallMatrixKernels
            ?? ["skylakex", "cooperlake", "sapphirerapids"].contains(BLASRuntime.coreName.lowercased())
    }

    /// Runs the encoder on `batch`; returns the final hidden states x: [T, C], valid until the workspace
    /// is reused. `trace` sees intermediate activations (tests only).
    func forward(
        _ batch: PackedBatch, workspace: BertWorkspace,
        trace: ((BertTracePoint, UnsafeBufferPointer<Float>) -> Void)? = nil
    ) -> UnsafePointer<Float> {
        let t = batch.tokenCount, c = config.hiddenSize
        workspace.reserve(tokens: t, maxLength: batch.maxLength, workers: parallel.threads)
        embed(batch, into: workspace.hidden)
        trace?(.embeddings, UnsafeBufferPointer(start: workspace.hidden, count: t * c))
        for (index, layer) in weights.layers.enumerated() {
            attentionBlock(layer, batch: batch, workspace: workspace, layerIndex: index, trace: trace)
            feedForwardBlock(layer, tokens: t, workspace: workspace)
            trace?(.layerOutput(layer: index), UnsafeBufferPointer(start: workspace.hidden, count: t * c))
        }
        return UnsafePointer(workspace.hidden)
    }

    // MARK: - Blocks

    /// x[t] = LN(word[id_t] + position[p_t] + type[tt_t]), p_t counted from 0 in each sequence
    /// (BertEmbeddings with absolute positions).
    private func embed(_ batch: PackedBatch, into x: UnsafeMutablePointer<Float>) {
        let c = config.hiddenSize, eps = config.layerNormEps
        let embeddings = weights.embeddings
        let positions = batch.starts
        batch.tokenIDs.withUnsafeBufferPointer { ids in
            batch.typeIDs.withUnsafeBufferPointer { types in
                parallel.forEachRange(count: batch.sequenceCount, minimum: 1) { sequences in
                    for b in sequences {
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

    /// x ← LN(x + Attention(x)·Woᵀ + bo) (BertAttention: BertSelfAttention + BertSelfOutput).
    private func attentionBlock(
        _ layer: BertLayerWeights, batch: PackedBatch, workspace: BertWorkspace, layerIndex: Int,
        trace: ((BertTracePoint, UnsafeBufferPointer<Float>) -> Void)?
    ) {
        let t = batch.tokenCount, c = config.hiddenSize
        let heads = config.numAttentionHeads, d = config.headSize
        let x = workspace.hidden, qkv = workspace.wide, context = workspace.context
        // qkv: [T, 3C] = x · Wqkvᵀ + bqkv
        linear(x, rows: t, weight: layer.qkvWeight, bias: layer.qkvBias, into: qkv)
        trace?(.projections(layer: layerIndex), UnsafeBufferPointer(start: qkv, count: t * 3 * c))

        // per sequence b and head h: context[b rows, h·D..] = softmax(Q Kᵀ/√D) V
        let scale = 1 / Float(d).squareRoot()
        let scores = workspace.scores
        let scoreSlab = batch.maxLength * (batch.maxLength + 1)
        let starts = batch.starts
        parallel.forEachItem(count: batch.sequenceCount * heads) { item, worker in
            let b = item / heads, h = item % heads
            let first = starts[b], length = starts[b + 1] - first
            let q = qkv + first * 3 * c + h * d
            Attention.head(
                q: q, k: q + c, v: q + 2 * c, stride: 3 * c, length: length, headSize: d, scale: scale,
                scores: scores + worker * scoreSlab,
                context: context + first * c + h * d, contextStride: c)
        }

        // x ← LN(x + context · Woᵀ + bo): the product accumulates into x (the residual) directly
        linear(context, rows: t, weight: layer.attentionOutputWeight, bias: nil, into: x, accumulate: true)
        biasNorm(x, bias: layer.attentionOutputBias, gamma: layer.attentionNormWeight, beta: layer.attentionNormBias, rows: t)
    }

    /// x ← LN(x + GELU(x·W1ᵀ + b1)·W2ᵀ + b2) (BertIntermediate + BertOutput).
    private func feedForwardBlock(_ layer: BertLayerWeights, tokens t: Int, workspace: BertWorkspace) {
        let i = config.intermediateSize
        let x = workspace.hidden, h = workspace.wide
        // h: [T, I] = GELU(x · W1ᵀ + b1)
        linear(x, rows: t, weight: layer.intermediateWeight, bias: layer.intermediateBias, into: h)
        let activation = config.hiddenActivation
        parallel.forEachRange(count: t, minimum: max(1, 16_384 / i), piecesPerThread: 4) { rows in
            let start = h + rows.lowerBound * i
            switch activation {
            case .geluErf: Activations.geluErf(start, count: rows.count * i)
            case .geluTanh: Activations.geluTanh(start, count: rows.count * i)
            }
        }
        // x ← LN(x + h · W2ᵀ + b2)
        linear(h, rows: t, weight: layer.outputWeight, bias: nil, into: x, accumulate: true)
        biasNorm(x, bias: layer.outputBias, gamma: layer.outputNormWeight, beta: layer.outputNormBias, rows: t)
    }

    // MARK: - Parallel building blocks

    /// out[T, N] = input[T, K] · Wᵀ (+ bias) (+ out when `accumulate`) for W: [N, K], split over threads
    /// by rows (large T) or by output features (small T, where streaming the weights dominates).
    /// A bias is written into `out` first and the product accumulated onto it, so OpenBLAS never runs
    /// its separate pass that zeroes the output.
    func linear(
        _ input: UnsafePointer<Float>, rows t: Int, weight: FloatTensor, bias: FloatTensor?,
        into out: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        let n = weight.shape[0], k = weight.shape[1]
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
            // pieces of >= 256 rows keep each call large (re-packing the weights per piece costs ~1%)
            parallel.forEachRange(count: t, minimum: 1024, piecesPerThread: 4) { rows in product(rows, 0..<n) }
        } else {
            parallel.forEachRange(count: n, minimum: 16, alignment: 16) { columns in product(0..<t, columns) }
        }
    }

    /// Width of output-feature blocks for a product of few rows, or nil to use one call per thread slice.
    /// With few rows OpenBLAS spends most of a call packing the weights; its AVX-512 kernels (SkylakeX,
    /// Cooperlake, SapphireRapids) have an unpacked "small matrix" path that it takes for a TN product
    /// when M·N·K <= 1e6 and M·N <= 1200 (here M = output features, N = rows). Cutting the outputs
    /// into blocks within those limits makes W1-sized products about 3× faster.
    func smallMatrixBlock(rows t: Int, outputs n: Int, inputs k: Int) -> Int? {
        guard smallMatrixKernels, t <= 32, k >= 32 else { return nil }
        let limit = min(n, 1200 / t, 1_000_000 / (t * k))
        guard limit >= 16 else { return nil }
        return limit >= n ? n : limit / 16 * 16
    }

    /// x ← LN(x + bias)·gamma + beta over T rows, split over threads.
    private func biasNorm(_ x: UnsafeMutablePointer<Float>, bias: FloatTensor, gamma: FloatTensor, beta: FloatTensor, rows t: Int) {
        let c = config.hiddenSize, eps = config.layerNormEps
        parallel.forEachRange(count: t, minimum: max(1, 16_384 / c), piecesPerThread: 4) { rows in
            LayerNorm.biasInPlace(
                x + rows.lowerBound * c, bias: bias.pointer, gamma: gamma.pointer, beta: beta.pointer,
                rows: rows.count, columns: c, eps: eps)
        }
    }
}
