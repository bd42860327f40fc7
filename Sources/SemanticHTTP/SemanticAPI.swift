// The HTTP door over the daemon's InferenceService: POST /v1/embeddings (OpenAI), POST /v1/rerank
// (Cohere), the routes of Hugging Face's text-embeddings-inference (POST /embed, POST /rerank,
// POST /tokenize, GET /info; TEIRoutes.swift), GET /v1/models, GET /health, GET /metrics. One responder
// that routes, checks the API key, enforces the limits, maps errors to each route family's error body
// (OpenAI's or TEI's) and counts every answer in the metrics.
// Work reaches the same scheduler as the Unix socket, so HTTP and socket requests batch together.
// A request holds an admission slot only while it is parsed and computed, never while its body
// arrives, so a slow or stalled client cannot hold back anyone else.
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SemanticCore
import SemanticService

struct SemanticAPI: HTTPResponder {
    typealias Context = BasicRequestContext

    /// The routes, as the metrics label them.
    enum Endpoint: String {
        case embeddings = "/v1/embeddings"
        case rerank = "/v1/rerank"
        case teiEmbed = "/embed"
        case teiRerank = "/rerank"
        case teiTokenize = "/tokenize"
        case teiInfo = "/info"
        case models = "/v1/models"
        case health = "/health"
        case metrics = "/metrics"
        case other

        init(path: String) {
            var path = path
            if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            self = Endpoint(rawValue: path) ?? .other
        }

        var kind: RequestKind {
            switch self {
            case .embeddings, .teiEmbed: return .embed
            case .rerank, .teiRerank: return .rerank
            default: return .other
            }
        }

        /// The routes whose errors are written in TEI's shape rather than OpenAI's.
        var speaksTEI: Bool {
            switch self {
            case .teiEmbed, .teiRerank, .teiTokenize, .teiInfo: return true
            default: return false
            }
        }
    }

    let service: InferenceService
    let configuration: HTTPConfiguration
    let admission: Admission
    let exposition: MetricsExposition?
    let started = Date()

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        let endpoint = Endpoint(path: request.uri.path)
        let response: Response
        do {
            response = try await route(request, endpoint)
        } catch let error as APIError {
            response = Self.answer(error, inTEIShape: endpoint.speaksTEI)
        } catch {
            response = Self.answer(APIError(status: 500, message: "internal error: \(error)", type: "server_error",
                                            code: "internal_error"), inTEIShape: endpoint.speaksTEI)
        }
        let elapsed = ContinuousClock.now - start
        let status = String(response.status.code)
        let outcome: RequestOutcome = response.status.code < 400 ? .success(label: status) : .error(code: status)
        service.ledger.recordRequest(door: .http, operation: endpoint.rawValue, kind: endpoint.kind, outcome: outcome,
                                     duration: elapsed)
        context.logger.debug("http \(request.method) \(request.uri.path) → \(response.status.code) in \(elapsed)")
        // A HEAD answer keeps the headers (Content-Length included) and drops the body.
        return request.method == .head ? response.createHeadResponse() : response
    }

    private func route(_ request: Request, _ endpoint: Endpoint) async throws -> Response {
        if endpoint != .health, endpoint != .other, let key = configuration.apiKey,
           !key.accepts(authorization: request.headers[.authorization]) {
            throw APIError.unauthorized
        }
        switch (endpoint, request.method) {
        case (.embeddings, .post): return try await embeddings(request)
        case (.rerank, .post): return try await rerank(request)
        case (.teiEmbed, .post): return try await teiEmbed(request)
        case (.teiRerank, .post): return try await teiRerank(request)
        case (.teiTokenize, .post): return try await teiTokenize(request)
        case (.teiInfo, .get), (.teiInfo, .head): return try teiInfo(request)
        case (.models, .get), (.models, .head): return models()
        case (.health, .get), (.health, .head): return health()
        case (.metrics, .get): return metrics()
        case (.embeddings, _), (.rerank, _), (.teiEmbed, _), (.teiRerank, _), (.teiTokenize, _):
            throw APIError.methodNotAllowed(request.method.rawValue, path: endpoint.rawValue, allowed: "POST")
        case (.models, _), (.health, _), (.metrics, _), (.teiInfo, _):
            throw APIError.methodNotAllowed(request.method.rawValue, path: endpoint.rawValue, allowed: "GET")
        case (.other, _):
            throw APIError.notFound(path: request.uri.path)
        }
    }

    // MARK: Embeddings and rerank

    private func embeddings(_ request: Request) async throws -> Response {
        try await admitted(request, decoding: EmbeddingsRequest.self, inputs: \.input, param: "input") { parsed in
            if let dimensions = parsed.dimensions, dimensions < 1 {
                throw APIError.badRequest("dimensions must be at least 1", param: "dimensions")
            }
            try ensureDefaultEmbedderReady(parsed.model)
            let result = try await embedding(EmbedRequest(texts: parsed.input, model: parsed.model, dims: parsed.dimensions,
                                                          prompt: parsed.prompt, truncation: parsed.truncation),
                                             param: "input")
            return Self.json(.ok, APIAnswers.embeddings(result, format: parsed.encodingFormat))
        }
    }

    private func rerank(_ request: Request) async throws -> Response {
        try await admitted(request, decoding: RerankBody.self, inputs: \.documents, param: "documents") { parsed in
            guard !parsed.documents.isEmpty else {
                throw APIError.badRequest("'documents' must not be an empty list", param: "documents")
            }
            let result = try await ranking(RerankRequest(query: parsed.query, documents: parsed.documents, model: parsed.model),
                                           param: "documents")
            return Self.json(.ok, APIAnswers.rerank(result, documents: parsed.documents, topN: parsed.topN,
                                                    returnDocuments: parsed.returnDocuments))
        }
    }

    /// Every inference route's way in: the whole body collected (outside admission), an admission slot
    /// held until `body` has answered, the arrival counted, the body decoded as `Body`, and its `inputs`
    /// checked against the per-request limit (the error names the route's `param`).
    func admitted<Body: Decodable>(_ request: Request, decoding: Body.Type, inputs: KeyPath<Body, [String]>,
                                   param: String, body: (Body) async throws -> Response) async throws -> Response {
        let bytes = try await collectBody(request)
        try admission.enter()
        defer { admission.leave() }
        service.requestArrived(through: .http)
        let parsed = try RequestBody.decode(Body.self, from: bytes)
        let count = parsed[keyPath: inputs].count
        guard count <= configuration.maxInputsPerRequest else {
            throw APIError.tooManyInputs(count, limit: configuration.maxInputsPerRequest, param: param)
        }
        return try await body(parsed)
    }

    /// The service's embedding of `request`; its failure becomes the route's error, naming `param`.
    func embedding(_ request: EmbedRequest, param: String) async throws(APIError) -> EmbedResult {
        do {
            return try await service.embed(request, context: requestContext)
        } catch {
            throw APIError(error, retryAfter: configuration.retryAfterSeconds, param: param)
        }
    }

    /// The service's ranking of `request`; its failure becomes the route's error, naming `param`.
    func ranking(_ request: RerankRequest, param: String) async throws(APIError) -> RerankResult {
        do {
            return try await service.rerank(request, context: requestContext)
        } catch {
            throw APIError(error, retryAfter: configuration.retryAfterSeconds, param: param)
        }
    }

    /// What every HTTP inference call tells the service: interactive, never inline (Hummingbird's
    /// event loops serve many connections), within the request's token cap; no deadline (a client that
    /// stops waiting closes its connection).
    var requestContext: SemanticService.RequestContext {
        SemanticService.RequestContext(door: .http, priority: .interactive, deadline: nil, mayRunInline: false,
                       maxTokens: configuration.maxTokensPerRequest)
    }

    /// While the default embedder is still loading (the daemon warms it at start), a request for it
    /// is answered 503 with Retry-After, as /health says, so a load balancer or the OpenAI client's
    /// retry sends it on rather than holding it. Other models load on first use.
    func ensureDefaultEmbedderReady(_ name: String) throws(APIError) {
        guard case .loading(let model) = readiness(),
              let wanted = try? service.models.registry.resolve(name.isEmpty ? "default" : name, kind: .embedder),
              wanted.id == model else { return }
        throw .notReady(model, retryAfter: configuration.retryAfterSeconds)
    }

    enum Readiness {
        case ready(model: String)
        case loading(model: String)
        /// The load failed or cannot start (files missing): the request path reports why.
        case failed(model: String?, reason: String)
    }

    /// The default embedder's state, as /health reports it.
    func readiness() -> Readiness {
        guard let model = service.models.defaultEmbedder else {
            return .failed(model: nil, reason: "no embedder is configured")
        }
        if service.models.isReady { return .ready(model: model.id) }
        if let failure = service.models.state(of: model.id)?.failure {
            return .failed(model: model.id, reason: failure)
        }
        do {
            _ = try service.models.modelsRoot.installedDirectory(for: model)
        } catch {
            return .failed(model: model.id, reason: error.description)
        }
        return .loading(model: model.id)
    }

    /// The whole body, refused early when its declared length is over the limit, and given up on
    /// (408) when it has not all arrived within the body timeout.
    func collectBody(_ request: Request) async throws -> Data {
        let limit = configuration.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let timeout = configuration.bodyTimeout
        do {
            let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await request.body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let buffer else { throw APIError.bodyTimeout(timeout) }
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    // MARK: Models, health, metrics

    private func models() -> Response {
        Self.json(.ok, APIAnswers.models(service.models.states(), created: Int(started.timeIntervalSince1970)))
    }

    private func health() -> Response {
        let (status, model, failure): (String, String?, String?) = switch readiness() {
        case .ready(let model): ("ok", model, nil)
        case .loading(let model): ("loading", model, nil)
        case .failed(let model, let reason): ("failed", model, reason)
        }
        let ready = status == "ok"
        var json = JSONWriter()
        json.object { json in
            json.key("status"); json.string(status)
            json.key("ready"); json.bool(ready)
            json.key("model"); if let model { json.string(model) } else { json.null() }
            if let failure { json.key("error"); json.string(failure) }
            json.key("uptime_seconds"); json.int(Int(Date().timeIntervalSince(started)))
            json.key("in_flight"); json.int(admission.current)
        }
        var response = Self.json(ready ? .ok : .serviceUnavailable, json.bytes)
        if !ready { response.headers[.retryAfter] = String(configuration.retryAfterSeconds) }
        return response
    }

    private func metrics() -> Response {
        guard let exposition else {
            return Self.answer(APIError(status: 404, message: "metrics are not collected by this listener",
                                        type: "invalid_request_error", code: "unknown_url"))
        }
        service.refreshMetrics()
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: exposition.text())))
    }

    // MARK: Answers

    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The error answer in OpenAI's shape, or with `inTEIShape` in TEI's (status and body).
    static func answer(_ error: APIError, inTEIShape: Bool = false) -> Response {
        var response = inTEIShape ? json(HTTPResponse.Status(code: error.teiStatus), error.teiBody)
            : json(HTTPResponse.Status(code: error.status), error.body)
        if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}
