// The model-free fnv1a-384 hash embedder as a registry entry, and the registry semd serves (its own
// models and the hash embedder). In SemanticCore so that every program checking a user model's name
// (semctl, semd) sees the same names the daemon answers to. Pure data.

extension ModelDescriptor {
    /// The model-free `fnv1a-384` embedder. Nothing to install.
    public static let fnv1aHash384 = ModelDescriptor(
        id: "fnv1a-384",
        kind: .embedder,
        displayName: "FNV-1a hash embedder (384)",
        directoryName: "",
        aliases: ["hash", "fnv1a", "hash-fnv1a-384"],
        dimension: 384,
        requiredFiles: [],
        checksums: [:],
        source: "built in: cass's fnv1a-384 hash tier, bit-exact (no weights)",
        installHint: "the hash embedder is built in; there is nothing to install"
    )
}

extension ModelRegistry {
    /// This registry with the built-in hash embedder appended (after the default embedder, so
    /// `default` and the first embedder stay as they were).
    public func addingHashEmbedder() -> ModelRegistry {
        if models.contains(where: { $0.id == ModelDescriptor.fnv1aHash384.id }) { return self }
        return ModelRegistry(models: models + [.fnv1aHash384])
    }

    /// What semd serves: the standard models and the hash embedder.
    public static let daemon = ModelRegistry.standard.addingHashEmbedder()
}
