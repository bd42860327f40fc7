// Which prompt an embedding request applies, what happens to a text over the model's token limit, and
// the `NAME:PROMPT` model-name form that carries a prompt name through doors without a prompt field
// (cass v1/v2, xf). The prompt rules are sentence-transformers' (see ModelPrompts). Pure values and
// name arithmetic: never loads a model.
import SemanticCore

/// The prompt an embedding request applies to every text (prompt and text are tokenized as one string):
/// SemanticCore's `PromptSelection` (the model's default, a prompt by name, a literal string or none),
/// whose rule `ModelPrompts.promptString(for:)` applies.
public typealias PromptChoice = PromptSelection

/// What happens to a text (or pair) longer than the model's token limit.
public enum TruncationPolicy: Sendable, Equatable {
    /// Cut it at the limit, as sentence-transformers does (the result says which texts were cut).
    case truncate
    /// Refuse the request with `ServiceError.textTooLong`, naming the text, its token count and the limit.
    case refuse
}

/// A model name as a request carries it, split into the model and the prompt name its `:PROMPT`
/// suffix selects. Model names never contain `:` (user model names are checked when added).
public struct PromptedModelName: Sendable, Equatable {
    /// The model's name or alias, without the suffix.
    public let model: String
    /// The prompt name after the first `:`, nil for a plain name.
    public let promptName: String?

    public init(_ name: String) {
        if let colon = name.firstIndex(of: ":") {
            model = String(name[..<colon])
            promptName = String(name[name.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        } else {
            model = name
            promptName = nil
        }
    }

    /// The prompt to apply: the request's own choice, or, when it is `.modelDefault`, the name's suffix;
    /// an empty suffix (`NAME:`) means no prompt, even when the model has a default (how SemanticClient
    /// sends a literal prompt, already prepended to each text, over a socket without a prompt field).
    public func choice(requested: PromptChoice) -> PromptChoice {
        guard requested == .modelDefault, let promptName else { return requested }
        return promptName.isEmpty ? .none : .named(promptName)
    }
}

extension PromptChoice {
    /// The prompt string this choice applies with `prompts`, by ModelPrompts' rule; nil for none (an
    /// empty prompt counts as none). Throws `unknownPrompt` for a name the model does not have.
    func promptString(with prompts: ModelPrompts, model: String) throws(ServiceError) -> String? {
        do {
            return try prompts.promptString(for: self)
        } catch {
            throw .unknownPrompt(model: model, name: error.name, available: error.available)
        }
    }
}
