// Response: what the daemon answers (cass spec §1.5). `wireTable` is the declaration the codec reads:
// the variants in Rust order, each with its payload. Newtype variants travel as {name:
// [payload struct]}, struct variants as {name: [fields in order]}. It must never reorder fields or
// emit variant indices.

/// A response, the payload of a `ResponseEnvelope`.
public enum Response: Sendable, Equatable, MessagePackCodable {
    /// `Health(HealthStatus)`
    case health(HealthStatus)
    /// `Embed(EmbedResponse)`
    case embed(EmbedResponse)
    /// `Rerank(RerankResponse)`
    case rerank(RerankResponse)
    /// `Status(StatusResponse)`
    case status(StatusResponse)
    /// `JobSubmitted { job_id: String, message: String }` — `job_id` is the request's id.
    case jobSubmitted(jobID: String, message: String)
    /// `JobStatus(EmbeddingJobInfo)`
    case jobStatus(EmbeddingJobInfo)
    /// `JobCancelled { cancelled: usize, message: String }`
    case jobCancelled(cancelled: Int, message: String)
    /// `Shutdown { message: String }`
    case shutdown(message: String)
    /// `Error(ErrorResponse)`
    case error(ErrorResponse)

    /// The variants without their values: what names a row of `wireTable`.
    public enum Kind: Sendable, CaseIterable {
        case health, embed, rerank, status, jobSubmitted, jobStatus, jobCancelled, shutdown, error
    }

    /// Bytes this response takes when encoded, near enough to reserve storage once.
    var estimatedEncodedSize: Int {
        switch self {
        case .embed(let response): return 16 + response.estimatedEncodedSize
        case .rerank(let response): return 32 + response.model.utf8.count + 5 * response.scores.count
        default: return 256
        }
    }
}

extension Response: WireTableEnum {
    /// cass v1's `Response`, in Rust declaration order (a row's position is its index).
    public static let wireTable = WireEnumTable<Response, Kind>("Response", [
        WireVariant(.health, "Health", newtype: HealthStatus.fields, Response.health),
        WireVariant(.embed, "Embed", newtype: EmbedResponse.fields, Response.embed),
        WireVariant(.rerank, "Rerank", newtype: RerankResponse.fields, Response.rerank),
        WireVariant(.status, "Status", newtype: StatusResponse.fields, Response.status),
        WireVariant(.jobSubmitted, "JobSubmitted", fields: ["job_id", "message"], Response.jobSubmitted),
        WireVariant(.jobStatus, "JobStatus", newtype: EmbeddingJobInfo.fields, Response.jobStatus),
        WireVariant(.jobCancelled, "JobCancelled", fields: ["cancelled", "message"], Response.jobCancelled),
        WireVariant(.shutdown, "Shutdown", fields: ["message"], Response.shutdown),
        WireVariant(.error, "Error", newtype: ErrorResponse.fields, Response.error),
    ])

    public func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result {
        switch self {
        case .health(let status): return try body(.health) { try status.encode(to: &$0) }
        case .embed(let response): return try body(.embed) { try response.encode(to: &$0) }
        case .rerank(let response): return try body(.rerank) { try response.encode(to: &$0) }
        case .status(let response): return try body(.status) { try response.encode(to: &$0) }
        case .jobSubmitted(let jobID, let message): return try body(.jobSubmitted) { try $0.writeStruct(jobID, message) }
        case .jobStatus(let info): return try body(.jobStatus) { try info.encode(to: &$0) }
        case .jobCancelled(let cancelled, let message):
            return try body(.jobCancelled) { try $0.writeStruct(cancelled, message) }
        case .shutdown(let message): return try body(.shutdown) { try $0.writeStruct(message) }
        case .error(let response): return try body(.error) { try response.encode(to: &$0) }
        }
    }
}
