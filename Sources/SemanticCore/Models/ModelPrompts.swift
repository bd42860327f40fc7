// The prompts of a sentence-transformers model (`config_sentence_transformers.json`: `prompts` and
// `default_prompt_name`) with sentence-transformers' own rules: a folder without a `query` or
// `document` prompt gets an empty one; `encode_query` uses `query`; `encode_document` uses the first
// of `document`, `passage`, `corpus`; a plain `encode` uses `default_prompt_name`. A prompt is
// prepended to the text and the two are tokenized as one string. Reads one small JSON file; never
// tokenizes, never reads weights.
import Foundation

public struct ModelPrompts: Sendable, Equatable {
    /// Prompt name → prompt string, `query` and `document` always present (empty when the folder has none).
    public let prompts: [String: String]
    /// The prompt a plain `encode` applies (`default_prompt_name`), nil for none.
    public let defaultPromptName: String?

    /// Names `encode_document` tries, in order.
    public static let documentPromptNames = ["document", "passage", "corpus"]

    /// No prompts of the folder's own: `query` and `document` empty, no default.
    public static let none = ModelPrompts(folderPrompts: [:], defaultPromptName: nil)

    /// The folder's prompts with sentence-transformers' empty `query` and `document` added when absent.
    public init(folderPrompts: [String: String], defaultPromptName: String?) {
        var prompts = folderPrompts
        if prompts["query"] == nil { prompts["query"] = "" }
        if prompts["document"] == nil { prompts["document"] = "" }
        self.prompts = prompts
        self.defaultPromptName = defaultPromptName
    }

    /// Every prompt name, sorted.
    public var names: [String] { prompts.keys.sorted() }

    /// The prompt string a plain encode prepends (nil: none).
    public var defaultPrompt: String? { defaultPromptName.flatMap { prompts[$0] } }

    /// The prompt string `name` selects: `document` follows `encode_document`'s order (document, passage,
    /// corpus); any other name must be a key of `prompts`. Nil when the model has no such prompt.
    public func prompt(named name: String) -> String? {
        if name == "document" {
            for candidate in Self.documentPromptNames {
                if let prompt = prompts[candidate] { return prompt }
            }
            return ""
        }
        return prompts[name]
    }

    /// The prompt string `selection` applies, by sentence-transformers' rules: a plain encode's default,
    /// none, a literal string, or a prompt by name. Nil for none; an empty prompt counts as none. Throws
    /// for a name the model does not have, listing the names it has.
    public func promptString(for selection: PromptSelection) throws(UnknownPromptName) -> String? {
        let prompt: String?
        switch selection {
        case .modelDefault: prompt = defaultPrompt
        case .none: prompt = nil
        case .text(let text): prompt = text
        case .named(let name):
            guard let named = self.prompt(named: name) else { throw UnknownPromptName(name: name, available: names) }
            prompt = named
        }
        guard let prompt, !prompt.isEmpty else { return nil }
        return prompt
    }

    /// Reads `config_sentence_transformers.json` in `directory`; a folder without it has no prompts.
    public static func load(directory: URL) throws -> ModelPrompts {
        let url = directory.appendingPathComponent("config_sentence_transformers.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return .none }
        guard let json = try readJSON(url) as? [String: Any] else {
            throw ModelConfigurationError(file: url.path, problem: "expected a JSON object")
        }
        if let type = json["model_type"] as? String, !["SentenceTransformer", "CrossEncoder"].contains(type) {
            throw ModelConfigurationError(
                file: url.path, problem: "model_type '\(type)' is not supported; expected a SentenceTransformer or CrossEncoder")
        }
        var folderPrompts: [String: String] = [:]
        switch json["prompts"] {
        case nil, is NSNull:
            break
        case let object as [String: Any]:
            for (name, value) in object {
                guard let prompt = value as? String else {
                    throw ModelConfigurationError(file: url.path, problem: "prompt '\(name)' is not a string: \(value)")
                }
                folderPrompts[name] = prompt
            }
        default:
            throw ModelConfigurationError(file: url.path, problem: "expected 'prompts' to be an object of name → string")
        }
        var defaultName: String?
        switch json["default_prompt_name"] {
        case nil, is NSNull:
            break
        case let name as String:
            let prompts = ModelPrompts(folderPrompts: folderPrompts, defaultPromptName: nil)
            guard prompts.prompts[name] != nil else {
                throw ModelConfigurationError(
                    file: url.path,
                    problem: "default_prompt_name '\(name)' is not one of its prompts (\(prompts.names.joined(separator: ", ")))")
            }
            defaultName = name
        case let other?:
            throw ModelConfigurationError(file: url.path, problem: "expected 'default_prompt_name' to be a string or null, found \(other)")
        }
        return ModelPrompts(folderPrompts: folderPrompts, defaultPromptName: defaultName)
    }
}

/// Which of a model's prompts an encode applies; the service's and the client's prompt choices name it.
public enum PromptSelection: Sendable, Equatable {
    /// A plain `encode`: the model's `default_prompt_name`, else none.
    case modelDefault
    /// A prompt of the model by name (`document` follows `encode_document`'s order).
    case named(String)
    /// A literal prompt string (`encode(prompt=...)`), in place of any default.
    case text(String)
    /// No prompt, even when the model has a default.
    case none
}

/// A prompt name the model does not have, with the names it has (sorted).
public struct UnknownPromptName: Error, Sendable, Equatable {
    public let name: String
    public let available: [String]
}
