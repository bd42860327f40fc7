// The HTTP door's mapping of the service errors that user models, prompts and refused truncation
// bring: a model semd cannot serve is 422 (not a retryable 503), an over-long text and an unknown
// prompt are 400 invalid requests, each naming the field.
import SemanticService
import Testing
@testable import SemanticHTTP

@Suite struct HTTPServiceErrorMappingTests {
    @Test func newServiceErrorsMapToClientErrors() {
        let unsupported = APIError(.modelUnsupported(model: "roberta", reason: "model_type 'xlm-roberta'"), retryAfter: 1)
        #expect(unsupported.status == 422 && unsupported.code == "model_unsupported" && unsupported.retryAfter == nil)
        #expect(unsupported.message.contains("roberta") && unsupported.message.contains("xlm-roberta"))
        let tooLong = APIError(.textTooLong(index: 2, tokens: 600, limit: 512, model: "bge"), retryAfter: 1)
        #expect(tooLong.status == 413 && tooLong.code == "text_too_long" && tooLong.param == "input")
        #expect(tooLong.message.contains("600 tokens") && tooLong.message.contains("512"))
        let prompt = APIError(.unknownPrompt(model: "bge", name: "passage", available: ["document", "query"]), retryAfter: 1)
        #expect(prompt.status == 400 && prompt.code == "unknown_prompt" && prompt.message.contains("document, query"))
    }
}
