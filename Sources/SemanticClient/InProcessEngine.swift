// The in-process path: SemanticCore's Embedder and CrossEncoder loaded from the same models root and
// registry the daemon uses, lazily (a call that the daemon serves never pays for a model load) and
// once per client. It computes what the daemon computes, so a fallback returns the same vectors: the
// user models of the models file are served as the daemon serves them, the prompt chosen by the same
// rules. It also keeps each model's tokenizer (no weights) for the token counts and length checks of
// calls the daemon serves.
import Foundation
import SemanticCore
import Synchronization

final class InProcessEngine: Sendable {
    let registry: ModelRegistry
    let modelsRoot: ModelsRoot
    let configuration: EngineConfiguration
    private let embedders = Mutex<[String: Embedder]>([:])
    private let crossEncoders = Mutex<[String: CrossEncoder]>([:])
    private let tokenizers = Mutex<[String: ModelTokenizer]>([:])
    /// Serialises loading so concurrent first calls load a model once.
    private let loading = Mutex<Void>(())

    init(registry: ModelRegistry, modelsRoot: ModelsRoot, threads: Int?) {
        self.registry = registry
        self.modelsRoot = modelsRoot
        var configuration = EngineConfiguration(threads: threads)
        // The fallback answers a call or a few, then its process ends: map the weights (ready in a few
        // milliseconds) rather than copy them as the long-running daemon does.
        configuration.weightStorage = .mapped
        self.configuration = configuration
    }

    /// Vectors for `texts` from the embedder `model` names (without a `:PROMPT` suffix), each text after
    /// `prompt`; `dims` keeps the first components.
    func embed(_ texts: [String], model: String, dims: Int?, prompt: EmbeddingPrompt = .modelDefault)
        throws(ClientError) -> (vectors: [[Float]], model: String, dimension: Int) {
        let descriptor = try resolve(model, kind: .embedder)
        let embedder = try loadedEmbedder(descriptor)
        if let dims, !(1...embedder.dimension).contains(dims) {
            throw .invalidRequest("dims \(dims) is out of range: \(descriptor.id) has \(embedder.dimension) dimensions")
        }
        let promptString = try prompt.promptString(with: embedder.prompts, model: descriptor.id)
        do {
            return (try embedder.embed(texts, prompt: promptString, dims: dims), descriptor.id, dims ?? embedder.dimension)
        } catch {
            throw .engine("\(descriptor.id) failed: \(error)")
        }
    }

    /// The tokenizer of the model `model` names (an embedder first, else a reranker), read once.
    func tokenizer(for model: String) throws(ClientError) -> ModelTokenizer {
        let descriptor: ModelDescriptor
        do {
            descriptor = try resolve(model, kind: .embedder)
        } catch {
            guard let reranker = try? resolve(model, kind: .reranker) else { throw error }
            descriptor = reranker
        }
        if let tokenizer = tokenizers.withLock({ $0[descriptor.id] }) { return tokenizer }
        let tokenizer = try ModelTokenizer.load(directory: try installedDirectory(descriptor), modelID: descriptor.id)
        tokenizers.withLock { $0[descriptor.id] = tokenizer }
        return tokenizer
    }

    /// Raw logits of each document for `query` from the reranker `model` names.
    func logits(query: String, documents: [String], model: String) throws(ClientError) -> (logits: [Float], model: String) {
        let descriptor = try resolve(model, kind: .reranker)
        let crossEncoder = try loadedCrossEncoder(descriptor)
        do {
            return (try crossEncoder.scores(query: query, documents: documents), descriptor.id)
        } catch {
            throw .engine("\(descriptor.id) failed: \(error)")
        }
    }

    /// The model `name` means: one of the registry's, else a user model of the models file
    /// (`semctl models add`), read when a name is not the registry's.
    func resolve(_ name: String, kind: ModelKind) throws(ClientError) -> ModelDescriptor {
        let wanted = name.isEmpty ? "default" : name
        let registryError: ModelRegistryError
        do {
            return try registry.resolve(wanted, kind: kind)
        } catch {
            registryError = error
        }
        let file = UserModelsFile(root: modelsRoot)
        let withUserModels: ModelRegistry
        do {
            withUserModels = try registry.addingUserModels(try file.read(), source: "models file \(file.url.path)")
        } catch {
            throw .invalidRequest("\(registryError.description); and \(error)")
        }
        do {
            return try withUserModels.resolve(wanted, kind: kind)
        } catch {
            throw .invalidRequest(error.description)
        }
    }

    private func loadedEmbedder(_ descriptor: ModelDescriptor) throws(ClientError) -> Embedder {
        if let embedder = embedders.withLock({ $0[descriptor.id] }) { return embedder }
        return try loading.withLock { _ throws(ClientError) -> Embedder in
            if let embedder = embedders.withLock({ $0[descriptor.id] }) { return embedder }
            let directory = try installedDirectory(descriptor)
            do {
                let embedder = try Embedder.load(directory: directory, configuration: configuration)
                embedders.withLock { $0[descriptor.id] = embedder }
                return embedder
            } catch {
                throw .engine("cannot load \(descriptor.id) from \(directory.path): \(error)")
            }
        }
    }

    private func loadedCrossEncoder(_ descriptor: ModelDescriptor) throws(ClientError) -> CrossEncoder {
        if let crossEncoder = crossEncoders.withLock({ $0[descriptor.id] }) { return crossEncoder }
        return try loading.withLock { _ throws(ClientError) -> CrossEncoder in
            if let crossEncoder = crossEncoders.withLock({ $0[descriptor.id] }) { return crossEncoder }
            let directory = try installedDirectory(descriptor)
            do {
                let crossEncoder = try CrossEncoder.load(directory: directory, configuration: configuration)
                crossEncoders.withLock { $0[descriptor.id] = crossEncoder }
                return crossEncoder
            } catch {
                throw .engine("cannot load \(descriptor.id) from \(directory.path): \(error)")
            }
        }
    }

    private func installedDirectory(_ descriptor: ModelDescriptor) throws(ClientError) -> URL {
        do {
            return try modelsRoot.installedDirectory(for: descriptor)
        } catch {
            throw .engine(error.description)
        }
    }
}
