// The prompted-model goldens (Tests/Fixtures/goldens/prompted_embeddings.json): two tiny
// sentence-transformers models with prompts, and for each of their texts what sentence-transformers
// fed and produced under each prompt rule (plain encode, encode_query, encode_document, a named prompt,
// a literal prompt). Loading only; the suites that use it compare.
import Foundation

/// How a golden entry chose its prompt.
public enum PromptedGoldenRule: Sendable, Equatable {
    /// `encode(texts)`: the model's default prompt.
    case plain
    /// `encode_query` (`query`), `encode_document` (`document`) or `encode(prompt_name=NAME)`.
    case named(String)
    /// `encode(prompt=TEXT)`.
    case literal(String)

    /// The model name that selects this rule through a door without a prompt field (`NAME`,
    /// `NAME:query`); nil for a literal prompt, which no model name can carry.
    public func modelName(_ model: String) -> String? {
        switch self {
        case .plain: return model
        case .named(let prompt): return model + ":" + prompt
        case .literal: return nil
        }
    }
}

/// One text under one rule: the prompt string applied, the ids fed and the vector produced.
public struct PromptedGoldenEntry: Sendable {
    public let text: String
    /// The entry's key in the goldens (`encode_query`, …).
    public let key: String
    public let rule: PromptedGoldenRule
    public let prompt: String
    public let inputIDs: [Int]
    public let embedding: [Float]
}

/// One prompted model of the goldens.
public struct PromptedGoldenModel: Sendable {
    /// Its folder name under Tests/Fixtures/goldens (`tiny_cls_prompted`).
    public let name: String
    public let pooling: String
    public let maxSequenceLength: Int
    /// The prompts as sentence-transformers holds them (empty `query`/`document` added).
    public let prompts: [String: String]
    public let defaultPromptName: String?
    public let dimension: Int
    public let entries: [PromptedGoldenEntry]

    public var directory: URL { Fixtures.url("goldens/\(name)") }

    /// Both models, every entry.
    public static func load() throws -> [PromptedGoldenModel] {
        guard let root = try Fixtures.json("goldens/prompted_embeddings.json") as? [String: Any],
              let models = root["models"] as? [[String: Any]] else {
            throw FixtureError.malformed("goldens/prompted_embeddings.json: no models")
        }
        return try models.map { model in
            guard let name = model["model"] as? String, let cases = model["cases"] as? [[String: Any]] else {
                throw FixtureError.malformed("prompted_embeddings.json: a model without name or cases")
            }
            var entries: [PromptedGoldenEntry] = []
            for item in cases {
                let text = item["text"] as? String ?? ""
                for (key, value) in item.sorted(by: { $0.key < $1.key }) {
                    guard let entry = value as? [String: Any] else { continue }
                    let rule: PromptedGoldenRule
                    switch key {
                    case "encode": rule = .plain
                    case "encode_query": rule = .named("query")
                    case "encode_document": rule = .named("document")
                    case "encode_custom_prompt": rule = .literal(entry["prompt"] as? String ?? "")
                    case let other where other.hasPrefix("encode_prompt_name_"):
                        rule = .named(String(other.dropFirst("encode_prompt_name_".count)))
                    default: throw FixtureError.malformed("prompted_embeddings.json: unknown entry \(key)")
                    }
                    entries.append(PromptedGoldenEntry(
                        text: text, key: key, rule: rule, prompt: entry["prompt"] as? String ?? "",
                        inputIDs: try Golden.ints(entry["input_ids"]), embedding: try Golden.floats(entry["embedding"])))
                }
            }
            return PromptedGoldenModel(
                name: name, pooling: model["pooling"] as? String ?? "",
                maxSequenceLength: (model["max_seq_length"] as? NSNumber)?.intValue ?? 0,
                prompts: model["prompts"] as? [String: String] ?? [:],
                defaultPromptName: model["default_prompt_name"] as? String,
                dimension: (model["dim"] as? NSNumber)?.intValue ?? 0, entries: entries)
        }
    }
}
