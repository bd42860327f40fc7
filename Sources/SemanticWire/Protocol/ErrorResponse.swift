// ErrorCode and ErrorResponse: how a daemon says a request failed (cass spec §1.6, §3.5). The wire
// form only; which failure maps to which code is the daemon's decision and is documented in
// Docs/PROTOCOL.md. Never emit variant indices: later protocol versions shifted them.

/// `ErrorCode`, a unit-only enum: each code travels as its name, e.g. `"ModelLoadFailed"`.
/// The declaration order is the Rust variant index, accepted when decoding but never written.
public enum ErrorCode: String, Sendable, Equatable, CaseIterable, MessagePackCodable {
    /// A daemon-side failure: a job submit, status or cancel that failed, or an answer that could not
    /// be built.
    case internalError = "Internal"
    /// The requested model is not known, or known but not installed.
    case modelNotFound = "ModelNotFound"
    /// The request could not be decoded or is not valid.
    case invalidInput = "InvalidInput"
    /// Too much work in flight; retry after `retry_after_ms`.
    case overloaded = "Overloaded"
    /// The request did not finish in time.
    case timeout = "Timeout"
    /// The model could not be loaded or failed to run. (A v1 server sends it for every embed or rerank
    /// failure; semd only for these, see Docs/PROTOCOL.md §7.)
    case modelLoadFailed = "ModelLoadFailed"
    /// The envelope's protocol version is not one the daemon speaks.
    case versionMismatch = "VersionMismatch"

    /// The variant name on the wire.
    public var name: String { rawValue }

    /// `ErrorCode`'s declaration: every case a unit variant named by its raw value, indexed in
    /// declaration order (the same in cass v1 and v2).
    public static let wireTable = WireEnumTable<ErrorCode, ErrorCode>(
        "ErrorCode", allCases.map { WireVariant($0, $0.rawValue, unit: $0) })
}

extension ErrorCode: WireTableEnum, WireFieldValue {
    public func withVariant<Result>(_ body: WireVariantBody<ErrorCode, Result>) throws -> Result {
        try body(nil) { _ in }
    }
}

/// `ErrorResponse { code: ErrorCode, message: String, retryable: bool, retry_after_ms: Option<u64> }`
public struct ErrorResponse: Sendable, Equatable, MessagePackCodable {
    public var code: ErrorCode
    /// One line for a person; not meant to be parsed.
    public var message: String
    /// Whether the same request may succeed if sent again.
    public var retryable: Bool
    /// How long to wait before retrying, when the daemon knows.
    public var retryAfterMilliseconds: UInt64?

    public init(code: ErrorCode, message: String, retryable: Bool, retryAfterMilliseconds: UInt64? = nil) {
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }

    static let fields = WireStruct("ErrorResponse", fields: ["code", "message", "retryable", "retry_after_ms"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(code:message:retryable:retryAfterMilliseconds:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(code, message, retryable, retryAfterMilliseconds)
    }
}
