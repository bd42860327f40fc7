// A rerank request from names to scores: resolve the cross-encoder, check the inputs, tokenize each
// query-document pair on the caller's task, queue them, and check that each pair came back as one
// finite-or-not logit (never a silently missing score).
import SemanticCore

public struct RerankRequest: Sendable, Equatable {
    public var query: String
    public var documents: [String]
    /// A model name or alias; empty or `default` means the first reranker.
    public var model: String
    /// What happens to a pair over the model's token limit (cut longest-first, or refused).
    public var truncation: TruncationPolicy

    public init(query: String, documents: [String], model: String = "default", truncation: TruncationPolicy = .truncate) {
        self.query = query
        self.documents = documents
        self.model = model
        self.truncation = truncation
    }
}

public struct RerankResult: Sendable {
    /// Raw logits, in document order.
    public let logits: [Float]
    /// sigmoid(logit) with non-finite values as 0, in document order (what the cass protocol carries).
    public let scores: [Float]
    public let modelID: String
    /// Tokens after truncation, over every pair.
    public let tokens: Int
    /// Per document, the tokens of its pair `[CLS] q [SEP] d [SEP]` after truncation.
    public let tokenCounts: [Int]
    /// Per document, true when its pair was cut at the model's limit.
    public let truncated: [Bool]
}

struct RerankPath: Sendable {
    let store: ModelStore
    let scheduler: ServiceScheduler
    let ledger: ServiceLedger

    /// Most documents one request may carry.
    static let maxDocuments = 4_096

    func rerank(_ request: RerankRequest, context: RequestContext) async throws(ServiceError) -> RerankResult {
        let name = PromptedModelName(request.model)
        let descriptor = try store.resolve(name.model, kind: .reranker)
        if let promptName = name.promptName {
            throw .unknownPrompt(model: descriptor.id, name: promptName, available: [])
        }
        guard request.documents.count <= Self.maxDocuments else {
            throw .invalidInput("too many documents: \(request.documents.count) (at most \(Self.maxDocuments) per request)")
        }
        try context.checkDeadline()
        let crossEncoder = try await store.residentReranker(descriptor)
        let pairs = request.documents.map { document in
            crossEncoder.tokenizer.encodePair(request.query, document, maxLength: crossEncoder.maxSequenceLength)
        }
        if request.truncation == .refuse, let index = pairs.firstIndex(where: \.wasTruncated) {
            throw .textTooLong(index: index, tokens: pairs[index].untruncatedCount, limit: crossEncoder.maxSequenceLength,
                               model: descriptor.id)
        }
        let sequences = pairs.map { TokenSequence(ids: $0.ids, typeIDs: $0.typeIds) }
        let tokens = sequences.reduce(0) { $0 + $1.count }
        try EmbeddingPath.check(tokens: tokens, limit: context.maxTokens)
        try context.checkDeadline()
        let rows: [[Float]]
        do {
            rows = try await scheduler.submit(key: .rerank(modelID: descriptor.id), items: sequences, tokens: tokens,
                                              priority: context.priority, mayRunInline: context.mayRunInline)
        } catch {
            throw EmbeddingPath.serviceError(error, model: descriptor.id)
        }
        var logits: [Float] = []
        logits.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            guard row.count == 1 else {
                throw .internalFailure("\(descriptor.id) returned \(row.count) values for document \(index), expected one logit")
            }
            logits.append(row[0])
        }
        ledger.recordUse(of: descriptor.id)
        return RerankResult(logits: logits, scores: CrossEncoder.sigmoid(logits), modelID: descriptor.id, tokens: tokens,
                            tokenCounts: sequences.map(\.count), truncated: pairs.map(\.wasTruncated))
    }
}
