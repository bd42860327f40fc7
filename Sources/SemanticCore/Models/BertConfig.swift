// BertConfig: the hyper-parameters of a BERT encoder, decoded from a Hugging Face `config.json` with the
// same defaults as transformers' `BertConfig`. It validates what the engine relies on (head split, the
// activation, absolute positions) and says what it found; it never reads weights.
import Foundation

/// The feed-forward activation named by `hidden_act`.
public enum BertActivation: String, Sendable, Equatable {
    /// `"gelu"`: x·Φ(x) with the exact error function (transformers' default for BERT).
    case geluErf = "gelu"
    /// `"gelu_new"` / `"gelu_pytorch_tanh"`: the tanh approximation, supported when a model names it.
    case geluTanh = "gelu_new"

    init?(configName: String) {
        switch configName {
        case "gelu": self = .geluErf
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        default: return nil
        }
    }
}

/// A problem with a model's configuration files (config.json, modules.json, pooling config...).
public struct ModelConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

public struct BertConfig: Sendable, Equatable {
    public var vocabSize: Int = 30522
    public var hiddenSize: Int = 768
    public var numHiddenLayers: Int = 12
    public var numAttentionHeads: Int = 12
    public var intermediateSize: Int = 3072
    public var hiddenActivation: BertActivation = .geluErf
    public var maxPositionEmbeddings: Int = 512
    public var typeVocabSize: Int = 2
    public var layerNormEps: Float = 1e-12
    /// Labels of a sequence-classification head (`num_labels`, or the size of `id2label`).
    public var numLabels: Int = 2

    public init() {}

    /// Head size D = C / H.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Reads and validates `config.json`.
    public static func load(from url: URL) throws -> BertConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelConfigurationError(file: url.path, problem: "cannot read it (\(error.localizedDescription)); install the model (`make models`)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw ModelConfigurationError(file: url.path, problem: "expected a JSON object; re-install the model (`make models`)")
        }
        return try BertConfig(json: json, file: url.path)
    }

    /// Decodes the keys of a transformers BERT config, defaulting absent ones as transformers does.
    public init(json: [String: Any], file: String = "config.json") throws {
        func integer(_ key: String, _ fallback: Int) throws -> Int {
            guard let value = json[key], !(value is NSNull) else { return fallback }
            guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded(), number.intValue > 0 else {
                throw ModelConfigurationError(file: file, problem: "expected '\(key)' to be a positive integer, found \(value)")
            }
            return number.intValue
        }
        if let type = json["model_type"] as? String, type != "bert" {
            throw ModelConfigurationError(file: file, problem: "expected model_type 'bert', found '\(type)'")
        }
        vocabSize = try integer("vocab_size", vocabSize)
        hiddenSize = try integer("hidden_size", hiddenSize)
        numHiddenLayers = try integer("num_hidden_layers", numHiddenLayers)
        numAttentionHeads = try integer("num_attention_heads", numAttentionHeads)
        intermediateSize = try integer("intermediate_size", intermediateSize)
        maxPositionEmbeddings = try integer("max_position_embeddings", maxPositionEmbeddings)
        typeVocabSize = try integer("type_vocab_size", typeVocabSize)
        if let labels = json["id2label"] as? [String: Any] {
            numLabels = labels.count
        }
        numLabels = try integer("num_labels", numLabels)

        if let eps = json["layer_norm_eps"] {
            guard let number = eps as? NSNumber, number.doubleValue > 0 else {
                throw ModelConfigurationError(file: file, problem: "expected 'layer_norm_eps' to be a positive number, found \(eps)")
            }
            layerNormEps = Float(number.doubleValue)
        }
        if let name = json["hidden_act"] {
            guard let name = name as? String, let activation = BertActivation(configName: name) else {
                throw ModelConfigurationError(
                    file: file,
                    problem: "hidden_act '\(name)' is not supported; expected 'gelu' (exact erf), 'gelu_new' or 'gelu_pytorch_tanh'")
            }
            hiddenActivation = activation
        }
        if let positions = json["position_embedding_type"] as? String, positions != "absolute" {
            throw ModelConfigurationError(file: file, problem: "position_embedding_type '\(positions)' is not supported; expected 'absolute'")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelConfigurationError(
                file: file, problem: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
    }
}

extension BertConfig {
    /// Floating-point operations of one forward pass over a sequence of `length` tokens: the linear
    /// layers (2·C·(3C + C + 2I) per token per layer) plus attention (4·L·C per token per layer).
    /// For all-MiniLM-L6-v2 this is L·(21.23e6 + 9216·L).
    public func forwardFLOPs(sequenceLength length: Int) -> Double {
        let c = Double(hiddenSize), i = Double(intermediateSize), layers = Double(numHiddenLayers)
        let l = Double(length)
        return l * layers * (2 * c * (4 * c + 2 * i) + 4 * l * c)
    }
}
