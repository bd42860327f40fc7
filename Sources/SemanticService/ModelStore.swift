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

    func remove(_ id: String) { slots.withLock { $0[id] = nil } }
}

public final class ModelStore: Sendable {
    /// The models this store serves: semd's own, `semd --model`'s and the models file's.
    public let catalog: ModelCatalog
    public let modelsRoot: ModelsRoot
    let engineConfiguration: EngineConfiguration
    let embedders = ModelSlots<Embedder>()
    let rerankers = ModelSlots<CrossEncoder>()
    /// Where loads are recorded (the xf dialect's Status reports when each model was loaded).
    let ledger: ServiceLedger
    /// Serialises loading so concurrent first requests load a model once.
    private let loading = Mutex<Void>(())
    /// Folder descriptions by model id and folder (`info(of:)`).
    let descriptions = Mutex<[String: ModelFolderDescription]>([:])

    /// Serves `registry` alone, or, with `catalog`, the catalog's models (which then include `registry`'s
    /// only if the catalog was built from it).
    public init(registry: ModelRegistry, modelsRoot: ModelsRoot, engineConfiguration: EngineConfiguration = .init(),
                ledger: ServiceLedger, catalog: ModelCatalog? = nil) {
        self.catalog = catalog ?? ModelCatalog(fixed: registry)
        self.modelsRoot = modelsRoot
        self.engineConfiguration = engineConfiguration
        self.ledger = ledger
        for model in self.catalog.registry.models where model.builtInHashEmbedder != nil { ledger.recordLoad(of: model.id) }
    }

    // MARK: Names

    /// The models known now, as last read (see `refreshedRegistry` for a fresh look at the models file).
    public var registry: ModelRegistry { catalog.registry }

    /// The models known now, after a look at the models file: a model added there since is served, and
    /// a user model removed or moved there is dropped from memory.
    public func refreshedRegistry() -> ModelRegistry {
        let before = catalog.registry
        let after = catalog.currentRegistry()
        if before.models != after.models {
            for model in before.models where after.model(id: model.id) != model {
                embedders.remove(model.id)
                rerankers.remove(model.id)
            }
            descriptions.withLock { $0.removeAll() }
        }
        return after
    }

    /// The model `name` means for `kind` (empty = `default`). A name that does not resolve, or that
    /// names a user model, gets a fresh look at the models file first.
    public func resolve(_ name: String, kind: ModelKind) throws(ServiceError) -> ModelDescriptor {
        let wanted = name.isEmpty ? "default" : name
        if let found = try? registry.resolve(wanted, kind: kind), !found.isUserDefined { return found }
        let registry = refreshedRegistry()
        do {
            return try registry.resolve(wanted, kind: kind)
        } catch {
            if let problem = catalog.problem {
                // It may be a model of the models file, which cannot be read: say so rather than "unknown".
                throw .modelUnsupported(model: name, reason: "it is not among the models served, and \(problem)")
            }
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
        refreshedRegistry().models.map { descriptor in
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
            let directory = try installedFolder(descriptor)
            do {
                try Self.checkUserFolderKind(descriptor, folder: directory)
                let before = ProcessResources.residentBytes()
                let model = try make(directory)
                slots.record(.loaded(model, memoryBytes: ProcessResources.residentBytes() &- before), for: descriptor.id)
                ledger.recordLoad(of: descriptor.id)
                return model
            } catch {
                let message = String(describing: error)
                slots.record(.failed(message), for: descriptor.id)
                throw Self.loadError(error, descriptor: descriptor)
            }
        }
    }

    /// The service error for a failed load. A folder of a kind semd cannot serve (its configuration
    /// names another architecture, module, pooling or tokenizer) is `modelUnsupported`, never retryable;
    /// so is every failure of a user's own folder, which a retry cannot mend. Other failures of the
    /// models semd knows by name stay `modelLoadFailed` (a model being re-installed may load next time).
    static func loadError(_ error: any Error, descriptor: ModelDescriptor) -> ServiceError {
        let reason = String(describing: error)
        if descriptor.isUserDefined || isUnsupportedFolder(error) {
            return .modelUnsupported(model: descriptor.id, reason: reason)
        }
        return .modelLoadFailed(model: descriptor.id, message: reason)
    }

    /// True for the failures that say the folder describes a model this engine does not run.
    static func isUnsupportedFolder(_ error: any Error) -> Bool {
        switch error {
        case is ModelConfigurationError: return true
        case TokenizerError.unsupportedComponent: return true
        default: return false
        }
    }

    /// A user's own model must be served as the kind it was added as: its folder's configuration says
    /// which kind it holds. A model semd knows by name is not checked (its registry entry decides).
    static func checkUserFolderKind(_ descriptor: ModelDescriptor, folder: URL) throws {
        guard descriptor.isUserDefined else { return }
        let found = try ModelFolder.kind(of: folder)
        guard found == descriptor.kind else {
            throw ModelConfigurationError(
                file: folder.appendingPathComponent("config.json").path,
                problem: "the folder holds a \(found), but \(descriptor.id) was added as a \(descriptor.kind)")
        }
    }

    /// The model's folder, checked to hold its required files.
    func installedFolder(_ descriptor: ModelDescriptor) throws(ServiceError) -> URL {
        do {
            return try modelsRoot.installedDirectory(for: descriptor)
        } catch {
            throw .modelNotInstalled(model: descriptor.id, message: String(describing: error))
        }
    }

    /// What the folder's configuration files say about serving it, read once per folder.
    func folderDescription(_ descriptor: ModelDescriptor, folder: URL) throws(ServiceError) -> ModelFolderDescription {
        let key = descriptor.id + "\u{0}" + folder.path
        if let known = descriptions.withLock({ $0[key] }) { return known }
        do {
            try Self.checkUserFolderKind(descriptor, folder: folder)
            // A model semd knows by name serves as its registry says (a cross-encoder folder whose config
            // names no classification architecture is still the reranker).
            let description = try ModelFolder.describe(folder, as: descriptor.kind)
            descriptions.withLock { $0[key] = description }
            return description
        } catch {
            throw .modelUnsupported(model: descriptor.id, reason: String(describing: error))
        }
    }
}

/// Runs `body` on the shared concurrency pool, whatever executor the calling task prefers: for work
/// that blocks its thread (a model load, SQLite) or runs for milliseconds.
public func onSharedPool<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor, operation: body)
}
