// How a sentence-transformers model turns token states into one vector: the modules listed in
// `modules.json` (Transformer → Pooling → optional Normalize) and the Pooling module's config
// (`1_Pooling/config.json`). A folder without modules.json is a plain BertModel: mean pooling, no
// normalisation, as sentence-transformers builds it. Reads small JSON files only.
import Foundation

/// A token-pooling strategy of sentence-transformers' Pooling module.
public enum PoolingMode: String, Sendable, Equatable, CaseIterable {
    /// The first token ([CLS]).
    case cls
    /// Column-wise maximum over tokens.
    case max
    /// Mean over every token, [CLS] and [SEP] included.
    case mean
    /// Sum over tokens / √L.
    case meanSqrtLength
}

public struct EmbeddingPooling: Sendable, Equatable {
    /// Modes in sentence-transformers' concatenation order (cls, max, mean, mean_sqrt_len).
    public var modes: [PoolingMode]
    /// Whether a Normalize module follows pooling (L2, unit length).
    public var normalizes: Bool

    public init(modes: [PoolingMode] = [.mean], normalizes: Bool = true) {
        self.modes = modes
        self.normalizes = normalizes
    }

    /// Reads `modules.json` and the Pooling module's config under `directory`.
    public static func load(directory: URL) throws -> EmbeddingPooling {
        let modulesURL = directory.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: modulesURL.path) else {
            return EmbeddingPooling(modes: [.mean], normalizes: false)
        }
        guard let modules = try readJSON(modulesURL) as? [[String: Any]] else {
            throw ModelConfigurationError(file: modulesURL.path, problem: "expected a JSON array of modules")
        }
        var poolingPath: String?
        var normalizes = false
        for module in modules {
            let type = module["type"] as? String ?? ""
            switch type.split(separator: ".").last.map(String.init) ?? type {
            case "Transformer":
                continue
            case "Pooling":
                poolingPath = module["path"] as? String ?? "1_Pooling"
            case "Normalize":
                normalizes = true
            default:
                throw ModelConfigurationError(
                    file: modulesURL.path,
                    problem: "module '\(type)' is not supported; expected Transformer, Pooling and Normalize")
            }
        }
        guard let poolingPath else {
            throw ModelConfigurationError(file: modulesURL.path, problem: "expected a sentence_transformers.models.Pooling module")
        }
        let poolingURL = directory.appendingPathComponent(poolingPath).appendingPathComponent("config.json")
        guard let pooling = try readJSON(poolingURL) as? [String: Any] else {
            throw ModelConfigurationError(file: poolingURL.path, problem: "expected a JSON object")
        }
        func flag(_ key: String) -> Bool { (pooling[key] as? NSNumber)?.boolValue ?? false }
        for unsupported in ["pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"] where flag(unsupported) {
            throw ModelConfigurationError(
                file: poolingURL.path, problem: "\(unsupported) is not supported; expected cls, max, mean or mean_sqrt_len pooling")
        }
        if let includePrompt = pooling["include_prompt"], JSONValues.boolean(includePrompt) == false {
            throw ModelConfigurationError(
                file: poolingURL.path, problem: "include_prompt false (pooling without the prompt's tokens) is not supported")
        }
        var modes: [PoolingMode] = []
        if flag("pooling_mode_cls_token") { modes.append(.cls) }
        if flag("pooling_mode_max_tokens") { modes.append(.max) }
        if flag("pooling_mode_mean_tokens") { modes.append(.mean) }
        if flag("pooling_mode_mean_sqrt_len_tokens") { modes.append(.meanSqrtLength) }
        guard !modes.isEmpty else {
            throw ModelConfigurationError(file: poolingURL.path, problem: "no pooling mode is enabled; expected one of pooling_mode_cls_token, pooling_mode_max_tokens, pooling_mode_mean_tokens")
        }
        return EmbeddingPooling(modes: modes, normalizes: normalizes)
    }

    /// Pools one sequence's states x: [L, C] into out: [modes.count · C].
    func pool(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        for (index, mode) in modes.enumerated() {
            let target = out + index * columns
            switch mode {
            case .cls: Pooling.first(x, columns: columns, into: target)
            case .max: Pooling.max(x, rows: rows, columns: columns, into: target)
            case .mean: Pooling.mean(x, rows: rows, columns: columns, into: target)
            case .meanSqrtLength: Pooling.meanSqrtLength(x, rows: rows, columns: columns, into: target)
            }
        }
    }
}

/// Parses a JSON file, turning read and syntax failures into `ModelConfigurationError`.
func readJSON(_ url: URL) throws -> Any {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw ModelConfigurationError(file: url.path, problem: "cannot read it (\(error.localizedDescription)); install the model (`make models`)")
    }
    do {
        return try JSONSerialization.jsonObject(with: data)
    } catch {
        throw ModelConfigurationError(file: url.path, problem: "not valid JSON; re-install the model (`make models`)")
    }
}
