// Response: what the daemon answers (cass spec §1.5). `wireTable` is the declaration the codec reads:
// each variant's name, Rust index and payload, in Rust order. Newtype variants travel as {name:
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

    /// Which variant a response is, without its values.
    public enum Kind: Sendable, CaseIterable {
        case health, embed, rerank, status, jobSubmitted, jobStatus, jobCancelled, shutdown, error
    }

    /// cass v1's `Response`, in Rust declaration order.
    public static let wireTable = WireEnumTable<Kind>("Response", [
        WireVariant(.health, "Health", index: 0, .newtype(HealthStatus.fields)),
        WireVariant(.embed, "Embed", index: 1, .newtype(EmbedResponse.fields)),
        WireVariant(.rerank, "Rerank", index: 2, .newtype(RerankResponse.fields)),
        WireVariant(.status, "Status", index: 3, .newtype(StatusResponse.fields)),
        WireVariant(.jobSubmitted, "JobSubmitted", index: 4, .fields(WireStruct("JobSubmitted", fields: ["job_id", "message"]))),
        WireVariant(.jobStatus, "JobStatus", index: 5, .newtype(EmbeddingJobInfo.fields)),
        WireVariant(.jobCancelled, "JobCancelled", index: 6, .fields(WireStruct("JobCancelled", fields: ["cancelled", "message"]))),
        WireVariant(.shutdown, "Shutdown", index: 7, .fields(WireStruct("Shutdown", fields: ["message"]))),
        WireVariant(.error, "Error", index: 8, .newtype(ErrorResponse.fields)),
    ])

    /// The one place a case meets its row in `wireTable`.
    public var kind: Kind {
        switch self {
        case .health: .health
        case .embed: .embed
        case .rerank: .rerank
        case .status: .status
        case .jobSubmitted: .jobSubmitted
        case .jobStatus: .jobStatus
        case .jobCancelled: .jobCancelled
        case .shutdown: .shutdown
        case .error: .error
        }
    }

    /// The variant name on the wire, e.g. `"JobSubmitted"`.
    public var variantName: String { Self.wireTable[kind].name }

    public func encode(to writer: inout MessagePackWriter) throws {
        try Self.wireTable.writeTag(of: kind, to: &writer)
        switch self {
        case .health(let status): try status.encode(to: &writer)
        case .embed(let response): try response.encode(to: &writer)
        case .rerank(let response): try response.encode(to: &writer)
        case .status(let response): try response.encode(to: &writer)
        case .jobSubmitted(let jobID, let message):
            try writer.writeString(jobID)
            try writer.writeString(message)
        case .jobStatus(let info): try info.encode(to: &writer)
        case .jobCancelled(let cancelled, let message):
            writer.writeInt(cancelled)
            try writer.writeString(message)
        case .shutdown(let message):
            try writer.writeString(message)
        case .error(let response): try response.encode(to: &writer)
        }
    }

    public init(from reader: inout MessagePackReader) throws {
        self = try Self.wireTable.read(&reader) { reader, variant in
            switch variant.kind {
            case .health: return .health(try HealthStatus(from: &reader))
            case .embed: return .embed(try EmbedResponse(from: &reader))
            case .rerank: return .rerank(try RerankResponse(from: &reader))
            case .status: return .status(try StatusResponse(from: &reader))
            case .jobStatus: return .jobStatus(try EmbeddingJobInfo(from: &reader))
            case .error: return .error(try ErrorResponse(from: &reader))
            case .jobSubmitted:
                var jobID = "", message = ""
                try readStruct(&reader, variant.fields) { reader, field in
                    if field == 0 { jobID = try reader.readString() } else { message = try reader.readString() }
                }
                return .jobSubmitted(jobID: jobID, message: message)
            case .jobCancelled:
                var cancelled = 0, message = ""
                try readStruct(&reader, variant.fields) { reader, field in
                    if field == 0 { cancelled = try reader.readCount() } else { message = try reader.readString() }
                }
                return .jobCancelled(cancelled: cancelled, message: message)
            case .shutdown:
                var message = ""
                try readStruct(&reader, variant.fields) { reader, _ in message = try reader.readString() }
                return .shutdown(message: message)
            }
        }
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
