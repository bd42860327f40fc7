// The model names xf sends, mapped onto semd's models: xf's own names first (`default`,
// `all-minilm-l6-v2`, `hash`, `fnv1a-384`, `cross-encoder`, …), then semd's ids and aliases. A name
// semd does not have (`flashrank-nano`, `bge-small-en-v1.5`, …) is xf's UNKNOWN_MODEL, with the
// names that would work. Name arithmetic only; never loads a model.
import Foundation
import SemanticCore

enum XFModelNames {
    /// xf name (lowercased) → semd model id, for embedders.
    static let embedders: [String: String] = [
        "default": ModelDescriptor.miniLM.id,
        "all-minilm-l6-v2": ModelDescriptor.miniLM.id,
        "sentence-transformers/all-minilm-l6-v2": ModelDescriptor.miniLM.id,
        "hash": ModelDescriptor.fnv1aHash384.id,
        "fnv1a": ModelDescriptor.fnv1aHash384.id,
        "fnv1a-384": ModelDescriptor.fnv1aHash384.id,
        "hash-fnv1a-384": ModelDescriptor.fnv1aHash384.id,
    ]

    /// xf name (lowercased) → semd model id, for rerankers.
    static let rerankers: [String: String] = [
        "default": ModelDescriptor.msMarcoMiniLM.id,
        "cross-encoder": ModelDescriptor.msMarcoMiniLM.id,
        "ms-marco": ModelDescriptor.msMarcoMiniLM.id,
    ]

    static func table(_ kind: ModelKind) -> [String: String] { kind == .embedder ? embedders : rerankers }

    /// The semd model an xf name means, or nil when semd has none of that kind by that name.
    static func resolve(_ name: String, kind: ModelKind, registry: ModelRegistry) -> ModelDescriptor? {
        let wanted = name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if let id = table(kind)[wanted.isEmpty ? "default" : wanted], let model = registry.model(id: id), model.kind == kind {
            return model
        }
        return try? registry.resolve(wanted.isEmpty ? "default" : wanted, kind: kind)
    }

    /// "unknown model: NAME; available embedders: minilm-384 (default, all-minilm-l6-v2, …), …"
    static func unknownModelMessage(_ name: String, kind: ModelKind, registry: ModelRegistry) -> String {
        let available = registry.models(of: kind).map { model -> String in
            let xfNames = table(kind).filter { $0.value == model.id && $0.key != model.id }.keys.sorted()
            return xfNames.isEmpty ? model.id : "\(model.id) (\(xfNames.joined(separator: ", ")))"
        }
        return "unknown model: \(name); available \(kind)s: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
    }
}
