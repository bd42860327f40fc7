// The tiny golden models as registry entries, so daemon and client tests can serve them by name.
import SemanticCore

extension ModelDescriptor {
    /// The 16-d tiny embedder of the goldens, as the default embedder.
    public static let tinyEmbedder = ModelDescriptor(
        id: "tiny-16", kind: .embedder, displayName: "tiny", directoryName: "tiny_embedder", aliases: ["default"],
        dimension: 16, requiredFiles: ["config.json", "model.safetensors", "tokenizer.json"], checksums: [:],
        source: "goldens", installHint: "it ships with the tests")
    /// The tiny cross-encoder of the goldens, as the default reranker.
    public static let tinyReranker = ModelDescriptor(
        id: "tiny-ce", kind: .reranker, displayName: "tiny-ce", directoryName: "tiny_cross_encoder", aliases: ["default"],
        dimension: nil, requiredFiles: ["config.json", "model.safetensors", "tokenizer.json"], checksums: [:],
        source: "goldens", installHint: "it ships with the tests")
}
