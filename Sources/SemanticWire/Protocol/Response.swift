// Response: what the daemon answers (cass spec §1.5). Newtype variants travel as {name: [payload
// struct]}, struct variants as {name: [fields in order]}. It must never reorder fields or emit
// variant indices.

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

    /// Variant names in Rust declaration order (the index is accepted when decoding, never written).
    static let variantNames = [
        "Health", "Embed", "Rerank", "Status", "JobSubmitted", "JobStatus", "JobCancelled", "Shutdown", "Error",
    ]

    /// The variant name on the wire, e.g. `"JobSubmitted"`.
    public var variantName: String {
        switch self {
        case .health: return "Health"
        case .embed: return "Embed"
        case .rerank: return "Rerank"
        case .status: return "Status"
        case .jobSubmitted: return "JobSubmitted"
        case .jobStatus: return "JobStatus"
        case .jobCancelled: return "JobCancelled"
        case .shutdown: return "Shutdown"
        case .error: return "Error"
        }
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeMapHeader(count: 1)
        try writer.writeString(variantName)
        switch self {
        case .health(let status): try status.encode(to: &writer)
        case .embed(let response): try response.encode(to: &writer)
        case .rerank(let response): try response.encode(to: &writer)
        case .status(let response): try response.encode(to: &writer)
        case .jobSubmitted(let jobID, let message):
            try writer.writeArrayHeader(count: 2)
            try writer.writeString(jobID)
            try writer.writeString(message)
        case .jobStatus(let info): try info.encode(to: &writer)
        case .jobCancelled(let cancelled, let message):
            try writer.writeArrayHeader(count: 2)
            writer.writeInt(cancelled)
            try writer.writeString(message)
        case .shutdown(let message):
            try writer.writeArrayHeader(count: 1)
            try writer.writeString(message)
        case .error(let response): try response.encode(to: &writer)
        }
    }

    public init(from reader: inout MessagePackReader) throws {
        self = try readEnum(&reader, type: "Response", variants: Self.variantNames) { reader, variant, form in
            try requirePayload(form, type: Self.variantNames[variant])
            return try Self.readPayload(variant, &reader)
        }
    }

    /// Field names of the struct variants, in order (the map form's keys).
    private enum Fields {
        static let jobSubmitted = ["job_id", "message"]
        static let jobCancelled = ["cancelled", "message"]
        static let shutdown = ["message"]
    }

    private static func readPayload(_ variant: Int, _ reader: inout MessagePackReader) throws -> Response {
        let type = variantNames[variant]
        switch variant {
        case 0: return .health(try HealthStatus(from: &reader))
        case 1: return .embed(try EmbedResponse(from: &reader))
        case 2: return .rerank(try RerankResponse(from: &reader))
        case 3: return .status(try StatusResponse(from: &reader))
        case 4:
            var jobID = "", message = ""
            try readStruct(&reader, type: type, fields: Fields.jobSubmitted) { reader, field in
                if field == 0 { jobID = try reader.readString() } else { message = try reader.readString() }
            }
            return .jobSubmitted(jobID: jobID, message: message)
        case 5: return .jobStatus(try EmbeddingJobInfo(from: &reader))
        case 6:
            var cancelled = 0, message = ""
            try readStruct(&reader, type: type, fields: Fields.jobCancelled) { reader, field in
                if field == 0 { cancelled = try reader.readCount() } else { message = try reader.readString() }
            }
            return .jobCancelled(cancelled: cancelled, message: message)
        case 7:
            var message = ""
            try readStruct(&reader, type: type, fields: Fields.shutdown) { reader, _ in
                message = try reader.readString()
            }
            return .shutdown(message: message)
        default: return .error(try ErrorResponse(from: &reader))
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
