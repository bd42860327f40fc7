// CrossEncoder: a BertForSequenceClassification with one label scoring (query, document) pairs, as
// transformers computes it: the [CLS] state → pooler dense + tanh → classifier → one raw logit.
// Pairs are tokenized `[CLS] q [SEP] d [SEP]` by the folder's BertTokenizer (longest_first truncation),
// packed like the embedder's sequences; weights shared read-only, one workspace per call.
// It returns raw logits; an activation is applied only when the caller asks (`sigmoid`).
import Foundation

/// The activation sentence-transformers' `CrossEncoder.predict()` applies to the logit.
public enum CrossEncoderActivation: String, Sendable, Equatable {
    case identity
    case sigmoid
}

public final class CrossEncoder: Sendable {
    public let directory: URL
    public let config: BertConfig
    public let configuration: EngineConfiguration
    /// Longest pair accepted, specials included: tokenizer_config.json `model_max_length` capped by the
    /// position table (512 for MiniLM-shaped cross-encoders).
    public let maxSequenceLength: Int
    /// What sentence-transformers' predict() would apply: Sigmoid for one label unless config.json names
    /// another activation (`sentence_transformers.activation_fn` or `sbert_ce_default_activation_function`).
    public let predictActivation: CrossEncoderActivation
    /// The model folder's tokenizer, used by `scores(query:documents:)`.
    public let tokenizer: BertTokenizer
    let encoder: BertEncoder
    let pooler: DenseWeights      // [C, C], [C]
    let classifier: DenseWeights  // [1, C], [1]

    init(
        directory: URL, encoder: BertEncoder, tokenizer: BertTokenizer, pooler: DenseWeights, classifier: DenseWeights,
        maxSequenceLength: Int, predictActivation: CrossEncoderActivation, configuration: EngineConfiguration
    ) {
        self.directory = directory
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.config = encoder.config
        self.pooler = pooler
        self.classifier = classifier
        self.maxSequenceLength = maxSequenceLength
        self.predictActivation = predictActivation
        self.configuration = configuration
    }

    /// Loads `config.json`, `model.safetensors` (BertForSequenceClassification, `num_labels` 1) and the
    /// tokenizer files.
    public static func load(directory: URL, configuration: EngineConfiguration = .init()) throws -> CrossEncoder {
        let configURL = directory.appendingPathComponent("config.json")
        let encoder = try BertEncoder.load(directory: directory, configuration: configuration)
        let config = encoder.config
        guard config.numLabels == 1 else {
            throw ModelConfigurationError(
                file: configURL.path, problem: "expected a cross-encoder with one label (num_labels 1), found \(config.numLabels)")
        }
        let file = encoder.weights.file
        guard let pooler = encoder.weights.pooler else {
            throw SafetensorsError.missingTensor(path: file.url.path, tensor: encoder.weights.prefix + "pooler.dense.weight")
        }
        let c = config.hiddenSize
        let classifier = DenseWeights(
            weight: try file.floats("classifier.weight", shape: [1, c]),
            bias: try file.floats("classifier.bias", shape: [1]))

        let maxLength = try maxSequenceLength(directory: directory, config: config)
        let activation = try Self.predictActivation(configURL: configURL)
        let tokenizer = try BertTokenizer.load(directory: directory)
        return CrossEncoder(
            directory: directory, encoder: encoder, tokenizer: tokenizer, pooler: pooler, classifier: classifier,
            maxSequenceLength: maxLength, predictActivation: activation, configuration: configuration)
    }

    /// tokenizer_config.json `model_max_length` capped by the position table (the table alone without it).
    static func maxSequenceLength(directory: URL, config: BertConfig) throws -> Int {
        var maxLength = config.maxPositionEmbeddings
        let tokenizerConfig = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: tokenizerConfig.path),
           let json = try readJSON(tokenizerConfig) as? [String: Any],
           let limit = (json["model_max_length"] as? NSNumber)?.intValue, limit > 0 {
            maxLength = min(maxLength, limit)
        }
        return maxLength
    }

    /// Raw relevance logits of `documents` for `query`, in document order (higher is more relevant).
    /// Apply `CrossEncoder.sigmoid` for sentence-transformers' default [0, 1] scores.
    public func scores(query: String, documents: [String]) throws -> [Float] {
        let pairs = documents.map { tokenizer.encodePair(query, $0, maxLength: maxSequenceLength) }
        return try logits(tokenIDs: pairs.map(\.ids), typeIDs: pairs.map(\.typeIds))
    }

    /// Raw logits of pairs given as token ids `[CLS] q [SEP] d [SEP]` with their token type ids.
    public func logits(tokenIDs: [[Int]], typeIDs: [[Int]]) throws -> [Float] {
        guard tokenIDs.count == typeIDs.count else {
            throw EngineInputError.sequenceCountMismatch(tokenSequences: tokenIDs.count, typeSequences: typeIDs.count)
        }
        let batches = try BatchPlanner.ranges(lengths: tokenIDs.map(\.count), tokenBudget: configuration.tokensPerBatch).map {
            try PackedBatch(sequences: tokenIDs[$0], types: typeIDs[$0], config: config, maxLength: maxSequenceLength)
        }
        var logits: [Float] = []
        logits.reserveCapacity(tokenIDs.count)
        encoder.workspaces.withWorkspace { workspace in
            for batch in batches {
                let hidden = encoder.forward(batch, workspace: workspace)
                logits += classify(hidden, batch: batch)
            }
        }
        return logits
    }

    /// logit_b = classifier(tanh(pooler([CLS]_b))) for every sequence of the batch (BertPooler +
    /// BertForSequenceClassification's classifier).
    private func classify(_ hidden: UnsafePointer<Float>, batch: PackedBatch) -> [Float] {
        let c = config.hiddenSize, b = batch.sequenceCount
        // cls: [B, C] — the first token of each sequence
        var cls = [Float](repeating: 0, count: b * c)
        var pooled = [Float](repeating: 0, count: b * c)
        var logits = [Float](repeating: 0, count: b)
        cls.withUnsafeMutableBufferPointer { cls in
            pooled.withUnsafeMutableBufferPointer { pooled in
                logits.withUnsafeMutableBufferPointer { logits in
                    for sequence in 0..<b {
                        (cls.baseAddress! + sequence * c).update(from: hidden + batch.starts[sequence] * c, count: c)
                    }
                    // pooled: [B, C] = tanh(cls · Wpᵀ + bp)
                    Gemm.linear(
                        x: cls.baseAddress!, xStride: c, weight: pooler.weight.pointer, weightStride: c,
                        y: pooled.baseAddress!, yStride: c, rows: b, outputs: c, inputs: c)
                    for sequence in 0..<b {
                        for column in 0..<c {
                            let index = sequence * c + column
                            pooled[index] = Foundation.tanh(pooled[index] + pooler.bias.pointer[column])
                        }
                    }
                    // logits: [B, 1] = pooled · Wcᵀ + bc
                    Gemm.linear(
                        x: pooled.baseAddress!, xStride: c, weight: classifier.weight.pointer, weightStride: c,
                        y: logits.baseAddress!, yStride: 1, rows: b, outputs: 1, inputs: c)
                    for sequence in 0..<b { logits[sequence] += classifier.bias.pointer[0] }
                }
            }
        }
        return logits
    }

    /// 1 / (1 + e^-x) per logit; a non-finite logit scores 0.
    public static func sigmoid(_ logits: [Float]) -> [Float] {
        logits.map { logit in
            guard logit.isFinite else { return 0 }
            return 1 / (1 + Foundation.exp(-logit))
        }
    }

    private static func predictActivation(configURL: URL) throws -> CrossEncoderActivation {
        guard let json = try readJSON(configURL) as? [String: Any] else { return .sigmoid }
        let named = ((json["sentence_transformers"] as? [String: Any])?["activation_fn"] as? String)
            ?? (json["sbert_ce_default_activation_function"] as? String)
        guard let named else { return .sigmoid }
        return named.hasSuffix("Identity") ? .identity : .sigmoid
    }
}

extension CrossEncoder {
    /// As `Embedder.preparePanels()`: the panels packed now rather than after the first small pass.
    public func preparePanels() { encoder.weights.packPanels() }

    /// Whether every layer's panels are published.
    public var panelsReady: Bool { encoder.weights.panelsPacked }
}
