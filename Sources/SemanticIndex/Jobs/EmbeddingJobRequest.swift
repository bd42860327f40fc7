// EmbeddingJobRequest: what a client asks for (archive, data directory, tiers, model names), the passes
// that request plans (two-tier: hash then quality; single: one pass) and which embedder each pass
// resolves to, exactly as the reference plans them. Pure values: never opens the archive.

/// A client's request to embed an archive into index files.
public struct EmbeddingJobRequest: Sendable, Equatable {
    /// The archive database, as the client spelled it (also the job rows' `db_path`).
    public var databasePath: String
    /// A data directory: indexes go to `<indexPath>/vector_index/index-<embedder_id>.fsvi`.
    public var indexPath: String
    public var twoTier: Bool
    public var fastModel: String?
    public var qualityModel: String?

    public init(databasePath: String, indexPath: String, twoTier: Bool,
                fastModel: String? = nil, qualityModel: String? = nil) {
        self.databasePath = databasePath
        self.indexPath = indexPath
        self.twoTier = twoTier
        self.fastModel = fastModel
        self.qualityModel = qualityModel
    }

    /// Two-tier: `(fast or "hash", not semantic)` then `(quality or "minilm", semantic)`.
    /// Single: `(quality or fast or "hash", semantic unless the name is exactly "hash")`.
    public var passes: [EmbeddingPass] {
        if twoTier {
            return [EmbeddingPass(modelName: fastModel ?? "hash", isSemantic: false),
                    EmbeddingPass(modelName: qualityModel ?? "minilm", isSemantic: true)]
        }
        let name = qualityModel ?? fastModel ?? "hash"
        return [EmbeddingPass(modelName: name, isSemantic: name != "hash")]
    }

    /// `<indexPath>/vector_index`.
    public var vectorIndexDirectory: String {
        (indexPath.hasSuffix("/") ? indexPath : indexPath + "/") + "vector_index"
    }
}

/// One pass over the archive with one embedder.
public struct EmbeddingPass: Sendable, Equatable, CustomStringConvertible {
    /// The model name as the client sent it; the job row's `model_id`.
    public var modelName: String
    /// Whether the plan meant this pass to be semantic (a non-semantic pass is always the hash embedder).
    public var isSemantic: Bool

    public init(modelName: String, isSemantic: Bool) {
        self.modelName = modelName
        self.isSemantic = isSemantic
    }

    /// Which embedder the pass uses: hash when not semantic or named `hash`/`fnv1a-384`; MiniLM for
    /// `minilm`, `minilm-384`, `all-minilm-l6-v2`, `fastembed` (case-insensitive); anything else fails.
    public func resolveEmbedder() throws(EmbeddingJobError) -> PassEmbedder {
        let name = modelName.lowercased()
        if !isSemantic || name == "hash" || name == "fnv1a-384" { return .hash }
        if ["fastembed", "minilm", "minilm-384", "all-minilm-l6-v2"].contains(name) { return .quality }
        throw .unsupportedModel(name: modelName)
    }

    public var description: String { "\(modelName) pass" }
}

/// The embedder behind a pass.
public enum PassEmbedder: Sendable, Equatable {
    /// `fnv1a-384`, computed in-process, bit-identical to the reference.
    case hash
    /// The MiniLM sentence embedder, supplied by the caller (see `QualityEmbedder`).
    case quality
}
