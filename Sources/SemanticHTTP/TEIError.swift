// The error answers of the TEI-compatible routes, in TEI's shape `{"error": "...", "error_type": "..."}`
// with TEI's statuses: 413 Validation for a batch or a text over a limit, 400 Empty for an empty list,
// 429 Overloaded, 503 Unhealthy, 424 Backend for a model that failed. Derived from the same `APIError`
// the OpenAI routes answer with, so both families say the same words; only the body's shape and, where
// TEI differs, the status change. Never decides what is an error: only how it is written.
import SemanticService

extension APIError {
    /// An empty list where at least one item is needed (TEI's error type Empty).
    static func emptyList(param: String) -> APIError {
        .badRequest("'\(param)' must not be an empty list", code: "empty_list", param: param)
    }

    /// TEI's `error_type`: Validation, Empty, Overloaded, Unhealthy, Backend or Tokenizer.
    var teiErrorType: String {
        switch status {
        case 400 where code == "empty_list": return "Empty"
        case _ where code == "model_unsupported": return "Backend"
        case 429: return "Overloaded"
        case 503: return "Unhealthy"
        case 500...: return "Backend"
        default: return "Validation"
        }
    }

    /// The status a TEI client expects: 413 for a request over a limit (as every route answers it),
    /// 424 for a model semd cannot serve (TEI's backend failure); otherwise the route's own status.
    var teiStatus: Int {
        code == "model_unsupported" ? 424 : status
    }

    /// `{"error","error_type"}`
    var teiBody: [UInt8] {
        var json = JSONWriter()
        json.object { json in
            json.key("error"); json.string(message)
            json.key("error_type"); json.string(teiErrorType)
        }
        return json.bytes
    }
}
