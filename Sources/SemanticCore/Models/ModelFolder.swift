// What a Hugging Face / sentence-transformers BERT folder is, from its small JSON files alone: its kind
// (an embedder, or a cross-encoder reranker), the vector it makes (pooling, Normalize, dimension), its
// token limit, lower-casing and prompts. Used to describe a model without loading it, and by the trial
// load. Reads config.json, modules.json, the pooling config, sentence_bert_config.json,
// config_sentence_transformers.json and tokenizer_config.json; never reads weights or the tokenizer.
import Foundation

extension PoolingMode {
    /// sentence-transformers' name of the mode (`cls`, `max`, `mean`, `mean_sqrt_len`).
    public var name: String {
        switch self {
        case .cls: return "cls"
        case .max: return "max"
        case .mean: return "mean"
        case .meanSqrtLength: return "mean_sqrt_len"
        }
    }
}

/// How a model folder serves, as its configuration files state it.
public struct ModelFolderDescription: Sendable, Equatable {
    public var kind: ModelKind
    /// Vector length for embedders (pooling modes × hidden size), nil for rerankers.
    public var dimension: Int?
    /// Pooling modes in sentence-transformers' order; empty for rerankers.
    public var pooling: [PoolingMode]
    /// A Normalize module follows pooling (unit-length vectors).
    public var normalizes: Bool
    /// Most tokens fed per text (or pair), [CLS]/[SEP] and prompt included.
    public var maxSequenceLength: Int
    /// sentence_bert_config.json `do_lower_case`.
    public var lowercasesText: Bool
    public var prompts: ModelPrompts

    public init(kind: ModelKind, dimension: Int?, pooling: [PoolingMode], normalizes: Bool, maxSequenceLength: Int,
                lowercasesText: Bool, prompts: ModelPrompts) {
        self.kind = kind
        self.dimension = dimension
        self.pooling = pooling
        self.normalizes = normalizes
        self.maxSequenceLength = maxSequenceLength
        self.lowercasesText = lowercasesText
        self.prompts = prompts
    }
}

public enum ModelFolder {
    /// The folder's kind from config.json: a `*ForSequenceClassification` architecture, a
    /// `sentence_transformers` cross-encoder block, or config_sentence_transformers.json's
    /// `model_type: CrossEncoder` make a reranker; anything else (BertModel, the sentence-transformers
    /// layout) an embedder. Throws when config.json is missing, unreadable, or not a BERT model.
    public static func kind(of directory: URL) throws -> ModelKind {
        let configURL = directory.appendingPathComponent("config.json")
        guard let json = try readJSON(configURL) as? [String: Any] else {
            throw ModelConfigurationError(file: configURL.path, problem: "expected a JSON object")
        }
        _ = try BertConfig(json: json, file: configURL.path)
        let architectures = json["architectures"] as? [String] ?? []
        if architectures.contains(where: { $0.hasSuffix("ForSequenceClassification") }) { return .reranker }
        if let block = json["sentence_transformers"] as? [String: Any], block["activation_fn"] != nil || block["version"] != nil {
            return .reranker
        }
        if json["sbert_ce_default_activation_function"] != nil { return .reranker }
        let stConfig = directory.appendingPathComponent("config_sentence_transformers.json")
        if FileManager.default.fileExists(atPath: stConfig.path),
           let object = try readJSON(stConfig) as? [String: Any], object["model_type"] as? String == "CrossEncoder" {
            return .reranker
        }
        return .embedder
    }

    /// Everything the folder's configuration files say about serving it, without loading weights.
    /// `kind` serves the folder as that kind whatever its config says (nil: as its config says).
    /// Throws `ModelConfigurationError` naming the file and the problem.
    public static func describe(_ directory: URL, as kind: ModelKind? = nil) throws -> ModelFolderDescription {
        let found = try self.kind(of: directory)
        let kind = kind ?? found
        let config = try BertConfig.load(from: directory.appendingPathComponent("config.json"))
        switch kind {
        case .embedder:
            let pooling = try EmbeddingPooling.load(directory: directory)
            let settings = try SentenceBertSettings.load(directory: directory)
            var maxLength = config.maxPositionEmbeddings
            if let limit = settings.maxSequenceLength { maxLength = min(maxLength, limit) }
            return ModelFolderDescription(
                kind: .embedder, dimension: pooling.modes.count * config.hiddenSize, pooling: pooling.modes,
                normalizes: pooling.normalizes, maxSequenceLength: maxLength, lowercasesText: settings.lowercasesText,
                prompts: try ModelPrompts.load(directory: directory))
        case .reranker:
            return ModelFolderDescription(
                kind: .reranker, dimension: nil, pooling: [], normalizes: false,
                maxSequenceLength: try CrossEncoder.maxSequenceLength(directory: directory, config: config),
                lowercasesText: false, prompts: .none)
        }
    }
}
