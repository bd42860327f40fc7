// What the service can fail with. Each door maps these onto its own codes (cass ErrorCode, xf's
// numeric codes, HTTP statuses); the service never names a wire code.
import SemanticCore

public enum ServiceError: Error, Equatable, CustomStringConvertible {
    /// The name matches no model of that kind.
    case modelNotFound(name: String, kind: ModelKind, available: [String])
    /// The model is known but not installed (the message says how to install it).
    case modelNotInstalled(model: String, message: String)
    /// Loading or running the model failed.
    case modelLoadFailed(model: String, message: String)
    /// The request is malformed (dims out of range, too many texts, ...).
    case invalidInput(String)
    /// The inference queue is full.
    case overloaded(String)
    /// The daemon is shutting down.
    case shuttingDown
    /// The request's deadline passed before its work started.
    case deadlineExceeded
    /// The service broke one of its own invariants (a bug, reported rather than trapped or hidden).
    case internalFailure(String)
    /// The operation is not offered by this service (no job service configured, …).
    case unavailable(String)
    /// A text (or pair) is longer than the model's limit and the request refused truncation. `tokens`
    /// counts what would have been fed (prompt and [CLS]/[SEP] included); `index` is the text's position.
    case textTooLong(index: Int, tokens: Int, limit: Int, model: String)
    /// The model's folder is of a kind semd cannot serve (another architecture, tokenizer or module, or
    /// broken files). Never retryable: the same folder fails the same way.
    case modelUnsupported(model: String, reason: String)
    /// The request names a prompt the model does not have.
    case unknownPrompt(model: String, name: String, available: [String])

    public var description: String {
        switch self {
        case .modelNotFound(let name, let kind, let available):
            return "unknown \(kind) model '\(name)'; available: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case .modelNotInstalled(_, let message): return message
        case .modelLoadFailed(let model, let message): return "model \(model) failed: \(message)"
        case .invalidInput(let message): return message
        case .overloaded(let message): return message
        case .shuttingDown: return "the daemon is shutting down"
        case .deadlineExceeded: return "the request's deadline passed before it could run"
        case .internalFailure(let message): return "internal error: \(message)"
        case .unavailable(let message): return message
        case .textTooLong(let index, let tokens, let limit, let model):
            return "text \(index) is \(tokens) tokens long (prompt and [CLS]/[SEP] included), over the \(limit)-token "
                + "limit of \(model); shorten it or let it be truncated"
        case .modelUnsupported(let model, let reason):
            return "model \(model) cannot be served: \(reason)"
        case .unknownPrompt(let model, let name, let available):
            return "model \(model) has no prompt '\(name)'; its prompts: "
                + (available.isEmpty ? "none" : available.joined(separator: ", "))
        }
    }
}
