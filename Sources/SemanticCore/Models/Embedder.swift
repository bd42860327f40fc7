// Embedder: a sentence-transformers BERT model (Transformer → Pooling → Normalize) as one Sendable
// object. Token sequences are packed into batches under the token budget, encoded, pooled, normalised
// and optionally truncated to `dims`. Weights are shared read-only; every call borrows a workspace.
// Text goes through the model folder's BertTokenizer (truncated to `maxSequenceLength`) before encoding.
import Foundation

public final class Embedder: Sendable {
    public let directory: URL
    public let config: BertConfig
    public let pooling: EmbeddingPooling
    public let configuration: EngineConfiguration
    /// Length of the vectors `embed` returns without `dims`.
    public let dimension: Int
    /// Longest token sequence accepted (sentence_bert_config.json `max_seq_length`, capped by the
    /// position table); texts are truncated to it by the tokenizer.
    public let maxSequenceLength: Int
    /// The model folder's tokenizer, used by `embed(_ texts:)`.
    public let tokenizer: BertTokenizer
    let encoder: BertEncoder

    init(
        directory: URL, encoder: BertEncoder, tokenizer: BertTokenizer, pooling: EmbeddingPooling,
        maxSequenceLength: Int, configuration: EngineConfiguration
    ) {
        self.directory = directory
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.config = encoder.config
        self.pooling = pooling
        self.maxSequenceLength = maxSequenceLength
        self.configuration = configuration
        dimension = pooling.modes.count * encoder.config.hiddenSize
    }

    /// Loads `config.json`, `model.safetensors`, the tokenizer files, `modules.json`, the pooling config
    /// and `sentence_bert_config.json` from a sentence-transformers model folder.
    public static func load(directory: URL, configuration: EngineConfiguration = .init()) throws -> Embedder {
        let encoder = try BertEncoder.load(directory: directory, configuration: configuration)
        let pooling = try EmbeddingPooling.load(directory: directory)
        var maxLength = encoder.config.maxPositionEmbeddings
        let sentenceConfig = directory.appendingPathComponent("sentence_bert_config.json")
        if FileManager.default.fileExists(atPath: sentenceConfig.path),
           let json = try readJSON(sentenceConfig) as? [String: Any],
           let limit = (json["max_seq_length"] as? NSNumber)?.intValue, limit > 0 {
            maxLength = min(maxLength, limit)
        }
        let tokenizer = try BertTokenizer.load(directory: directory)
        return Embedder(
            directory: directory, encoder: encoder, tokenizer: tokenizer, pooling: pooling,
            maxSequenceLength: maxLength, configuration: configuration)
    }

    /// Embeds texts: tokenized (truncated to `maxSequenceLength` tokens), encoded, pooled, normalised.
    /// With `dims`, keeps the first `dims` components and re-normalises (when the model normalises).
    public func embed(_ texts: [String], dims: Int? = nil) throws -> [[Float]] {
        if let dims, !(1...dimension).contains(dims) {
            throw EngineInputError.dimensionsOutOfRange(requested: dims, available: dimension)
        }
        return try embed(tokenIDs: tokenizer.encode(texts, maxLength: maxSequenceLength).map(\.ids), dims: dims)
    }

    /// Embeds token sequences (each with its [CLS] … [SEP], at most `maxSequenceLength` ids).
    /// With `dims`, keeps the first `dims` components and re-normalises (when the model normalises).
    /// `threads` caps the threads this call uses (nil: the configured count); the vectors do not
    /// depend on it. `pausePoint` runs between the encoder's blocks: a caller may block in it to give
    /// the cores to more urgent work.
    public func embed(tokenIDs: [[Int]], dims: Int? = nil, threads: Int? = nil,
                      pausePoint: (@Sendable () -> Void)? = nil) throws -> [[Float]] {
        if let dims, !(1...dimension).contains(dims) {
            throw EngineInputError.dimensionsOutOfRange(requested: dims, available: dimension)
        }
        let width = dims ?? dimension
        let batches = try BatchPlanner.ranges(lengths: tokenIDs.map(\.count), tokenBudget: configuration.tokensPerBatch).map {
            try PackedBatch(sequences: tokenIDs[$0], types: nil, config: config, maxLength: maxSequenceLength)
        }
        var results: [[Float]] = []
        results.reserveCapacity(tokenIDs.count)
        let c = config.hiddenSize
        var pooled = [Float](repeating: 0, count: dimension)
        encoder.workspaces.withWorkspace { workspace in
            for batch in batches {
                let hidden = encoder.forward(batch, workspace: workspace, threads: threads, pausePoint: pausePoint)
                pooled.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch.sequenceCount {
                        pooling.pool(hidden + batch.starts[b] * c, rows: batch.length(b), columns: c, into: out.baseAddress!)
                        if pooling.normalizes { Pooling.normalize(out.baseAddress!, count: width) }
                        results.append(Array(out[0..<width]))
                    }
                }
            }
        }
        return results
    }

    /// Floating-point operations `embed(tokenIDs:)` performs for sequences of these lengths.
    public func forwardFLOPs(tokenCounts: [Int]) -> Double {
        tokenCounts.reduce(0) { $0 + config.forwardFLOPs(sequenceLength: $1) }
    }
}

extension BertEncoder {
    /// Reads `config.json` and `model.safetensors` from `directory`.
    static func load(directory: URL, configuration: EngineConfiguration) throws -> BertEncoder {
        let config = try BertConfig.load(from: directory.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(url: directory.appendingPathComponent("model.safetensors"),
                                       storage: configuration.weightStorage)
        let weights = try BertWeights(file: file, config: config)
        return BertEncoder(config: config, weights: weights, configuration: configuration)
    }
}
