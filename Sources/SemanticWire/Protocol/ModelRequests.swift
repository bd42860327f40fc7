// ModelRequests: the request variants that cass v1 and xf declare alike — `Health`, `Status` and
// `Shutdown` as unit variants, `Embed`, `Rerank` and `CancelEmbeddingJob` with the same fields — as
// table rows written once for every dialect's request enum; each dialect's table places them, which
// gives their indices. It must never hold what a dialect spells its own way.

/// The cases every dialect's request enum has, with the same payloads (enum cases witness these).
protocol ModelRequestCases: Sendable, Equatable {
    static var health: Self { get }
    static var status: Self { get }
    static var shutdown: Self { get }
    static func embed(texts: [String], model: String, dims: Int?) -> Self
    static func rerank(query: String, documents: [String], model: String) -> Self
    static func cancelEmbeddingJob(dbPath: String, modelID: String?) -> Self
}

/// The kinds of those cases (the cases of each request enum's `Kind` witness these).
protocol ModelRequestKinds: Hashable, Sendable {
    static var health: Self { get }
    static var status: Self { get }
    static var shutdown: Self { get }
    static var embed: Self { get }
    static var rerank: Self { get }
    static var cancelEmbeddingJob: Self { get }
}

extension WireVariant where Value: ModelRequestCases, Kind: ModelRequestKinds {
    /// `Health`
    static var health: WireVariant { WireVariant(.health, "Health", unit: .health) }
    /// `Status`
    static var status: WireVariant { WireVariant(.status, "Status", unit: .status) }
    /// `Shutdown`
    static var shutdown: WireVariant { WireVariant(.shutdown, "Shutdown", unit: .shutdown) }
    /// `Embed { texts: Vec<String>, model: String, dims: Option<usize> }`
    static var embed: WireVariant {
        WireVariant(.embed, "Embed", fields: ["texts", "model", "dims"], Value.embed)
    }
    /// `Rerank { query: String, documents: Vec<String>, model: String }`
    static var rerank: WireVariant {
        WireVariant(.rerank, "Rerank", fields: ["query", "documents", "model"], Value.rerank)
    }
    /// `CancelEmbeddingJob { db_path: String, model_id: Option<String> }`
    static var cancelEmbeddingJob: WireVariant {
        WireVariant(.cancelEmbeddingJob, "CancelEmbeddingJob",
                    fields: ["db_path", "model_id"], Value.cancelEmbeddingJob)
    }
}
