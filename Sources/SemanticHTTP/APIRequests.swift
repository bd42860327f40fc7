// The request bodies the listener accepts, as plain Decodable values: OpenAI's embeddings request
// (with Cohere's and Voyage's `input_type`, a `prompt_name` and a `truncate` switch) and the Cohere
// rerank request. Decoding failures become 400 answers that name the field. (TEI's bodies are in
// TEIRequests.swift.)
import Foundation
import SemanticService

/// `POST /v1/embeddings`: `{"input": "text" | ["text", ...], "model", "dimensions"?, "encoding_format"?, "user"?,
/// "input_type"?, "prompt_name"?, "truncate"?}`
struct EmbeddingsRequest: Decodable, Sendable {
    enum EncodingFormat: String, Decodable, Sendable {
        case float, base64
    }

    let input: [String]
    let model: String
    let dimensions: Int?
    let encodingFormat: EncodingFormat
    /// From `input_type` or `prompt_name` (`.modelDefault` when neither is sent).
    let prompt: PromptChoice
    /// From `truncate` (default true: cut at the model's limit; false: refuse an over-long text).
    let truncation: TruncationPolicy

    enum CodingKeys: String, CodingKey {
        case input, model, dimensions, user, truncate
        case encodingFormat = "encoding_format"
        case inputType = "input_type"
        case promptName = "prompt_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try TextList.decode(container, .input)
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? "default"
        dimensions = try container.decodeIfPresent(Int.self, forKey: .dimensions)
        let format = try container.decodeIfPresent(String.self, forKey: .encodingFormat) ?? "float"
        guard let encodingFormat = EncodingFormat(rawValue: format) else {
            throw APIError.badRequest("encoding_format must be \"float\" or \"base64\", not \"\(format)\"",
                                      param: "encoding_format")
        }
        self.encodingFormat = encodingFormat
        _ = try container.decodeIfPresent(String.self, forKey: .user)
        prompt = try PromptField.decode(inputType: container.decodeIfPresent(String.self, forKey: .inputType),
                                        promptName: container.decodeIfPresent(String.self, forKey: .promptName))
        let truncate = try container.decodeIfPresent(Bool.self, forKey: .truncate) ?? true
        truncation = truncate ? .truncate : .refuse
    }
}

/// The prompt a request asks for: Cohere's and Voyage's `input_type` (`query`, `document`, and Cohere's
/// `search_query`, `search_document`) names the model's `query` or `document` prompt, as
/// sentence-transformers' `encode_query` and `encode_document` choose them; `prompt_name` names any
/// prompt of the model. Neither: the model's default prompt, as a plain `encode` applies it.
enum PromptField {
    static let inputTypes: [String: String] = [
        "query": "query", "search_query": "query", "document": "document", "search_document": "document",
    ]

    static func decode(inputType: String?, promptName: String?) throws(APIError) -> PromptChoice {
        var fromInputType: String?
        if let inputType {
            guard let name = inputTypes[inputType.lowercased()] else {
                throw .badRequest("input_type must be \"query\", \"document\", \"search_query\" or \"search_document\", "
                    + "not \"\(inputType)\"; use prompt_name for the model's other prompts", param: "input_type")
            }
            fromInputType = name
        }
        if let promptName, promptName.isEmpty {
            throw .badRequest("prompt_name must not be empty; leave it out for the model's default prompt", param: "prompt_name")
        }
        switch (fromInputType, promptName) {
        case (nil, nil): return .modelDefault
        case (let name?, nil), (nil, let name?): return .named(name)
        case (let typed?, let named?):
            guard typed == named else {
                throw .badRequest("input_type \"\(inputType ?? "")\" asks for the \(typed) prompt but prompt_name asks for "
                    + "\"\(named)\"; send one of them", param: "prompt_name")
            }
            return .named(named)
        }
    }
}

/// `POST /v1/rerank`: `{"query", "documents": ["text" | {"text"}, ...], "model"?, "top_n"?, "return_documents"?}`
struct RerankBody: Decodable, Sendable {
    let query: String
    let documents: [String]
    let model: String
    let topN: Int?
    let returnDocuments: Bool

    enum CodingKeys: String, CodingKey {
        case query, documents, model
        case topN = "top_n"
        case returnDocuments = "return_documents"
    }

    /// A document may be a string or `{"text": "..."}` (Cohere's older shape).
    private struct Document: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.text = text
                return
            }
            enum Keys: String, CodingKey { case text }
            guard let object = try? decoder.container(keyedBy: Keys.self),
                  let text = try? object.decode(String.self, forKey: .text) else {
                throw APIError.badRequest("each document must be a string or {\"text\": \"...\"}", param: "documents")
            }
            self.text = text
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        query = try container.decode(String.self, forKey: .query)
        documents = try container.decode([Document].self, forKey: .documents).map(\.text)
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? "default"
        topN = try container.decodeIfPresent(Int.self, forKey: .topN)
        returnDocuments = try container.decodeIfPresent(Bool.self, forKey: .returnDocuments) ?? false
        if let topN, topN < 1 { throw APIError.badRequest("top_n must be at least 1", param: "top_n") }
    }
}

/// OpenAI's `input`: one string or a list of strings (token-id arrays are refused with a clear message).
enum TextList {
    static func decode<Keys: CodingKey>(_ container: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> [String] {
        guard container.contains(key) else {
            throw APIError.badRequest("missing required parameter '\(key.stringValue)'", param: key.stringValue)
        }
        if let text = try? container.decode(String.self, forKey: key) { return [text] }
        if let texts = try? container.decode([String].self, forKey: key) {
            guard !texts.isEmpty else {
                throw APIError.badRequest("'\(key.stringValue)' must not be an empty list", param: key.stringValue)
            }
            return texts
        }
        if (try? container.decode([Int].self, forKey: key)) != nil || (try? container.decode([[Int]].self, forKey: key)) != nil {
            throw APIError.badRequest("token-id input is not supported; send the text itself", param: key.stringValue)
        }
        throw APIError.badRequest("'\(key.stringValue)' must be a string or a list of strings", param: key.stringValue)
    }
}

enum RequestBody {
    /// Decodes a JSON body, turning every failure into a 400 that says what was wrong and where.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws(APIError) -> Value {
        // JSON text is UTF-8 (RFC 8259 §8.1). Checked first, so a bad byte inside any string field gets
        // this one message with its offset, not a complaint about the field's type.
        if let offset = firstInvalidUTF8(in: data) {
            throw .badRequest("the body is not valid UTF-8 (invalid byte at offset \(offset)); JSON text must be UTF-8",
                              code: "invalid_json")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw .badRequest("the body could not be read: \(error)")
        }
    }

    /// The offset of the first byte that does not begin or continue a valid UTF-8 sequence (overlong
    /// forms and surrogates included), or nil when all of `data` is valid.
    static func firstInvalidUTF8(in data: Data) -> Int? {
        if data.allSatisfy({ $0 < 0x80 }) { return nil }
        var iterator = data.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    static func describe(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context) -> String? {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? nil : keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, _):
            return .badRequest("missing required parameter '\(key.stringValue)'", param: key.stringValue)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let name = path(context) ?? "the body"
            return .badRequest("'\(name)' must be \(describe(type))", param: path(context))
        case .dataCorrupted(let context):
            if let name = path(context) { return .badRequest("'\(name)' is invalid: \(context.debugDescription)", param: name) }
            return .badRequest("the body is not valid JSON", code: "invalid_json")
        @unknown default:
            return .badRequest("the body could not be read: \(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "true or false"
        case is [Any].Type: return "a list"
        default: return type == [String: Any].self ? "an object" : "of type \(type)"
        }
    }
}
