// QualityEmbedder: how the job runner reaches the MiniLM embedder without owning it: an identity for the
// index file (id, our own honest vector-space revision label, dimension) and an async closure, so the
// daemon can route the pass through its scheduler at background priority. Never loads a model itself.

/// The quality tier's embedder, supplied by the caller.
public struct QualityEmbedder: Sendable {
    /// What the index file records about the vectors.
    public var identity: FSVIIdentity
    /// Embeds canonical texts (never empty), returning one vector of `identity.dimension` per text.
    public var embed: @Sendable ([String]) async throws -> [[Float]]

    public init(identity: FSVIIdentity, embed: @escaping @Sendable ([String]) async throws -> [[Float]]) {
        self.identity = identity
        self.embed = embed
    }

    /// The revision label of semd's own MiniLM vectors (f32 engine, all-MiniLM-L6-v2 at c9745ed1). It is
    /// deliberately not the reference's int8 label: the two engines' vectors differ slightly, and an
    /// index must never mix them.
    public static let miniLMRevision = "semd-minilm-f32-v1:c9745ed1d9f207416be6d2e6f8de32d1f16199bf"

    /// `minilm-384` with semd's revision label.
    public static func miniLM(embed: @escaping @Sendable ([String]) async throws -> [[Float]]) -> QualityEmbedder {
        QualityEmbedder(identity: FSVIIdentity(embedderID: "minilm-384", revision: miniLMRevision, dimension: 384),
                        embed: embed)
    }
}
