// The request bodies of the routes compatible with Hugging Face's text-embeddings-inference (TEI):
// POST /embed, POST /rerank and POST /tokenize, as TEI's clients send them, plus semd's one extension,
// a `model` field choosing among the served models. Plain Decodable values; a decoding failure is a
// 400 that names the field. Never refers to an engine or a wire type.
import Foundation
import SemanticService

/// The fields TEI's routes share.
enum TEIFields {
    /// TEI's `truncate`: absent or true cuts an over-long text at the model's limit; false refuses it.
    /// TEI's `truncation_direction` is accepted when it is `right` (the only side semd cuts).
    static func truncation<Keys: CodingKey>(_ container: KeyedDecodingContainer<Keys>, truncate: Keys, direction: Keys)
        throws -> TruncationPolicy {
        if let side = try container.decodeIfPresent(String.self, forKey: direction), side.lowercased() != "right" {
            throw APIError.badRequest("truncation_direction \"\(side)\" is not supported: semd keeps the start of a text "
                + "and cuts its end (\"right\")", param: direction.stringValue)
        }
        let cut = try container.decodeIfPresent(Bool.self, forKey: truncate) ?? true
        return cut ? .truncate : .refuse
    }

    /// TEI's `inputs`: one text or a non-empty list of texts; an empty list is TEI's `Empty` error.
    static func inputs<Keys: CodingKey>(_ container: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> [String] {
        if (try? container.decode([String].self, forKey: key))?.isEmpty == true {
            throw APIError.emptyList(param: key.stringValue)
        }
        return try TextList.decode(container, key)
    }

    /// TEI's `prompt_name`: a key of the model's prompts; absent means the model's default prompt.
    static func prompt<Keys: CodingKey>(_ container: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> PromptChoice {
        guard let name = try container.decodeIfPresent(String.self, forKey: key) else { return .modelDefault }
        guard !name.isEmpty else {
            throw APIError.badRequest("prompt_name must not be empty; leave it out for the model's default prompt",
                                      param: key.stringValue)
        }
        return .named(name)
    }
}

/// `POST /embed`: `{"inputs": "text" | ["text", ...], "normalize"?, "truncate"?, "truncation_direction"?,
/// "prompt_name"?, "dimensions"?, "model"?}`
struct TEIEmbedBody: Decodable, Sendable {
    let inputs: [String]
    /// TEI's default is true: unit-length vectors.
    let normalize: Bool
    let truncation: TruncationPolicy
    let prompt: PromptChoice
    let dimensions: Int?
    let model: String

    enum CodingKeys: String, CodingKey {
        case inputs, normalize, truncate, dimensions, model
        case truncationDirection = "truncation_direction"
        case promptName = "prompt_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try TEIFields.inputs(container, .inputs)
        normalize = try container.decodeIfPresent(Bool.self, forKey: .normalize) ?? true
        truncation = try TEIFields.truncation(container, truncate: .truncate, direction: .truncationDirection)
        prompt = try TEIFields.prompt(container, .promptName)
        dimensions = try container.decodeIfPresent(Int.self, forKey: .dimensions)
        if let dimensions, dimensions < 1 {
            throw APIError.badRequest("dimensions must be at least 1", param: "dimensions")
        }
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? "default"
    }
}

/// `POST /rerank`: `{"query", "texts": ["text", ...], "truncate"?, "truncation_direction"?, "raw_scores"?,
/// "return_text"?, "model"?}`
struct TEIRerankBody: Decodable, Sendable {
    let query: String
    let texts: [String]
    let truncation: TruncationPolicy
    /// Logits instead of sigmoid scores.
    let rawScores: Bool
    let returnText: Bool
    let model: String

    enum CodingKeys: String, CodingKey {
        case query, texts, truncate, model
        case truncationDirection = "truncation_direction"
        case rawScores = "raw_scores"
        case returnText = "return_text"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        query = try container.decode(String.self, forKey: .query)
        texts = try container.decode([String].self, forKey: .texts)
        guard !texts.isEmpty else { throw APIError.emptyList(param: "texts") }
        truncation = try TEIFields.truncation(container, truncate: .truncate, direction: .truncationDirection)
        rawScores = try container.decodeIfPresent(Bool.self, forKey: .rawScores) ?? false
        returnText = try container.decodeIfPresent(Bool.self, forKey: .returnText) ?? false
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? "default"
    }
}

/// `POST /tokenize`: `{"inputs": "text" | ["text", ...], "add_special_tokens"?, "prompt_name"?, "truncate"?,
/// "model"?}`. Unlike TEI, the tokens are those the model sees: cut at its limit, or with `truncate`
/// false an over-long text refused, as /embed refuses it.
struct TEITokenizeBody: Decodable, Sendable {
    let inputs: [String]
    let addSpecialTokens: Bool
    let prompt: PromptChoice
    let truncation: TruncationPolicy
    let model: String

    enum CodingKeys: String, CodingKey {
        case inputs, truncate, model
        case addSpecialTokens = "add_special_tokens"
        case promptName = "prompt_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try TEIFields.inputs(container, .inputs)
        addSpecialTokens = try container.decodeIfPresent(Bool.self, forKey: .addSpecialTokens) ?? true
        prompt = try TEIFields.prompt(container, .promptName)
        let truncate = try container.decodeIfPresent(Bool.self, forKey: .truncate) ?? true
        truncation = truncate ? .truncate : .refuse
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? "default"
    }
}
