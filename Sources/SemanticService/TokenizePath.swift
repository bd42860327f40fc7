// Tokenize as a model sees its input: each text with the chosen prompt, lower-cased when the model says
// so, `[CLS] … [SEP]`, cut (or refused) at the model's limit; a reranker's tokenizer takes each text
// singly. Loads the model when it is not resident (its tokenizer is part of it). Never runs the encoder.
import SemanticCore

public struct TokenizeRequest: Sendable, Equatable {
    public var texts: [String]
    /// A model name or alias of either kind (embedders first); `NAME:PROMPT` as for embedding.
    public var model: String
    public var prompt: PromptChoice
    public var truncation: TruncationPolicy

    public init(texts: [String], model: String = "default", prompt: PromptChoice = .modelDefault,
                truncation: TruncationPolicy = .truncate) {
        self.texts = texts
        self.model = model
        self.prompt = prompt
        self.truncation = truncation
    }
}

/// One text as the model is fed it.
public struct TokenizedText: Sendable, Equatable {
    /// Input ids, prompt and [CLS]/[SEP] included, after truncation.
    public let ids: [Int]
    /// The vocabulary string of each id.
    public let tokens: [String]
    /// Token type ids (0 for a single text).
    public let typeIDs: [Int]
    /// True when the text was cut at the model's limit.
    public let truncated: Bool

    public init(ids: [Int], tokens: [String], typeIDs: [Int], truncated: Bool) {
        self.ids = ids
        self.tokens = tokens
        self.typeIDs = typeIDs
        self.truncated = truncated
    }

    init(_ encoding: TokenEncoding) {
        self.init(ids: encoding.ids, tokens: encoding.tokens, typeIDs: encoding.typeIds, truncated: encoding.wasTruncated)
    }
}

extension InferenceService {
    /// The tokens each text is fed to the model as (see `TokenizeRequest`).
    public func tokenize(_ request: TokenizeRequest) async throws(ServiceError) -> [TokenizedText] {
        guard request.texts.count <= EmbeddingPath.maxTexts else {
            throw .invalidInput("too many texts: \(request.texts.count) (at most \(EmbeddingPath.maxTexts) per request; split the batch)")
        }
        let name = PromptedModelName(request.model)
        let choice = name.choice(requested: request.prompt)
        let encodings: [TokenEncoding]
        let limit: Int
        let modelID: String
        if let descriptor = try? models.resolve(name.model, kind: .embedder) {
            modelID = descriptor.id
            guard descriptor.builtInHashEmbedder == nil else {
                throw .invalidInput("\(descriptor.id) is the built-in hash embedder: it has no tokenizer")
            }
            let embedder = try await models.residentEmbedder(descriptor)
            let prompt = try choice.promptString(with: embedder.prompts, model: descriptor.id)
            encodings = embedder.encode(request.texts, prompt: prompt)
            limit = embedder.maxSequenceLength
        } else {
            let descriptor: ModelDescriptor
            do {
                descriptor = try models.resolve(name.model, kind: .reranker)
            } catch {
                throw .modelNotFound(name: request.model, kind: .embedder, available: models.registry.models.map(\.id))
            }
            modelID = descriptor.id
            switch choice {
            case .modelDefault, .none: break
            case .named(let prompt): throw .unknownPrompt(model: descriptor.id, name: prompt, available: [])
            case .text: throw .invalidInput("\(descriptor.id) is a reranker: it takes no prompt")
            }
            let crossEncoder = try await models.residentReranker(descriptor)
            limit = crossEncoder.maxSequenceLength
            encodings = request.texts.map { crossEncoder.tokenizer.encode($0, maxLength: limit) }
        }
        if request.truncation == .refuse, let index = encodings.firstIndex(where: \.wasTruncated) {
            throw .textTooLong(index: index, tokens: encodings[index].untruncatedCount, limit: limit, model: modelID)
        }
        return encodings.map(TokenizedText.init)
    }
}
