// AttestedRequestError: every way a daemon refuses an attested request or an attested answer, with
// the protocol error code and the fixed message cass's own daemon sends (spec §6.2, §6.3). The wire
// message never carries the detail (an index, a field): that goes only into `description`, for logs.
import SemanticWire

public enum AttestedRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The identity is not published yet (model not loaded, or the attestation stage failed).
    case channelUnavailable
    /// More than 1,024 texts (documents, for rerank).
    case tooManyItems(count: Int)
    /// An empty text; `index` is nil for a rerank query.
    case emptyText(index: Int?)
    /// A text over 64 KiB; `index` is nil for a rerank query.
    case textTooLong(index: Int?, byteCount: Int)
    /// More than 4 MiB of text in all.
    case inputTooLarge(byteCount: Int)
    /// An embedding challenge whose operation does not fit the number of texts.
    case operationDoesNotMatchRequestShape(operation: DaemonOperationV1, textCount: Int)
    /// The challenge is not the one the daemon rebuilds from the request itself.
    case verificationFailed(ChallengeMismatch)
    /// The answer could not be signed (e.g. an all-zero embedding row): nothing is sent but this error.
    case responseFailedValidation(operation: DaemonOperationV1, reason: AttestationSigningError)

    /// The protocol error code cass's daemon uses for this failure.
    public var code: ErrorCode {
        switch self {
        case .channelUnavailable: return .modelLoadFailed
        case .tooManyItems, .emptyText, .textTooLong, .inputTooLarge, .operationDoesNotMatchRequestShape, .verificationFailed:
            return .invalidInput
        case .responseFailedValidation: return .internalError
        }
    }

    /// The fixed text sent on the wire.
    public var message: String {
        switch self {
        case .channelUnavailable: return "producer-attested daemon channel is unavailable"
        case .tooManyItems: return "inference request exceeds 1024 items"
        case .emptyText: return "inference input contains an empty text"
        case .textTooLong: return "inference text exceeds 64 KiB"
        case .inputTooLarge: return "inference request exceeds 4 MiB of input text"
        case .operationDoesNotMatchRequestShape: return "attested embedding operation does not match the request shape"
        case .verificationFailed: return "daemon attestation request failed verification"
        case .responseFailedValidation(let operation, _):
            return operation == .rerank ? "rerank response failed attestation validation" : "embedding response failed attestation validation"
        }
    }

    /// The error frame's payload: none of these is retryable.
    public var errorResponse: ErrorResponse {
        ErrorResponse(code: code, message: message, retryable: false, retryAfterMilliseconds: nil)
    }

    /// The wire message and, for logs, what exactly was wrong.
    public var description: String {
        switch self {
        case .channelUnavailable, .verificationFailed(.none): return message
        case .tooManyItems(let count): return "\(message) (\(count) items)"
        case .emptyText(let index): return "\(message) (\(Self.name(index)))"
        case .textTooLong(let index, let byteCount): return "\(message) (\(Self.name(index)): \(byteCount) bytes)"
        case .inputTooLarge(let byteCount): return "\(message) (at least \(byteCount) bytes)"
        case .operationDoesNotMatchRequestShape(let operation, let textCount):
            return "\(message) (operation \(operation.rawValue), \(textCount) text(s))"
        case .verificationFailed(let mismatch): return "\(message) (\(mismatch))"
        case .responseFailedValidation(_, let reason): return "\(message) (\(reason))"
        }
    }

    private static func name(_ index: Int?) -> String { index.map { "text \($0)" } ?? "the query" }
}

/// How a received challenge differs from the one the daemon rebuilds (spec §6.2).
public enum ChallengeMismatch: Equatable, Sendable, CustomStringConvertible {
    /// Nothing more is known.
    case none
    /// The challenge breaks a shape rule itself (schema, hex, input count for the operation).
    case invalid(IdentityValidationError)
    /// A field differs from the rebuilt challenge: `schema_version`, `operation`,
    /// `ordered_request_sha256`, `input_count` or `expected_connection_fingerprint`.
    case fieldDiffers(String)

    public var description: String {
        switch self {
        case .none: return "no detail"
        case .invalid(let error): return error.description
        case .fieldDiffers(let field): return "\(field) differs from the request's own"
        }
    }
}

/// Why the daemon refuses to sign an answer.
public enum AttestationSigningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The challenge breaks its own shape rules.
    case invalidChallenge(IdentityValidationError)
    /// The challenge expects another connection's fingerprint.
    case challengeForAnotherConnection
    /// The vectors do not have the shape the challenge allows.
    case shape(ResponseShapeError)

    public var description: String {
        switch self {
        case .invalidChallenge(let error): return error.description
        case .challengeForAnotherConnection: return "the challenge expects another connection fingerprint"
        case .shape(let error): return error.description
        }
    }
}
