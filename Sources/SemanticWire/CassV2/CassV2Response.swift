// CassV2Response: what a cass protocol v2 daemon answers (v2 spec §3.2). `wireTable` is the
// declaration the codec reads: 12 variants, each with its name, Rust index and payload, in Rust
// order — v1's nine plus three attested ones inserted in the middle. Payloads whose layout v2 kept are
// v1's types. Newtype variants travel as {name: [payload struct]}. It must never emit an index.

/// A response of cass protocol v2, the payload of a `CassV2ResponseEnvelope`.
public enum CassV2Response: Sendable, Equatable, MessagePackCodable {
    /// `Health(HealthStatus)`, its `version` 2 (`HealthStatus.cassV2`); a client refuses any other.
    case health(HealthStatus)
    /// `ConnectionIdentity(DaemonConnectionIdentityV1)`
    case connectionIdentity(DaemonConnectionIdentityV1)
    /// `Attestation(DaemonEmbeddingAttestationV1)`: the handshake and health proofs.
    case attestation(DaemonEmbeddingAttestationV1)
    /// `Embed(EmbedResponse)`, unattested, as in v1.
    case embed(EmbedResponse)
    /// `AttestedEmbedding(AttestedDaemonEmbeddingResponseV1)`: the embed and rerank proofs.
    case attestedEmbedding(AttestedDaemonEmbeddingResponseV1)
    /// `Rerank(RerankResponse)`, unattested, as in v1.
    case rerank(RerankResponse)
    /// `Status(StatusResponse)`, as in v1 with `version` 2.
    case status(StatusResponse)
    /// `JobSubmitted { job_id: String, message: String }`
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
        case health, connectionIdentity, attestation, embed, attestedEmbedding, rerank, status, jobSubmitted
        case jobStatus, jobCancelled, shutdown, error
    }

    /// cass v2's `Response`, in Rust declaration order; the struct variants are v1's rows.
    public static let wireTable = WireEnumTable<Kind>("Response", [
        WireVariant(.health, "Health", index: 0, .newtype(HealthStatus.fields)),
        WireVariant(.connectionIdentity, "ConnectionIdentity", index: 1, .newtype(DaemonConnectionIdentityV1.fields)),
        WireVariant(.attestation, "Attestation", index: 2, .newtype(DaemonEmbeddingAttestationV1.fields)),
        WireVariant(.embed, "Embed", index: 3, .newtype(EmbedResponse.fields)),
        WireVariant(.attestedEmbedding, "AttestedEmbedding", index: 4, .newtype(AttestedDaemonEmbeddingResponseV1.fields)),
        WireVariant(.rerank, "Rerank", index: 5, .newtype(RerankResponse.fields)),
        WireVariant(.status, "Status", index: 6, .newtype(StatusResponse.fields)),
        WireVariant(.jobSubmitted, "JobSubmitted", index: 7, .fields(Response.wireTable[.jobSubmitted].fields)),
        WireVariant(.jobStatus, "JobStatus", index: 8, .newtype(EmbeddingJobInfo.fields)),
        WireVariant(.jobCancelled, "JobCancelled", index: 9, .fields(Response.wireTable[.jobCancelled].fields)),
        WireVariant(.shutdown, "Shutdown", index: 10, .fields(Response.wireTable[.shutdown].fields)),
        WireVariant(.error, "Error", index: 11, .newtype(ErrorResponse.fields)),
    ])

    /// The one place a case meets its row in `wireTable`.
    public var kind: Kind {
        switch self {
        case .health: .health
        case .connectionIdentity: .connectionIdentity
        case .attestation: .attestation
        case .embed: .embed
        case .attestedEmbedding: .attestedEmbedding
        case .rerank: .rerank
        case .status: .status
        case .jobSubmitted: .jobSubmitted
        case .jobStatus: .jobStatus
        case .jobCancelled: .jobCancelled
        case .shutdown: .shutdown
        case .error: .error
        }
    }

    /// The variant name on the wire, e.g. `"AttestedEmbedding"`.
    public var variantName: String { Self.wireTable[kind].name }

    public func encode(to writer: inout MessagePackWriter) throws {
        try Self.wireTable.writeTag(of: kind, to: &writer)
        switch self {
        case .health(let status): try status.encode(to: &writer)
        case .connectionIdentity(let identity): try identity.encode(to: &writer)
        case .attestation(let proof): try proof.encode(to: &writer)
        case .embed(let response): try response.encode(to: &writer)
        case .attestedEmbedding(let response): try response.encode(to: &writer)
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
            case .connectionIdentity: return .connectionIdentity(try DaemonConnectionIdentityV1(from: &reader))
            case .attestation: return .attestation(try DaemonEmbeddingAttestationV1(from: &reader))
            case .embed: return .embed(try EmbedResponse(from: &reader))
            case .attestedEmbedding: return .attestedEmbedding(try AttestedDaemonEmbeddingResponseV1(from: &reader))
            case .rerank: return .rerank(try RerankResponse(from: &reader))
            case .status: return .status(try StatusResponse(from: &reader))
            case .jobSubmitted:
                var jobID = "", message = ""
                try readStruct(&reader, variant.fields) { reader, field in
                    if field == 0 { jobID = try reader.readString() } else { message = try reader.readString() }
                }
                return .jobSubmitted(jobID: jobID, message: message)
            case .jobStatus: return .jobStatus(try EmbeddingJobInfo(from: &reader))
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
            case .error: return .error(try ErrorResponse(from: &reader))
            }
        }
    }

    /// Bytes this response takes when encoded, near enough to reserve storage once.
    var estimatedEncodedSize: Int {
        switch self {
        case .embed(let response): return 32 + response.estimatedEncodedSize
        case .attestedEmbedding(let response): return 32 + response.estimatedEncodedSize
        case .connectionIdentity, .attestation: return 2_400
        default: return 256
        }
    }
}

extension HealthStatus {
    /// The `Health` payload a cass v2 daemon sends: `version` 2.
    public static func cassV2(uptimeSeconds: UInt64, ready: Bool, memoryBytes: UInt64) -> HealthStatus {
        HealthStatus(uptimeSeconds: uptimeSeconds, version: CassV2.protocolVersion, ready: ready, memoryBytes: memoryBytes)
    }
}
