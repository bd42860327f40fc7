// Embedder: a sentence-transformers BERT model (Transformer → Pooling → Normalize) as one Sendable
// object. Token sequences are packed into batches under the token budget, encoded, pooled, normalised
// and optionally truncated to `dims`. Weights are shared read-only; every call borrows a workspace.
// Text goes through the model folder's BertTokenizer (truncated to `maxSequenceLength`) before encoding;
// a prompt is prepended and the two are tokenized as one string, as sentence-transformers does.
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
    /// The model's prompts (config_sentence_transformers.json), with sentence-transformers' rules.
    public let prompts: ModelPrompts
    /// sentence_bert_config.json `do_lower_case`: the text (prompt included) is lower-cased before the
    /// tokenizer sees it, as sentence-transformers' Transformer module does.
    public let lowercasesText: Bool
    let encoder: BertEncoder

    init(
        directory: URL, encoder: BertEncoder, tokenizer: BertTokenizer, pooling: EmbeddingPooling,
        maxSequenceLength: Int, prompts: ModelPrompts = .none, lowercasesText: Bool = false,
        configuration: EngineConfiguration
    ) {
        self.prompts = prompts
        self.lowercasesText = lowercasesText
        self.directory = directory
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.config = encoder.config
        self.pooling = pooling
        self.maxSequenceLength = maxSequenceLength
        self.configuration = configuration
        dimension = pooling.modes.count * encoder.config.hiddenSize
    }

    /// Loads `config.json`, `model.safetensors`, the tokenizer files, `modules.json`, the pooling config,
    /// `sentence_bert_config.json` and `config_sentence_transformers.json` from a sentence-transformers
    /// model folder.
    public static func load(directory: URL, configuration: EngineConfiguration = .init()) throws -> Embedder {
        let encoder = try BertEncoder.load(directory: directory, configuration: configuration)
        let pooling = try EmbeddingPooling.load(directory: directory)
        let sentenceSettings = try SentenceBertSettings.load(directory: directory)
        var maxLength = encoder.config.maxPositionEmbeddings
        if let limit = sentenceSettings.maxSequenceLength { maxLength = min(maxLength, limit) }
        let prompts = try ModelPrompts.load(directory: directory)
        let tokenizer = try BertTokenizer.load(directory: directory)
        return Embedder(
            directory: directory, encoder: encoder, tokenizer: tokenizer, pooling: pooling,
            maxSequenceLength: maxLength, prompts: prompts, lowercasesText: sentenceSettings.lowercasesText,
            configuration: configuration)
    }

    /// Embeds texts: tokenized (truncated to `maxSequenceLength` tokens), encoded, pooled, normalised.
    /// With `dims`, keeps the first `dims` components and re-normalises (when the model normalises).
    /// `prompt` is prepended to every text (nil: none; see `prompts` for the model's own).
    public func embed(_ texts: [String], prompt: String? = nil, dims: Int? = nil) throws -> [[Float]] {
        if let dims, !(1...dimension).contains(dims) {
            throw EngineInputError.dimensionsOutOfRange(requested: dims, available: dimension)
        }
        return try embed(tokenIDs: encode(texts, prompt: prompt).map(\.ids), dims: dims)
    }

    /// The token ids the model is fed for each text: `prompt + text` as one string (lower-cased when
    /// the model says so), `[CLS] … [SEP]`, cut to `maxSequenceLength` (prompt tokens count against it).
    /// `wasTruncated` tells which texts were cut.
    public func encode(_ texts: [String], prompt: String? = nil) -> [TokenEncoding] {
        tokenizer.encode(texts.map { input(for: $0, prompt: prompt) }, maxLength: maxSequenceLength)
    }

    /// The string the tokenizer sees for `text`: the prompt and the text as one string, lower-cased when
    /// `lowercasesText`.
    public func input(for text: String, prompt: String?) -> String {
        let joined = (prompt ?? "") + text
        return lowercasesText ? joined.lowercased() : joined
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

extension Embedder {
    /// Packs the weights' panels for the small-product kernel now, on the cores beside the caller, and
    /// returns when every layer's are published. Without it the engine packs them itself, in the
    /// background after its first pass with a product of up to 512 rows (BertEncoder.panelRowLimit);
    /// a program that wants its very first query on the panels calls this after loading.
    public func preparePanels() { encoder.weights.packPanels() }

    /// Whether every layer's panels are published.
    public var panelsReady: Bool { encoder.weights.panelsPacked }
}
