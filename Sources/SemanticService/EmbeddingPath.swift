// An embedding request from names to vectors: resolve the model, check the inputs, tokenize on the
// caller's task, queue the token sequences (background work in slices of a few hundred tokens), and
// check every vector that comes back. The built-in hash embedder is computed on the caller's task.
import SemanticCore

public struct EmbedRequest: Sendable, Equatable {
    public var texts: [String]
    /// A model name or alias; empty or `default` means the first embedder. `NAME:PROMPT` selects the
    /// model's prompt PROMPT when `prompt` is `.modelDefault`.
    public var model: String
    /// Keep the first `dims` components and re-normalise (nil: the model's dimension).
    public var dims: Int?
    /// The prompt prepended to every text.
    public var prompt: PromptChoice
    /// What happens to a text over the model's token limit.
    public var truncation: TruncationPolicy

    public init(texts: [String], model: String = "default", dims: Int? = nil, prompt: PromptChoice = .modelDefault,
                truncation: TruncationPolicy = .truncate) {
        self.texts = texts
        self.model = model
        self.dims = dims
        self.prompt = prompt
        self.truncation = truncation
    }
}

public struct EmbedResult: Sendable {
    /// One vector per text, in order.
    public let vectors: [[Float]]
    /// The model that produced them (its id, not the alias asked for).
    public let modelID: String
    /// Tokens after truncation, over every text (0 for the hash embedder).
    public let tokens: Int
    /// Per text, the tokens fed: prompt and [CLS]/[SEP] included, after truncation (0 for the hash embedder).
    public let tokenCounts: [Int]
    /// Per text, true when it was cut at the model's limit.
    public let truncated: [Bool]
    /// The prompt string prepended to every text; nil when none (or an empty one) applied.
    public let prompt: String?
}

struct EmbeddingPath: Sendable {
    let store: ModelStore
    let scheduler: ServiceScheduler
    let ledger: ServiceLedger

    /// Most texts one request may carry: an answer must fit a 10 MiB frame, and a 384-d vector takes
    /// 1,923 bytes; 4,096 leaves room for models up to 512 dimensions.
    static let maxTexts = 4_096

    func embed(_ request: EmbedRequest, context: RequestContext) async throws(ServiceError) -> EmbedResult {
        let name = PromptedModelName(request.model)
        let descriptor = try store.resolve(name.model, kind: .embedder)
        let promptChoice = name.choice(requested: request.prompt)
        guard request.texts.count <= Self.maxTexts else {
            throw .invalidInput("too many texts: \(request.texts.count) (at most \(Self.maxTexts) per request; split the batch)")
        }
        try context.checkDeadline()
        if let hash = descriptor.builtInHashEmbedder {
            let prompt = try promptChoice.promptString(with: .none, model: descriptor.id)
            let texts = prompt.map { prompt in request.texts.map { prompt + $0 } } ?? request.texts
            let vectors = try HashEmbedding.embed(texts, with: hash, descriptor: descriptor, dims: request.dims)
            ledger.recordUse(of: descriptor.id)
            return EmbedResult(vectors: vectors, modelID: descriptor.id, tokens: 0,
                               tokenCounts: Array(repeating: 0, count: texts.count),
                               truncated: Array(repeating: false, count: texts.count), prompt: prompt)
        }
        let embedder = try await store.residentEmbedder(descriptor)
        if let dims = request.dims, !(1...embedder.dimension).contains(dims) {
            throw .invalidInput("dims \(dims) is out of range: \(descriptor.id) has \(embedder.dimension) dimensions")
        }
        let prompt = try promptChoice.promptString(with: embedder.prompts, model: descriptor.id)
        let encodings = embedder.encode(request.texts, prompt: prompt)
        if request.truncation == .refuse, let index = encodings.firstIndex(where: \.wasTruncated) {
            throw .textTooLong(index: index, tokens: encodings[index].untruncatedCount, limit: embedder.maxSequenceLength,
                               model: descriptor.id)
        }
        let sequences = encodings.map { TokenSequence(ids: $0.ids, typeIDs: nil) }
        let tokens = sequences.reduce(0) { $0 + $1.count }
        try Self.check(tokens: tokens, limit: context.maxTokens)
        try context.checkDeadline()
        let kind = BatchKind.embed(modelID: descriptor.id, dims: request.dims)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(sequences.count)
        do {
            // Background work goes to the scheduler in slices of a few hundred tokens, one after
            // another: bounded scratch memory, and a cancelled job stops within one slice.
            let slices = context.priority == .background
                ? Self.slices(sequences.map(\.count), budget: scheduler.configuration.maxBackgroundBatchTokens)
                : [0..<sequences.count]
            for slice in slices {
                let sliceTokens = sequences[slice].reduce(0) { $0 + $1.count }
                vectors += try await scheduler.submit(key: kind, items: Array(sequences[slice]), tokens: sliceTokens,
                                                      priority: context.priority, mayRunInline: context.mayRunInline)
            }
        } catch {
            throw Self.serviceError(error, model: descriptor.id)
        }
        let expected = request.dims ?? embedder.dimension
        if let bad = vectors.firstIndex(where: { $0.count != expected }) {
            throw .internalFailure("\(descriptor.id) returned \(vectors[bad].count) values for text \(bad), expected \(expected)")
        }
        ledger.recordUse(of: descriptor.id)
        return EmbedResult(vectors: vectors, modelID: descriptor.id, tokens: tokens, tokenCounts: sequences.map(\.count),
                           truncated: encodings.map(\.wasTruncated), prompt: prompt)
    }

    static func check(tokens: Int, limit: Int?) throws(ServiceError) {
        if let limit, tokens > limit {
            throw .invalidInput("too many tokens: the inputs come to \(tokens) tokens after truncation "
                + "(at most \(limit) per request; split the batch)")
        }
    }

    /// Consecutive ranges of at most `budget` tokens (a longer single text is a range of its own).
    static func slices(_ tokenCounts: [Int], budget: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (index, count) in tokenCounts.enumerated() {
            if index > start && tokens + count > budget {
                ranges.append(start..<index)
                start = index
                tokens = 0
            }
            tokens += count
        }
        if start < tokenCounts.count { ranges.append(start..<tokenCounts.count) }
        return ranges
    }

    /// The service's error for a failure that came out of the scheduler or the engine.
    static func serviceError(_ error: any Error, model: String) -> ServiceError {
        switch error {
        case let error as ServiceError: return error
        case SchedulerError.stopped: return .shuttingDown
        case SchedulerError.overloaded(let queued): return .overloaded("the inference queue is full (\(queued) requests waiting)")
        case SchedulerError.outputCountMismatch: return .internalFailure(String(describing: error))
        default: return .modelLoadFailed(model: model, message: String(describing: error))
        }
    }
}
