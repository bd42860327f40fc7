// The daemon's resident models: the default embedder (with its tokenizer) loaded and warmed at start,
// the reranker at start when installed or on first use, and the one inference queue they share.
// Requests tokenize on the caller's task, then wait in the scheduler; results carry the resolved
// model id. Knows nothing of the wire: errors are `ServiceError`s that the request handler maps.
import Foundation
import SemanticCore
import SemanticRuntime
import Synchronization

/// What the daemon's model layer can fail with.
public enum ServiceError: Error, Equatable, CustomStringConvertible {
    /// The name matches no model of that kind.
    case modelNotFound(name: String, kind: ModelKind, available: [String])
    /// The model is known but not installed (the message says how to install it).
    case modelNotInstalled(model: String, message: String)
    /// Loading or running the model failed.
    case modelLoadFailed(model: String, message: String)
    /// The request is malformed (dims out of range, too many texts, ...).
    case invalidInput(String)
    /// The inference queue is full.
    case overloaded(String)
    /// The daemon is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case .modelNotFound(let name, let kind, let available):
            return "unknown \(kind) model '\(name)'; available: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case .modelNotInstalled(_, let message): return message
        case .modelLoadFailed(let model, let message): return "model \(model) failed: \(message)"
        case .invalidInput(let message): return message
        case .overloaded(let message): return message
        case .shuttingDown: return "the daemon is shutting down"
        }
    }
}

public struct EmbedResult: Sendable {
    public let vectors: [[Float]]
    public let modelID: String
    public let tokens: Int
}

public struct RerankResult: Sendable {
    /// Raw logits, in document order.
    public let logits: [Float]
    /// sigmoid(logit) with non-finite values as 0, in document order (what the cass protocol carries).
    public let scores: [Float]
    public let modelID: String
    public let tokens: Int
}

/// One model's state, as Status reports it.
public struct HostedModelState: Sendable, Equatable {
    public let descriptor: ModelDescriptor
    public let loaded: Bool
    public let failure: String?
    public let dimension: Int?
    public let memoryBytes: UInt64
}

/// One kind of model by id: loaded (with the resident memory its load added) or failed to load.
final class ModelSlots<Model: Sendable>: Sendable {
    enum Slot: Sendable {
        case loaded(Model, memoryBytes: UInt64)
        case failed(String)
    }

    private let slots = Mutex<[String: Slot]>([:])

    func slot(_ id: String) -> Slot? { slots.withLock { $0[id] } }

    func loaded(_ id: String) -> Model? {
        if case .loaded(let model, _) = slot(id) { return model }
        return nil
    }

    func record(_ slot: Slot, for id: String) { slots.withLock { $0[id] = slot } }
}

/// The loaded models, shared by the host (which loads) and the inference worker (which runs them).
final class ResidentModels: Sendable {
    let embedders = ModelSlots<Embedder>()
    let rerankers = ModelSlots<CrossEncoder>()
}

public final class ModelHost: Sendable {
    enum Key: Hashable, Sendable {
        case embed(modelID: String, dims: Int?)
        case rerank(modelID: String)
    }

    enum Input: Sendable {
        case tokens([Int])
        case pair(ids: [Int], types: [Int])

        var tokenCount: Int {
            switch self {
            case .tokens(let ids): ids.count
            case .pair(let ids, _): ids.count
            }
        }
    }

    enum Output: Sendable {
        case vector([Float])
        case logit(Float)
    }

    public let registry: ModelRegistry
    public let modelsRoot: ModelsRoot
    let engineConfiguration: EngineConfiguration
    let models = ResidentModels()
    /// When each model was loaded and how much it was used (the xf dialect's Status reports it).
    public let usage = ModelUsageLedger()
    let scheduler: InferenceScheduler<Key, Input, Output>
    /// Serialises loading so concurrent first requests load a model once.
    private let loading = Mutex<Void>(())

    /// Most texts one Embed request may carry: an answer must fit a 10 MiB frame, and a 384-d vector
    /// takes 1,923 bytes; 4,096 leaves room for models up to 512 dimensions.
    public static let maxTextsPerRequest = 4_096
    /// Most documents one Rerank request may carry.
    public static let maxDocumentsPerRequest = 4_096

    /// What the batches look like (texts and tokens per batch, queue depth), for the metrics.
    public let metrics: DaemonMetrics

    public init(registry: ModelRegistry = .standard, modelsRoot: ModelsRoot,
                engineConfiguration: EngineConfiguration = .init(),
                schedulerConfiguration: InferenceSchedulerConfiguration = .init(),
                metrics: DaemonMetrics = DaemonMetrics()) {
        self.registry = registry
        self.modelsRoot = modelsRoot
        self.engineConfiguration = engineConfiguration
        self.metrics = metrics
        let models = self.models
        let pauses = PauseForwarder()
        scheduler = InferenceScheduler(configuration: schedulerConfiguration) { key, inputs, priority in
            metrics.recordBatch(texts: inputs.count, tokens: inputs.reduce(0) { $0 + $1.tokenCount })
            // The background lane runs on one engine thread: its own, at the lowest CPU priority, and
            // pauses between encoder blocks while client requests run.
            if priority == .background {
                return try ModelHost.run(key, inputs, models, threads: 1, pausePoint: { pauses.pause() })
            }
            return try ModelHost.run(key, inputs, models, threads: nil, pausePoint: nil)
        }
        pauses.scheduler = scheduler
        for model in registry.models where model.builtInHashEmbedder != nil { usage.recordLoad(of: model.id) }
    }

    /// Stops the inference worker; waiting requests fail with `shuttingDown`.
    public func stop() { scheduler.stop() }

    /// Blocks until no inference batch is running (see `InferenceScheduler.waitUntilIdle`).
    public func waitUntilIdle() { scheduler.waitUntilIdle() }

    /// Scheduler counters (batches, merged batches, ...).
    public var schedulerStatistics: InferenceSchedulerStatistics { scheduler.currentStatistics }

    /// Requests waiting in the inference queue (not running).
    public var queuedRequests: Int { scheduler.queuedRequests }

    // MARK: Loading

    /// Loads and warms the default embedder, and the default reranker when it is installed.
    /// Failures are recorded (Status shows them) and retried on the next request.
    public func warmUp(preloadReranker: Bool) {
        if let embedder = registry.models(of: .embedder).first {
            if let loaded = try? loadedEmbedder(embedder) {
                _ = try? loaded.embed(["warm up"])
            }
        }
        if preloadReranker, let reranker = registry.models(of: .reranker).first,
           ModelsRoot.missingFiles(of: reranker, in: modelsRoot.directory(for: reranker)).isEmpty {
            if let loaded = try? loadedReranker(reranker) {
                _ = try? loaded.scores(query: "warm", documents: ["up"])
            }
        }
    }

    /// True when the default embedder is loaded (Health's `ready`).
    public var isReady: Bool {
        guard let embedder = registry.models(of: .embedder).first else { return false }
        return models.embedders.loaded(embedder.id) != nil
    }

    /// Every known model with its load state.
    public func modelStates() -> [HostedModelState] {
        registry.models.map { descriptor in
            switch descriptor.kind {
            case .embedder:
                if descriptor.builtInHashEmbedder != nil {
                    return HostedModelState(descriptor: descriptor, loaded: true, failure: nil,
                                            dimension: descriptor.dimension, memoryBytes: 0)
                }
                return Self.state(of: descriptor, models.embedders.slot(descriptor.id)) { $0.dimension }
            case .reranker:
                return Self.state(of: descriptor, models.rerankers.slot(descriptor.id)) { _ in nil }
            }
        }
    }

    private static func state<Model>(of descriptor: ModelDescriptor, _ slot: ModelSlots<Model>.Slot?,
                                     dimension: (Model) -> Int?) -> HostedModelState {
        switch slot {
        case .loaded(let model, let memoryBytes):
            return HostedModelState(descriptor: descriptor, loaded: true, failure: nil, dimension: dimension(model),
                                    memoryBytes: memoryBytes)
        case .failed(let message):
            return HostedModelState(descriptor: descriptor, loaded: false, failure: message,
                                    dimension: descriptor.dimension, memoryBytes: 0)
        case nil:
            return HostedModelState(descriptor: descriptor, loaded: false, failure: nil,
                                    dimension: descriptor.dimension, memoryBytes: 0)
        }
    }

    func loadedEmbedder(_ descriptor: ModelDescriptor) throws(ServiceError) -> Embedder {
        try load(descriptor, into: models.embedders) { [engineConfiguration] directory in
            try Embedder.load(directory: directory, configuration: engineConfiguration)
        }
    }

    func loadedReranker(_ descriptor: ModelDescriptor) throws(ServiceError) -> CrossEncoder {
        try load(descriptor, into: models.rerankers) { [engineConfiguration] directory in
            try CrossEncoder.load(directory: directory, configuration: engineConfiguration)
        }
    }

    /// The model `descriptor` names, loading it once (concurrent first requests wait for one load); a
    /// failure is recorded for Status and retried by the next request.
    private func load<Model>(_ descriptor: ModelDescriptor, into slots: ModelSlots<Model>,
                             _ make: (URL) throws -> Model) throws(ServiceError) -> Model {
        if let loaded = slots.loaded(descriptor.id) { return loaded }
        return try loading.withLock { _ throws(ServiceError) -> Model in
            if let loaded = slots.loaded(descriptor.id) { return loaded }
            let directory = try installedDirectory(descriptor)
            do {
                let before = ProcessResources.residentBytes()
                let model = try make(directory)
                slots.record(.loaded(model, memoryBytes: ProcessResources.residentBytes() &- before), for: descriptor.id)
                usage.recordLoad(of: descriptor.id)
                return model
            } catch {
                let message = String(describing: error)
                slots.record(.failed(message), for: descriptor.id)
                throw .modelLoadFailed(model: descriptor.id, message: message)
            }
        }
    }

    /// The loaded model, or `load` run on the concurrency pool: a load blocks its thread for a while
    /// (and a request during the start-up load waits for it), never on the event loop a connection
    /// task may be running on.
    private func resident<Model>(_ descriptor: ModelDescriptor, in slots: ModelSlots<Model>,
                                 load: (ModelDescriptor) throws(ServiceError) -> Model) async throws(ServiceError) -> Model {
        if let loaded = slots.loaded(descriptor.id) { return loaded }
        return try await offEventLoop { () throws(ServiceError) -> Model in try load(descriptor) }
    }

    private func installedDirectory(_ descriptor: ModelDescriptor) throws(ServiceError) -> URL {
        do {
            return try modelsRoot.installedDirectory(for: descriptor)
        } catch {
            throw .modelNotInstalled(model: descriptor.id, message: error.description)
        }
    }

    func resolve(_ name: String, kind: ModelKind) throws(ServiceError) -> ModelDescriptor {
        do {
            return try registry.resolve(name.isEmpty ? "default" : name, kind: kind)
        } catch {
            throw .modelNotFound(name: name, kind: kind, available: registry.models(of: kind).map(\.id))
        }
    }

    // MARK: Requests

    /// Embeds `texts` with the embedder `model` names. `announced`: the caller announced this request
    /// to the scheduler (see `InferenceScheduler.announce`). `maxTokens`: refuse (invalid input) when
    /// the texts come to more tokens than this after truncation.
    public func embed(_ texts: [String], model: String, dims: Int?, priority: SchedulerPriority = .interactive,
                      announced: Bool = false, maxTokens: Int? = nil) async throws(ServiceError) -> EmbedResult {
        var announcementPending = announced
        defer { if announcementPending { scheduler.withdrawAnnouncement() } }
        let descriptor = try resolve(model, kind: .embedder)
        guard texts.count <= Self.maxTextsPerRequest else {
            throw .invalidInput("too many texts: \(texts.count) (at most \(Self.maxTextsPerRequest) per request; split the batch)")
        }
        if let hash = descriptor.builtInHashEmbedder {
            return try embed(texts, with: hash, descriptor: descriptor, dims: dims)
        }
        let loaded = try await resident(descriptor, in: models.embedders, load: loadedEmbedder)
        if let dims, !(1...loaded.dimension).contains(dims) {
            throw .invalidInput("dims \(dims) is out of range: \(descriptor.id) has \(loaded.dimension) dimensions")
        }
        let encodings = loaded.tokenizer.encode(texts)
        let tokens = encodings.reduce(0) { $0 + $1.ids.count }
        try Self.check(tokens: tokens, limit: maxTokens)
        announcementPending = false
        let key = Key.embed(modelID: descriptor.id, dims: dims)
        var outputs: [Output] = []
        outputs.reserveCapacity(texts.count)
        do {
            // Background work goes to the scheduler in slices of a few hundred tokens, one after
            // another: bounded scratch memory, and a cancelled job stops within one slice.
            let slices = priority == .background
                ? Self.slices(encodings.map(\.ids.count), budget: scheduler.configuration.maxBackgroundBatchTokens)
                : [0..<encodings.count]
            for slice in slices {
                let sliceTokens = encodings[slice].reduce(0) { $0 + $1.ids.count }
                outputs += try await scheduler.submit(key: key, items: encodings[slice].map { .tokens($0.ids) },
                                                      tokens: sliceTokens, priority: priority, announced: announced,
                                                      inlineWhenIdle: InlineExecution.allowed)
            }
        } catch {
            throw Self.serviceError(error, model: descriptor.id)
        }
        let vectors = outputs.map { output -> [Float] in if case .vector(let vector) = output { vector } else { [] } }
        usage.recordUse(of: descriptor.id)
        return EmbedResult(vectors: vectors, modelID: descriptor.id, tokens: tokens)
    }

    /// Scores each document against `query` with the reranker `model` names. `maxTokens` as for `embed`.
    public func rerank(query: String, documents: [String], model: String, announced: Bool = false,
                       maxTokens: Int? = nil) async throws(ServiceError) -> RerankResult {
        var announcementPending = announced
        defer { if announcementPending { scheduler.withdrawAnnouncement() } }
        let descriptor = try resolve(model, kind: .reranker)
        guard documents.count <= Self.maxDocumentsPerRequest else {
            throw .invalidInput("too many documents: \(documents.count) (at most \(Self.maxDocumentsPerRequest) per request)")
        }
        let loaded = try await resident(descriptor, in: models.rerankers, load: loadedReranker)
        let encodings = documents.map { loaded.tokenizer.encodePair(query, $0, maxLength: loaded.maxSequenceLength) }
        let tokens = encodings.reduce(0) { $0 + $1.ids.count }
        try Self.check(tokens: tokens, limit: maxTokens)
        announcementPending = false
        let outputs: [Output]
        do {
            outputs = try await scheduler.submit(key: .rerank(modelID: descriptor.id),
                                                 items: encodings.map { .pair(ids: $0.ids, types: $0.typeIds) },
                                                 tokens: tokens, announced: announced, inlineWhenIdle: InlineExecution.allowed)
        } catch {
            throw Self.serviceError(error, model: descriptor.id)
        }
        let logits = outputs.map { output -> Float in if case .logit(let logit) = output { logit } else { Float.nan } }
        usage.recordUse(of: descriptor.id)
        return RerankResult(logits: logits, scores: CrossEncoder.sigmoid(logits), modelID: descriptor.id, tokens: tokens)
    }

    private static func check(tokens: Int, limit: Int?) throws(ServiceError) {
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

    static func serviceError(_ error: any Error, model: String) -> ServiceError {
        switch error {
        case let error as ServiceError: return error
        case SchedulerError.stopped: return .shuttingDown
        case SchedulerError.overloaded(let queued): return .overloaded("the inference queue is full (\(queued) requests waiting)")
        default: return .modelLoadFailed(model: model, message: String(describing: error))
        }
    }

    /// Runs one batch on the inference worker.
    static func run(_ key: Key, _ inputs: [Input], _ models: ResidentModels, threads: Int?,
                    pausePoint: (@Sendable () -> Void)?) throws -> [Output] {
        switch key {
        case .embed(let modelID, let dims):
            guard let embedder = models.embedders.loaded(modelID) else {
                throw ServiceError.modelLoadFailed(model: modelID, message: "not loaded")
            }
            let sequences = inputs.map { input -> [Int] in if case .tokens(let ids) = input { ids } else { [] } }
            return try embedder.embed(tokenIDs: sequences, dims: dims, threads: threads, pausePoint: pausePoint).map { .vector($0) }
        case .rerank(let modelID):
            guard let crossEncoder = models.rerankers.loaded(modelID) else {
                throw ServiceError.modelLoadFailed(model: modelID, message: "not loaded")
            }
            var ids: [[Int]] = []
            var types: [[Int]] = []
            for input in inputs {
                if case .pair(let pairIDs, let pairTypes) = input {
                    ids.append(pairIDs)
                    types.append(pairTypes)
                }
            }
            return try crossEncoder.logits(tokenIDs: ids, typeIDs: types).map { .logit($0) }
        }
    }
}

/// Lets the background lane's engine calls reach the scheduler that runs them (which is built with
/// the closure that makes those calls, so it is set just after).
final class PauseForwarder: @unchecked Sendable {
    /// Set once, right after the scheduler is built, before any batch runs (weak: the scheduler owns
    /// the closure that owns this).
    weak var scheduler: InferenceScheduler<ModelHost.Key, ModelHost.Input, ModelHost.Output>?

    func pause() { scheduler?.pauseForInteractiveWork() }
}
