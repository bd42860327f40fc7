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
        }
    }
}
