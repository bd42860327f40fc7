// The routes of Hugging Face's text-embeddings-inference, served beside the OpenAI ones by the same
// responder: POST /embed, POST /rerank, POST /tokenize and GET /info, in TEI's request and answer
// shapes, with semd's `model` extension choosing among the served models. Token accounting goes in
// TEI's headers (`x-compute-tokens`, `x-compute-characters`, `x-compute-time`) and semd's
// `x-truncated-inputs` (how many inputs were cut at the model's limit), since TEI's bodies are bare
// lists with no room for it. They call the same service as every other door and never compute
// anything themselves but the optional normalisation TEI's `normalize` asks for.
import Foundation
import HTTPTypes
import Hummingbird
import SemanticCore
import SemanticService

extension HTTPField.Name {
    static let computeTokens = Self("x-compute-tokens")!
    static let computeCharacters = Self("x-compute-characters")!
    static let computeTime = Self("x-compute-time")!
    static let truncatedInputs = Self("x-truncated-inputs")!
}

extension SemanticAPI {
    /// `POST /embed`: one vector per input, a bare JSON list.
    func teiEmbed(_ request: Request) async throws -> Response {
        let start = ContinuousClock.now
        return try await admitted(request, decoding: TEIEmbedBody.self, inputs: \.inputs, param: "inputs") { parsed in
            try ensureDefaultEmbedderReady(parsed.model)
            let model = try served(parsed.model, kind: .embedder)
            if !parsed.normalize && model.normalizes {
                throw APIError.badRequest("normalize: false is not available for \(model.id): its folder ends in a Normalize "
                    + "module, so its vectors are always unit length; leave normalize out or set it to true", param: "normalize")
            }
            let result = try await embedding(EmbedRequest(texts: parsed.inputs, model: parsed.model, dims: parsed.dimensions,
                                                          prompt: parsed.prompt, truncation: parsed.truncation),
                                             param: "inputs")
            let vectors = parsed.normalize && !model.normalizes ? result.vectors.map(Self.unitLength) : result.vectors
            var response = Self.json(.ok, TEIAnswers.embed(vectors))
            response.headers[.computeTokens] = String(result.tokens)
            response.headers[.computeCharacters] = String(parsed.inputs.reduce(0) { $0 + $1.count })
            response.headers[.computeTime] = String(Self.milliseconds(since: start))
            response.headers[.truncatedInputs] = String(result.truncated.count { $0 })
            return response
        }
    }

    /// `POST /rerank`: `[{"index", "text"?, "score"}]`, best first.
    func teiRerank(_ request: Request) async throws -> Response {
        let start = ContinuousClock.now
        return try await admitted(request, decoding: TEIRerankBody.self, inputs: \.texts, param: "texts") { parsed in
            let result = try await ranking(RerankRequest(query: parsed.query, documents: parsed.texts, model: parsed.model,
                                                         truncation: parsed.truncation),
                                           param: "texts")
            var response = Self.json(.ok, TEIAnswers.rerank(scores: parsed.rawScores ? result.logits : result.scores,
                                                            texts: parsed.texts, returnText: parsed.returnText))
            response.headers[.computeTokens] = String(result.tokens)
            response.headers[.computeCharacters] = String(parsed.texts.reduce(0) { $0 + $1.count + parsed.query.count })
            response.headers[.computeTime] = String(Self.milliseconds(since: start))
            response.headers[.truncatedInputs] = String(result.truncated.count { $0 })
            return response
        }
    }

    /// `POST /tokenize`: per input, the tokens the model reads (prompt included, cut at its limit).
    func teiTokenize(_ request: Request) async throws -> Response {
        return try await admitted(request, decoding: TEITokenizeBody.self, inputs: \.inputs, param: "inputs") { parsed in
            let tokenized: [TokenizedText]
            do throws(ServiceError) {
                tokenized = try await service.tokenize(TokenizeRequest(texts: parsed.inputs, model: parsed.model,
                                                                       prompt: parsed.prompt, truncation: parsed.truncation))
            } catch {
                throw APIError(error, retryAfter: configuration.retryAfterSeconds, param: "inputs")
            }
            let lists = tokenized.map { Self.teiTokens(of: $0, withSpecialTokens: parsed.addSpecialTokens) }
            var response = Self.json(.ok, TEIAnswers.tokenize(lists))
            response.headers[.computeTokens] = String(tokenized.reduce(0) { $0 + $1.ids.count })
            response.headers[.truncatedInputs] = String(tokenized.count { $0.truncated })
            return response
        }
    }

    /// `GET /info` (`?model=NAME` for another served model than the default embedder).
    func teiInfo(_ request: Request) throws -> Response {
        let name = request.uri.queryParameters.get("model") ?? "default"
        let model = try served(name.isEmpty ? "default" : name, kind: nil)
        let limits = TEILimits(maxConcurrentRequests: configuration.maxConcurrentRequests,
                               maxBatchTokens: configuration.maxTokensPerRequest,
                               maxClientBatchSize: configuration.maxInputsPerRequest,
                               tokenizationWorkers: ProcessInfo.processInfo.activeProcessorCount,
                               version: SemanticCoreInfo.version)
        return Self.json(.ok, TEIAnswers.info(model, limits: limits, served: service.servedModels()))
    }

    // MARK: Helpers

    /// The served model `name` stands for, checked to be of `kind` when one is given.
    private func served(_ name: String, kind: ModelKind?) throws(APIError) -> ServedModelInfo {
        let model: ServedModelInfo
        do {
            model = try service.modelInfo(name)
        } catch {
            throw APIError(error, retryAfter: configuration.retryAfterSeconds)
        }
        if let kind, model.kind != kind {
            throw APIError(.modelNotFound(name: name, kind: kind,
                                          available: service.servedModels().filter { $0.kind == kind }.map(\.id)),
                           retryAfter: configuration.retryAfterSeconds)
        }
        return model
    }

    /// TEI's token list of one tokenized text; without special tokens, [CLS] and [SEP] are left out.
    static func teiTokens(of text: TokenizedText, withSpecialTokens: Bool) -> [TEIToken] {
        var tokens: [TEIToken] = []
        tokens.reserveCapacity(text.ids.count)
        for index in text.ids.indices {
            // A single text's encoding is [CLS] pieces [SEP]: the first and last tokens are the specials.
            let special = index == 0 || index == text.ids.count - 1
            if special && !withSpecialTokens { continue }
            tokens.append(TEIToken(id: text.ids[index], text: text.tokens[index], special: special, start: nil, stop: nil))
        }
        return tokens
    }

    static func unitLength(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
