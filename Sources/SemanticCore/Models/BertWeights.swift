// The weights of a BERT encoder, looked up by their transformers names (with or without a `bert.` prefix)
// and checked against the shapes BertConfig implies. Loaded once and never written: F32 tensors stay views
// of the file's in-memory image (FileImage); the per-layer Q, K and V projections are packed once into one [3C, C] matrix
// so a layer's projections are a single GEMM. Each linear layer's weight can be laid out once more in
// PanelGemm's panel order for the products of up to 512 rows (BertLayerPanels): not at load, which would
// add the packing (42.5 MB for MiniLM) to every cold start, but on a background thread once the engine has
// run a product within that limit (BertEncoder), or at once on request (`packPanels`).
import Dispatch
import Foundation
import Synchronization

/// Embedding tables and their LayerNorm (transformers `BertEmbeddings`).
struct BertEmbeddingWeights: Sendable {
    let word: FloatTensor          // [V, C]
    let position: FloatTensor      // [P, C]
    let tokenType: FloatTensor     // [TV, C]
    let normWeight: FloatTensor    // [C]
    let normBias: FloatTensor      // [C]
}

/// One transformer block (transformers `BertLayer`: self-attention, output, intermediate, output).
struct BertLayerWeights: Sendable {
    let qkvWeight: FloatTensor             // [3C, C]: query, key, value rows stacked
    let qkvBias: FloatTensor               // [3C]
    let attentionOutputWeight: FloatTensor // [C, C]
    let attentionOutputBias: FloatTensor   // [C]
    let attentionNormWeight: FloatTensor   // [C]
    let attentionNormBias: FloatTensor     // [C]
    let intermediateWeight: FloatTensor    // [I, C]
    let intermediateBias: FloatTensor      // [I]
    let outputWeight: FloatTensor          // [C, I]
    let outputBias: FloatTensor            // [C]
    let outputNormWeight: FloatTensor      // [C]
    let outputNormBias: FloatTensor        // [C]
    /// The four weights above in PanelGemm's panel order, once packed (`BertWeights.packPanels`); nil before.
    let packedPanels: PanelSlot
    var panels: BertLayerPanels? { packedPanels.value }
}

/// A layer's linear weights packed as panels [⌈N/32⌉, K, 32] (PanelGemm), read by the products of up to
/// `BertEncoder.panelRowLimit` rows; OpenBLAS reads the plain [N, K] weights for larger ones, and for
/// every product until the panels are published.
final class BertLayerPanels: Sendable {
    let qkv: FloatTensor              // from [3C, C]
    let attentionOutput: FloatTensor  // from [C, C]
    let intermediate: FloatTensor     // from [I, C]
    let output: FloatTensor           // from [C, I]

    init(qkv: FloatTensor, attentionOutput: FloatTensor, intermediate: FloatTensor, output: FloatTensor) {
        self.qkv = qkv
        self.attentionOutput = attentionOutput
        self.intermediate = intermediate
        self.output = output
    }

    /// From the four packed weights in the order of the fields above.
    convenience init(_ packed: [FloatTensor]) {
        precondition(packed.count == 4, "a layer has four linear weights")
        self.init(qkv: packed[0], attentionOutput: packed[1], intermediate: packed[2], output: packed[3])
    }

    /// The layer's four plain weights, in the order of the fields above.
    static func plainWeights(of layer: BertLayerWeights) -> [FloatTensor] {
        [layer.qkvWeight, layer.attentionOutputWeight, layer.intermediateWeight, layer.outputWeight]
    }
}

/// Where a layer's panels are published: written once (the first packer to finish wins), then read by
/// every thread with one atomic load per product.
final class PanelSlot: Sendable {
    private let reference = AtomicLazyReference<BertLayerPanels>()
    var value: BertLayerPanels? { reference.load() }
    func publish(_ panels: BertLayerPanels) { _ = reference.storeIfNil(panels) }
}

/// Whether a background packing of a model's panels has been started (once per loaded weights).
final class PanelPackingState: Sendable {
    private let started = Atomic<Bool>(false)
    /// True for the first caller only.
    func claim() -> Bool { !started.exchange(true, ordering: .acquiringAndReleasing) }
    /// Whether some caller has claimed it: after that, a forward pass no longer looks at its row counts.
    var isClaimed: Bool { started.load(ordering: .acquiring) }
}

/// A dense layer [out, in] with its bias, e.g. the pooler or a classifier.
struct DenseWeights: Sendable {
    let weight: FloatTensor  // [N, K]
    let bias: FloatTensor    // [N]
}

struct BertWeights: Sendable {
    let embeddings: BertEmbeddingWeights
    let layers: [BertLayerWeights]
    /// `pooler.dense` when the file has it (BertModel checkpoints usually do; the embedder does not use it).
    let pooler: DenseWeights?
    /// "bert." or "" — how this file names the encoder's tensors.
    let prefix: String
    /// The file the views above read from (a model's head weights are looked up here too).
    let file: SafetensorsFile
    /// Shared by every copy of these weights (every encoder built on them): one background packing at most.
    let panelPacking = PanelPackingState()

    /// Finds every encoder tensor in `file` and checks its shape against `config`.
    init(file: SafetensorsFile, config: BertConfig) throws {
        let c = config.hiddenSize, i = config.intermediateSize
        let prefix: String
        if file.contains("bert.embeddings.word_embeddings.weight") {
            prefix = "bert."
        } else if file.contains("embeddings.word_embeddings.weight") {
            prefix = ""
        } else {
            throw SafetensorsError.missingTensor(path: file.url.path, tensor: "embeddings.word_embeddings.weight")
        }
        self.prefix = prefix
        self.file = file
        func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
            try file.floats(prefix + name, shape: shape)
        }

        embeddings = BertEmbeddingWeights(
            word: try tensor("embeddings.word_embeddings.weight", [config.vocabSize, c]),
            position: try tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, c]),
            tokenType: try tensor("embeddings.token_type_embeddings.weight", [config.typeVocabSize, c]),
            normWeight: try tensor("embeddings.LayerNorm.weight", [c]),
            normBias: try tensor("embeddings.LayerNorm.bias", [c]))

        var layers: [BertLayerWeights] = []
        for index in 0..<config.numHiddenLayers {
            let name = "encoder.layer.\(index)."
            let query = try tensor(name + "attention.self.query.weight", [c, c])
            let key = try tensor(name + "attention.self.key.weight", [c, c])
            let value = try tensor(name + "attention.self.value.weight", [c, c])
            let queryBias = try tensor(name + "attention.self.query.bias", [c])
            let keyBias = try tensor(name + "attention.self.key.bias", [c])
            let valueBias = try tensor(name + "attention.self.value.bias", [c])
            let qkvWeight = Self.stack([query, key, value], shape: [3 * c, c])
            let attentionOutputWeight = try tensor(name + "attention.output.dense.weight", [c, c])
            let intermediateWeight = try tensor(name + "intermediate.dense.weight", [i, c])
            let outputWeight = try tensor(name + "output.dense.weight", [c, i])
            layers.append(BertLayerWeights(
                qkvWeight: qkvWeight,
                qkvBias: Self.stack([queryBias, keyBias, valueBias], shape: [3 * c]),
                attentionOutputWeight: attentionOutputWeight,
                attentionOutputBias: try tensor(name + "attention.output.dense.bias", [c]),
                attentionNormWeight: try tensor(name + "attention.output.LayerNorm.weight", [c]),
                attentionNormBias: try tensor(name + "attention.output.LayerNorm.bias", [c]),
                intermediateWeight: intermediateWeight,
                intermediateBias: try tensor(name + "intermediate.dense.bias", [i]),
                outputWeight: outputWeight,
                outputBias: try tensor(name + "output.dense.bias", [c]),
                outputNormWeight: try tensor(name + "output.LayerNorm.weight", [c]),
                outputNormBias: try tensor(name + "output.LayerNorm.bias", [c]),
                packedPanels: PanelSlot()))
        }
        self.layers = layers

        if file.contains(prefix + "pooler.dense.weight") {
            pooler = DenseWeights(
                weight: try tensor("pooler.dense.weight", [c, c]),
                bias: try tensor("pooler.dense.bias", [c]))
        } else {
            pooler = nil
        }
    }

    /// Whether every layer's panels are published.
    var panelsPacked: Bool { layers.allSatisfy { $0.panels != nil } }

    /// Packs the panels of every layer not packed yet, on the calling thread and the cores beside it
    /// (the 4 weights of each layer side by side), and publishes them; returns when all are published.
    func packPanels() {
        let pending = layers.filter { $0.panels == nil }
        guard !pending.isEmpty else { return }
        let weights = pending.flatMap { BertLayerPanels.plainWeights(of: $0) }
        let packed = UnsafeMutableBufferPointer<FloatTensor?>.allocate(capacity: weights.count)
        packed.initialize(repeating: nil)
        defer { packed.deallocate() }
        let slots = UncheckedSendable(packed)  // each iteration writes its own element
        DispatchQueue.concurrentPerform(iterations: weights.count) { index in
            slots.value[index] = .panels(packing: weights[index])
        }
        for (index, layer) in pending.enumerated() {
            layer.packedPanels.publish(BertLayerPanels((4 * index..<4 * index + 4).map { packed[$0]! }))
        }
    }

    /// Starts packing the panels on one background thread, layer by layer, each published as soon as it is
    /// packed (until then that layer's products run on OpenBLAS); only the first call for these weights
    /// starts it. One thread, so a query running beside it keeps the other core (for MiniLM: 8.5 ms of
    /// packing on one thread, measured when the panels were packed at load, plus faulting in 42.5 MB of
    /// fresh pages).
    func packPanelsInBackground() {
        guard !panelsPacked, panelPacking.claim() else { return }
        let layers = self.layers
        let thread = Thread {
            for layer in layers where layer.panels == nil {
                layer.packedPanels.publish(BertLayerPanels(BertLayerPanels.plainWeights(of: layer).map { .panels(packing: $0) }))
            }
        }
        thread.name = "semantic-core panels"
        thread.start()
    }

    /// Concatenates tensors along their first dimension into owned storage.
    static func stack(_ parts: [FloatTensor], shape: [Int]) -> FloatTensor {
        FloatTensor.build(shape: shape) { destination in
            var offset = 0
            for part in parts {
                part.withUnsafeValues { values in
                    (destination + offset).update(from: values.baseAddress!, count: values.count)
                    offset += values.count
                }
            }
        }
    }
}
