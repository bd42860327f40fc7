// The prompt and truncation choices of SemanticClient's `embed`, as the client's own public values (the
// client does not link the daemon's service), with sentence-transformers' prompt rules applied to a
// model folder's prompts, and the one mapping onto the cass socket, which has no prompt field: a named
// prompt travels as the `NAME:PROMPT` model name, no prompt as `NAME:`, and a literal prompt is
// prepended to every text under `NAME:` (exactly what sentence-transformers does: it concatenates the
// prompt and the text and tokenizes them as one string). Pure values; never loads a model.
import SemanticCore

/// The prompt prepended to every text before it is embedded.
public enum EmbeddingPrompt: Sendable, Equatable {
    /// A plain `encode`: the model's `default_prompt_name` when its folder has one, else none.
    case modelDefault
    /// A prompt of the model by name. `query` is `encode_query`'s prompt; `document` is
    /// `encode_document`'s (the first of document, passage, corpus; empty when the model has none).
    case named(String)
    /// A literal prompt string (`encode(prompt=...)`), in place of any default.
    case text(String)
    /// No prompt, even when the model has a default.
    case none

    /// The model and the prompt a call with `modelName` (`NAME` or `NAME:PROMPT`) and `prompt` stands
    /// for, by the daemon's rule: a `:PROMPT` suffix names the prompt when `prompt` is `.modelDefault`
    /// (an empty suffix means none); otherwise `prompt` wins.
    public static func split(modelName: String, prompt: EmbeddingPrompt) -> (model: String, prompt: EmbeddingPrompt) {
        let request = PromptedModel(name: modelName, prompt: prompt)
        return (request.model, request.prompt)
    }

    /// sentence-transformers' `encode_query`.
    public static let query = EmbeddingPrompt.named("query")
    /// sentence-transformers' `encode_document`.
    public static let document = EmbeddingPrompt.named("document")

    /// The prompt string this choice applies to a model with `prompts`, by ModelPrompts' rule (nil:
    /// none; an empty prompt is none). Throws for a prompt name the model does not have, listing those it has.
    public func promptString(with prompts: ModelPrompts, model: String) throws(ClientError) -> String? {
        do {
            return try prompts.promptString(for: selection)
        } catch {
            throw .invalidRequest("\(model) has no prompt named '\(error.name)'; its prompts: "
                + error.available.joined(separator: ", "))
        }
    }

    /// The same choice in SemanticCore's terms.
    var selection: PromptSelection {
        switch self {
        case .modelDefault: .modelDefault
        case .named(let name): .named(name)
        case .text(let text): .text(text)
        case .none: .none
        }
    }
}

/// What happens to a text longer than the model's token limit.
public enum TruncationRule: Sendable, Equatable {
    /// Cut it at the limit (what sentence-transformers does).
    case truncate
    /// Refuse the call, naming the text, its token count and the limit.
    case refuse
}

/// A model name with the prompt a call asked for, as the daemon's name form carries them.
struct PromptedModel: Equatable {
    /// The model's name or alias, without a `:PROMPT` suffix.
    let model: String
    let prompt: EmbeddingPrompt

    /// Splits `NAME:PROMPT` the way the daemon does: the suffix names the prompt when the call asked for
    /// the model's default (an empty suffix means no prompt); a call's own prompt wins over a suffix.
    init(name: String, prompt: EmbeddingPrompt) {
        guard let colon = name.firstIndex(of: ":") else {
            (model, self.prompt) = (name, prompt)
            return
        }
        model = String(name[..<colon])
        guard prompt == .modelDefault else {
            self.prompt = prompt
            return
        }
        let suffix = name[name.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        self.prompt = suffix.isEmpty ? .none : .named(suffix)
    }

    /// The model name and texts to send over the cass socket for this prompt.
    func wireRequest(for texts: [String]) -> (model: String, texts: [String]) {
        switch prompt {
        case .modelDefault: return (model, texts)
        case .named(let name): return ("\(model):\(name)", texts)
        case .none: return ("\(model):", texts)
        case .text(let prompt): return ("\(model):", texts.map { prompt + $0 })
        }
    }
}
