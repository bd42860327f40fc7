// An HTTP error answer in OpenAI's shape, `{"error":{"message","type","param","code"}}`, with its
// status and, for 429 and 503, a Retry-After. Maps the model layer's `ServiceError` (the same errors
// the socket dialects map to protocol codes) and the listener's own refusals.
import SemanticDaemon
import SemanticService

struct APIError: Error, Equatable {
    var status: Int
    var message: String
    /// OpenAI's `type`: invalid_request_error, authentication_error, rate_limit_error, server_error.
    var type: String
    var code: String
    var param: String?
    /// Seconds, for the Retry-After header.
    var retryAfter: Int?

    static func badRequest(_ message: String, code: String = "invalid_request", param: String? = nil) -> APIError {
        APIError(status: 400, message: message, type: "invalid_request_error", code: code, param: param)
    }

    static let unauthorized = APIError(
        status: 401, message: "missing or wrong API key: send the header 'Authorization: Bearer <key>'",
        type: "authentication_error", code: "invalid_api_key")

    static func notFound(path: String) -> APIError {
        APIError(status: 404, message: "no route \(path); semd serves POST /v1/embeddings, POST /v1/rerank, "
                 + "POST /embed, POST /rerank, POST /tokenize, GET /info, GET /v1/models, GET /health and GET /metrics",
                 type: "invalid_request_error", code: "unknown_url")
    }

    static func methodNotAllowed(_ method: String, path: String, allowed: String) -> APIError {
        APIError(status: 405, message: "\(method) is not allowed on \(path); use \(allowed)", type: "invalid_request_error",
                 code: "method_not_allowed")
    }

    static func bodyTimeout(_ timeout: Duration) -> APIError {
        APIError(status: 408, message: "the request body did not arrive within \(timeout)", type: "invalid_request_error",
                 code: "request_timeout")
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, message: "the request body exceeds the \(limit)-byte limit; split the batch",
                 type: "invalid_request_error", code: "body_too_large")
    }

    static func tooManyInputs(_ count: Int, limit: Int, param: String) -> APIError {
        APIError(status: 413, message: "\(count) inputs exceed the limit of \(limit) per request; split the batch",
                 type: "invalid_request_error", code: "too_many_inputs", param: param)
    }

    static func unsupportedMediaType(_ type: String) -> APIError {
        APIError(status: 415, message: "the body must be JSON (Content-Type: application/json), not \(type)",
                 type: "invalid_request_error", code: "unsupported_media_type")
    }

    static func busy(limit: Int, retryAfter: Int) -> APIError {
        APIError(status: 429, message: "the daemon is answering its maximum of \(limit) requests; retry shortly",
                 type: "rate_limit_error", code: "overloaded", retryAfter: retryAfter)
    }

    static func notReady(_ model: String, retryAfter: Int) -> APIError {
        APIError(status: 503, message: "the model \(model) is still loading; retry shortly", type: "server_error",
                 code: "model_loading", retryAfter: retryAfter)
    }

    /// `{"error":{"message","type","param","code"}}`
    var body: [UInt8] {
        var json = JSONWriter()
        json.object { json in
            json.key("error")
            json.object { json in
                json.key("message"); json.string(message)
                json.key("type"); json.string(type)
                json.key("param"); if let param { json.string(param) } else { json.null() }
                json.key("code"); json.string(code)
            }
        }
        return json.bytes
    }
}

extension APIError {
    /// The HTTP answer for a model-layer failure; `param` names the request field a text-length
    /// refusal is about (`input`, `inputs`, `texts`, `documents`).
    init(_ error: ServiceError, retryAfter: Int, param: String = "input") {
        switch error {
        case .modelNotFound:
            self = APIError(status: 404, message: error.description, type: "invalid_request_error", code: "model_not_found",
                            param: "model")
        case .modelNotInstalled:
            self = APIError(status: 404, message: error.description, type: "invalid_request_error",
                            code: "model_not_installed", param: "model")
        case .invalidInput(let message):
            self = .badRequest(message, code: "invalid_input")
        case .textTooLong:
            // 413, as TEI answers a text over the limit with truncation refused; the message names the
            // text, its token count and the model's limit.
            self = APIError(status: 413, message: error.description, type: "invalid_request_error", code: "text_too_long",
                            param: param)
        case .unknownPrompt:
            self = .badRequest(error.description, code: "unknown_prompt", param: "prompt_name")
        case .modelUnsupported:
            // Not retryable: the same folder fails the same way.
            self = APIError(status: 422, message: error.description, type: "invalid_request_error", code: "model_unsupported",
                            param: "model")
        case .overloaded(let message):
            self = APIError(status: 429, message: message, type: "rate_limit_error", code: "overloaded", retryAfter: retryAfter)
        case .modelLoadFailed:
            self = APIError(status: 503, message: error.description, type: "server_error", code: "model_load_failed",
                            retryAfter: retryAfter)
        case .shuttingDown:
            self = APIError(status: 503, message: error.description, type: "server_error", code: "shutting_down",
                            retryAfter: retryAfter)
        case .deadlineExceeded:
            self = APIError(status: 504, message: error.description, type: "server_error", code: "timeout",
                            retryAfter: retryAfter)
        case .internalFailure, .unavailable:
            self = APIError(status: 500, message: error.description, type: "server_error", code: "internal_error")
        }
    }
}
