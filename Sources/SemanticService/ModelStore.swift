// The service's resident models: which names resolve to which model, loading each once (concurrent
// first requests wait for one load), the memory a load added, and load failures (recorded for Status,
// retried by the next request). Loads never run on a caller's executor: a load blocks its thread for
// a while. Knows nothing of requests, batching or the wire.
import Foundation
import SemanticCore
import SemanticRuntime
import Synchronization

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

public final class ModelStore: Sendable {
    public let registry: ModelRegistry
    public let modelsRoot: ModelsRoot
    let engineConfiguration: EngineConfiguration
    let embedders = ModelSlots<Embedder>()
    let rerankers = ModelSlots<CrossEncoder>()
    /// Where loads are recorded (the xf dialect's Status reports when each model was loaded).
    let ledger: ServiceLedger
    /// Serialises loading so concurrent first requests load a model once.
    private let loading = Mutex<Void>(())

    public init(registry: ModelRegistry, modelsRoot: ModelsRoot, engineConfiguration: EngineConfiguration = .init(),
                ledger: ServiceLedger) {
        self.registry = registry
        self.modelsRoot = modelsRoot
        self.engineConfiguration = engineConfiguration
        self.ledger = ledger
        for model in registry.models where model.builtInHashEmbedder != nil { ledger.recordLoad(of: model.id) }
    }

    // MARK: Names

    /// The model `name` means for `kind` (empty = `default`).
    public func resolve(_ name: String, kind: ModelKind) throws(ServiceError) -> ModelDescriptor {
        do {
            return try registry.resolve(name.isEmpty ? "default" : name, kind: kind)
        } catch {
            throw .modelNotFound(name: name, kind: kind, available: registry.models(of: kind).map(\.id))
        }
    }

    /// The first embedder, which `default` names and Health's `ready` is about.
    public var defaultEmbedder: ModelDescriptor? { registry.models(of: .embedder).first }

    // MARK: State

    /// True when the default embedder is loaded (Health's `ready`).
    public var isReady: Bool {
        guard let embedder = defaultEmbedder else { return false }
        return embedder.builtInHashEmbedder != nil || embedders.loaded(embedder.id) != nil
    }

    /// Every known model with its load state.
    public func states() -> [HostedModelState] {
        registry.models.map { descriptor in
            switch descriptor.kind {
            case .embedder:
                if descriptor.builtInHashEmbedder != nil {
                    return HostedModelState(descriptor: descriptor, loaded: true, failure: nil,
                                            dimension: descriptor.dimension, memoryBytes: 0)
                }
                return Self.state(of: descriptor, embedders.slot(descriptor.id)) { $0.dimension }
            case .reranker:
                return Self.state(of: descriptor, rerankers.slot(descriptor.id)) { _ in nil }
            }
        }
    }

    /// The state of the model `id`, nil when the registry has no such model.
    public func state(of id: String) -> HostedModelState? { states().first { $0.descriptor.id == id } }

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

    // MARK: Loading

    /// Loads and warms the default embedder, and the default reranker when it is installed.
    /// Failures are recorded (Status shows them) and retried on the next request. Blocks its thread.
    public func warmUp(preloadReranker: Bool) {
        if let embedder = defaultEmbedder, embedder.builtInHashEmbedder == nil,
           let loaded = try? loadedEmbedder(embedder) {
            _ = try? loaded.embed(["warm up"])
        }
        if preloadReranker, let reranker = registry.models(of: .reranker).first,
           ModelsRoot.missingFiles(of: reranker, in: modelsRoot.directory(for: reranker)).isEmpty,
           let loaded = try? loadedReranker(reranker) {
            _ = try? loaded.scores(query: "warm", documents: ["up"])
        }
    }

    /// The embedder `descriptor` names, loaded now if it is not yet (blocks its thread).
    public func loadedEmbedder(_ descriptor: ModelDescriptor) throws(ServiceError) -> Embedder {
        try load(descriptor, into: embedders) { [engineConfiguration] directory in
            try Embedder.load(directory: directory, configuration: engineConfiguration)
        }
    }

    /// The reranker `descriptor` names, loaded now if it is not yet (blocks its thread).
    public func loadedReranker(_ descriptor: ModelDescriptor) throws(ServiceError) -> CrossEncoder {
        try load(descriptor, into: rerankers) { [engineConfiguration] directory in
            try CrossEncoder.load(directory: directory, configuration: engineConfiguration)
        }
    }

    /// The resident embedder, or its load run on the shared concurrency pool (never on the caller's
    /// executor, which may be a connection's event loop).
    func residentEmbedder(_ descriptor: ModelDescriptor) async throws(ServiceError) -> Embedder {
        if let loaded = embedders.loaded(descriptor.id) { return loaded }
        return try await onSharedPool { () throws(ServiceError) -> Embedder in try self.loadedEmbedder(descriptor) }
    }

    /// The resident reranker, loading it as `residentEmbedder` does.
    func residentReranker(_ descriptor: ModelDescriptor) async throws(ServiceError) -> CrossEncoder {
        if let loaded = rerankers.loaded(descriptor.id) { return loaded }
        return try await onSharedPool { () throws(ServiceError) -> CrossEncoder in try self.loadedReranker(descriptor) }
    }

    private func load<Model>(_ descriptor: ModelDescriptor, into slots: ModelSlots<Model>,
                             _ make: (URL) throws -> Model) throws(ServiceError) -> Model {
        if let loaded = slots.loaded(descriptor.id) { return loaded }
        return try loading.withLock { _ throws(ServiceError) -> Model in
            if let loaded = slots.loaded(descriptor.id) { return loaded }
            let directory: URL
            do {
                directory = try modelsRoot.installedDirectory(for: descriptor)
            } catch {
                throw .modelNotInstalled(model: descriptor.id, message: String(describing: error))
            }
            do {
                let before = ProcessResources.residentBytes()
                let model = try make(directory)
                slots.record(.loaded(model, memoryBytes: ProcessResources.residentBytes() &- before), for: descriptor.id)
                ledger.recordLoad(of: descriptor.id)
                return model
            } catch {
                let message = String(describing: error)
                slots.record(.failed(message), for: descriptor.id)
                throw .modelLoadFailed(model: descriptor.id, message: message)
            }
        }
    }
}

/// Runs `body` on the shared concurrency pool, whatever executor the calling task prefers: for work
/// that blocks its thread (a model load, SQLite) or runs for milliseconds.
public func onSharedPool<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor, operation: body)
}
