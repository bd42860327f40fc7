// What the service can serve now and how each model serves: kind, dimension, pooling, Normalize,
// token limit, prompts and folder, from the model folder's configuration files (a loaded model's
// facts are the same). Describing a model never loads its weights. The HTTP door's /info and
// /v1/models and `semctl models list` read these.
import Foundation
import SemanticCore

/// One model as the service serves it.
public struct ServedModelInfo: Sendable, Equatable {
    public let id: String
    public let kind: ModelKind
    public let displayName: String
    /// Vector length for embedders, nil for rerankers.
    public let dimension: Int?
    /// sentence-transformers' pooling mode names (`cls`, `mean`, `max`, `mean_sqrt_len`); empty for
    /// rerankers and the hash embedder.
    public let pooling: [String]
    public let normalizes: Bool
    /// Most tokens fed per text (or pair), prompt and [CLS]/[SEP] included; 0 for the hash embedder,
    /// which has no token limit.
    public let maxSequenceLength: Int
    /// Prompt name → prompt string (`query` and `document` always present for embedders).
    public let prompts: [String: String]
    public let defaultPromptName: String?
    /// The model's folder (empty for the built-in hash embedder).
    public let directory: String
    /// Added by a user (`semd --model`, `semctl models add`) rather than known to semd by name.
    public let userDefined: Bool

    public init(id: String, kind: ModelKind, displayName: String, dimension: Int?, pooling: [String], normalizes: Bool,
                maxSequenceLength: Int, prompts: [String: String], defaultPromptName: String?, directory: String,
                userDefined: Bool) {
        self.id = id
        self.kind = kind
        self.displayName = displayName
        self.dimension = dimension
        self.pooling = pooling
        self.normalizes = normalizes
        self.maxSequenceLength = maxSequenceLength
        self.prompts = prompts
        self.defaultPromptName = defaultPromptName
        self.directory = directory
        self.userDefined = userDefined
    }
}

extension InferenceService {
    /// How the model `name` serves (an id or alias of either kind, embedders first; a `:PROMPT` suffix
    /// is ignored). Loads nothing.
    public func modelInfo(_ name: String) throws(ServiceError) -> ServedModelInfo {
        let plain = PromptedModelName(name).model
        let descriptor: ModelDescriptor
        do {
            descriptor = try models.resolve(plain, kind: .embedder)
        } catch {
            do {
                descriptor = try models.resolve(plain, kind: .reranker)
            } catch {
                throw .modelNotFound(name: name, kind: .embedder,
                                     available: models.registry.models.map(\.id))
            }
        }
        return try models.info(of: descriptor)
    }

    /// Every model the service can serve now: installed, and described by its files without error
    /// (the hash embedder always). Loads nothing.
    public func servedModels() -> [ServedModelInfo] {
        models.refreshedRegistry().models.compactMap { try? models.info(of: $0) }
    }
}

extension ModelStore {
    /// How `descriptor` serves, from its folder's configuration files (cached per folder).
    func info(of descriptor: ModelDescriptor) throws(ServiceError) -> ServedModelInfo {
        if descriptor.builtInHashEmbedder != nil {
            return ServedModelInfo(
                id: descriptor.id, kind: .embedder, displayName: descriptor.displayName, dimension: descriptor.dimension,
                pooling: [], normalizes: true, maxSequenceLength: 0, prompts: ModelPrompts.none.prompts,
                defaultPromptName: nil, directory: "", userDefined: false)
        }
        let folder = try installedFolder(descriptor)
        let description = try folderDescription(descriptor, folder: folder)
        return ServedModelInfo(
            id: descriptor.id, kind: descriptor.kind, displayName: descriptor.displayName, dimension: description.dimension,
            pooling: description.pooling.map(\.name), normalizes: description.normalizes,
            maxSequenceLength: description.maxSequenceLength, prompts: description.prompts.prompts,
            defaultPromptName: description.prompts.defaultPromptName, directory: folder.path,
            userDefined: descriptor.isUserDefined)
    }
}
