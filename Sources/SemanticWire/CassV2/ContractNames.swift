// The four name-only enums of the frankensearch contract that cass protocol v2 carries (spec §3.4):
// the operation a challenge covers, the model's category, the kind of embedding space and the
// quantization of stored vectors. Each raw value is the exact name on the wire. Plain values: the
// MessagePack coding lives in ContractCoding.swift, the canonical (hashed) encodings elsewhere.
// They must never carry a second spelling of a name: the raw value is the only one.

/// frankensearch `DaemonOperationV1`: what a challenge asks the daemon to prove. Serialized in
/// snake_case (`"handshake" | "health" | "embed" | "embed_batch" | "rerank"`); declared in the order
/// of the canonical byte tags 1–5.
public enum DaemonOperationV1: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `handshake`: no inputs.
    case handshake
    /// `health`: no inputs.
    case health
    /// `embed`: exactly one text.
    case embed
    /// `embed_batch`: one or more texts (a batch of one stays `embed_batch`).
    case embedBatch = "embed_batch"
    /// `rerank`: the query, then one or more documents.
    case rerank
}

/// frankensearch `ModelCategory`, serialized as its PascalCase name.
public enum ModelCategory: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `HashEmbedder`
    case hashEmbedder = "HashEmbedder"
    /// `StaticEmbedder`
    case staticEmbedder = "StaticEmbedder"
    /// `TransformerEmbedder` (MiniLM).
    case transformerEmbedder = "TransformerEmbedder"
    /// `ApiEmbedder`
    case apiEmbedder = "ApiEmbedder"
}

/// frankensearch `EmbeddingSpaceKind`, serialized in snake_case.
public enum EmbeddingSpaceKind: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `semantic`
    case semantic
    /// `hash_control`
    case hashControl = "hash_control"
}

/// frankensearch `VectorQuantization`, serialized as its PascalCase name.
public enum VectorQuantization: String, Sendable, Equatable, Hashable, CaseIterable {
    /// `F32`
    case f32 = "F32"
    /// `F16`
    case f16 = "F16"
    /// `Int8`
    case int8 = "Int8"
    /// `Int4`
    case int4 = "Int4"
}
