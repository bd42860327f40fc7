// CassV2Response: what a cass protocol v2 daemon answers (v2 spec §3.2). `wireTable` is the
// declaration the codec reads: 12 variants in Rust order, each with its name and payload — v1's nine
// plus three attested ones inserted in the middle. Payloads whose layout v2 kept are
// v1's types. Newtype variants travel as {name: [payload struct]}. It must never emit an index.

/// A response of cass protocol v2, the payload of a `CassV2ResponseEnvelope`.
public enum CassV2Response: Sendable, Equatable {
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

    /// The variants without their values: what names a row of `wireTable`.
    public enum Kind: Sendable, CaseIterable {
        case health, connectionIdentity, attestation, embed, attestedEmbedding, rerank, status, jobSubmitted
        case jobStatus, jobCancelled, shutdown, error
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

extension CassV2Response: WireTableEnum {
    /// cass v2's `Response`, in Rust declaration order (a row's position is its index). The payloads
    /// v2 kept are v1's types, the struct variants v1's fields.
    public static let wireTable = WireEnumTable<CassV2Response, Kind>("Response", [
        WireVariant(.health, "Health", newtype: HealthStatus.fields, CassV2Response.health),
        WireVariant(.connectionIdentity, "ConnectionIdentity", newtype: DaemonConnectionIdentityV1.fields,
                    CassV2Response.connectionIdentity),
        WireVariant(.attestation, "Attestation", newtype: DaemonEmbeddingAttestationV1.fields, CassV2Response.attestation),
        WireVariant(.embed, "Embed", newtype: EmbedResponse.fields, CassV2Response.embed),
        WireVariant(.attestedEmbedding, "AttestedEmbedding", newtype: AttestedDaemonEmbeddingResponseV1.fields,
                    CassV2Response.attestedEmbedding),
        WireVariant(.rerank, "Rerank", newtype: RerankResponse.fields, CassV2Response.rerank),
        WireVariant(.status, "Status", newtype: StatusResponse.fields, CassV2Response.status),
        WireVariant(.jobSubmitted, "JobSubmitted", fields: ["job_id", "message"], CassV2Response.jobSubmitted),
        WireVariant(.jobStatus, "JobStatus", newtype: EmbeddingJobInfo.fields, CassV2Response.jobStatus),
        WireVariant(.jobCancelled, "JobCancelled", fields: ["cancelled", "message"], CassV2Response.jobCancelled),
        WireVariant(.shutdown, "Shutdown", fields: ["message"], CassV2Response.shutdown),
        WireVariant(.error, "Error", newtype: ErrorResponse.fields, CassV2Response.error),
    ])

    public func withVariant<Result>(_ body: WireVariantBody<Kind, Result>) throws -> Result {
        switch self {
        case .health(let status): return try body(.health) { try status.encode(to: &$0) }
        case .connectionIdentity(let identity): return try body(.connectionIdentity) { try identity.encode(to: &$0) }
        case .attestation(let proof): return try body(.attestation) { try proof.encode(to: &$0) }
        case .embed(let response): return try body(.embed) { try response.encode(to: &$0) }
        case .attestedEmbedding(let response): return try body(.attestedEmbedding) { try response.encode(to: &$0) }
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

extension HealthStatus {
    /// The `Health` payload a cass v2 daemon sends: `version` 2.
    public static func cassV2(uptimeSeconds: UInt64, ready: Bool, memoryBytes: UInt64) -> HealthStatus {
        HealthStatus(uptimeSeconds: uptimeSeconds, version: CassV2.protocolVersion, ready: ready, memoryBytes: memoryBytes)
    }
}
