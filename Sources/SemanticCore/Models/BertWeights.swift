// The weights of a BERT encoder, looked up by their transformers names (with or without a `bert.` prefix)
// and checked against the shapes BertConfig implies. Loaded once and never written: F32 tensors stay views
// of the file's in-memory image (FileImage); the per-layer Q, K and V projections are packed once into one [3C, C] matrix
// so a layer's projections are a single GEMM, and each linear layer's weight is laid out once more in
// PanelGemm's panel order for the products of few rows (BertLayerPanels).
import Dispatch

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
    /// The four weights above in PanelGemm's panel order (nil only while the weights are being read).
    private(set) var panelsIfPacked: BertLayerPanels?
    var panels: BertLayerPanels { panelsIfPacked! }

    func with(panels: BertLayerPanels) -> BertLayerWeights {
        var copy = self
        copy.panelsIfPacked = panels
        return copy
    }
}

/// A layer's linear weights packed as panels [⌈N/32⌉, K, 32] (PanelGemm), read by the products of up to
/// `BertEncoder.panelRowLimit` rows; OpenBLAS reads the plain [N, K] weights for larger ones.
struct BertLayerPanels: Sendable {
    let qkv: FloatTensor              // from [3C, C]
    let attentionOutput: FloatTensor  // from [C, C]
    let intermediate: FloatTensor     // from [I, C]
    let output: FloatTensor           // from [C, I]

    /// Packs every layer's four weights (plain [N, K] tensors, in the order of the fields above), the
    /// weights spread over the cores: at load this is most of the work after reading the file.
    static func packing(_ layers: [[FloatTensor]]) -> [BertLayerPanels] {
        let weights = layers.flatMap { $0 }
        precondition(layers.allSatisfy { $0.count == 4 }, "a layer has four linear weights")
        let packed = UnsafeMutableBufferPointer<FloatTensor?>.allocate(capacity: weights.count)
        packed.initialize(repeating: nil)
        defer { packed.deallocate() }
        // each iteration writes its own element
        let slots = UncheckedSendable(packed)
        DispatchQueue.concurrentPerform(iterations: weights.count) { index in
            slots.value[index] = .panels(packing: weights[index])
        }
        return (0..<layers.count).map { layer in
            BertLayerPanels(
                qkv: packed[4 * layer]!, attentionOutput: packed[4 * layer + 1]!,
                intermediate: packed[4 * layer + 2]!, output: packed[4 * layer + 3]!)
        }
    }
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
        var plain: [[FloatTensor]] = []
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
                outputNormBias: try tensor(name + "output.LayerNorm.bias", [c])))
            plain.append([qkvWeight, attentionOutputWeight, intermediateWeight, outputWeight])
        }
        let panels = BertLayerPanels.packing(plain)
        layers = zip(layers, panels).map { $0.with(panels: $1) }
        self.layers = layers

        if file.contains(prefix + "pooler.dense.weight") {
            pooler = DenseWeights(
                weight: try tensor("pooler.dense.weight", [c, c]),
                bias: try tensor("pooler.dense.bias", [c]))
        } else {
            pooler = nil
        }
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
