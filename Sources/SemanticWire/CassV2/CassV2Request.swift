// CassV2Request: what a cass protocol v2 client asks (v2 spec §3.1). `wireTable` is the declaration
// the codec reads: 13 variants, each with its name, Rust index and fields, in Rust order — v1's eight
// plus five attested ones inserted in the middle, so every index after `Health` moved. Unit variants
// travel as their name, struct variants as {name: [fields in order]}. It must never emit an index.

/// A request of cass protocol v2, the payload of a `CassV2RequestEnvelope`.
public enum CassV2Request: Sendable, Equatable, MessagePackCodable, ModelRequestCases, CassJobRequestCases {
    /// `Health`
    case health
    /// `ConnectionIdentity`: the daemon's `DaemonConnectionIdentityV1`.
    case connectionIdentity
    /// `HandshakeAttested { challenge: DaemonChallengeV1 }`
    case handshakeAttested(challenge: DaemonChallengeV1)
    /// `HealthAttested { challenge: DaemonChallengeV1 }`
    case healthAttested(challenge: DaemonChallengeV1)
    /// `Embed { texts: Vec<String>, model: String, dims: Option<usize> }`, unattested.
    case embed(texts: [String], model: String, dims: Int?)
    /// `EmbedAttested { texts: Vec<String>, model: String, dims: Option<usize>, challenge: DaemonChallengeV1 }`
    case embedAttested(texts: [String], model: String, dims: Int?, challenge: DaemonChallengeV1)
    /// `Rerank { query: String, documents: Vec<String>, model: String }`, unattested.
    case rerank(query: String, documents: [String], model: String)
    /// `RerankAttested { query: String, documents: Vec<String>, model: String, challenge: DaemonChallengeV1 }`
    case rerankAttested(query: String, documents: [String], model: String, challenge: DaemonChallengeV1)
    /// `Status`
    case status
    /// `SubmitEmbeddingJob { db_path, index_path, two_tier: bool, fast_model: Option<String>,
    /// quality_model: Option<String> }`, as in v1.
    case submitEmbeddingJob(dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?, qualityModel: String?)
    /// `EmbeddingJobStatus { db_path: String }`, as in v1.
    case embeddingJobStatus(dbPath: String)
    /// `CancelEmbeddingJob { db_path: String, model_id: Option<String> }`, as in v1.
    case cancelEmbeddingJob(dbPath: String, modelID: String?)
    /// `Shutdown`
    case shutdown

    /// Which variant a request is, without its values.
    public enum Kind: Sendable, CaseIterable {
        case health, connectionIdentity, handshakeAttested, healthAttested, embed, embedAttested, rerank
        case rerankAttested, status, submitEmbeddingJob, embeddingJobStatus, cancelEmbeddingJob, shutdown
    }

    /// `HandshakeAttested { challenge }` and `HealthAttested { challenge }`.
    private static func challengeOnly(_ name: String) -> WireStruct { WireStruct(name, fields: ["challenge"]) }

    /// cass v2's `Request`, in Rust declaration order.
    public static let wireTable = WireEnumTable<Kind>("Request", [
        .health(.health, index: 0),
        WireVariant(.connectionIdentity, "ConnectionIdentity", index: 1),
        WireVariant(.handshakeAttested, "HandshakeAttested", index: 2, .fields(challengeOnly("HandshakeAttested"))),
        WireVariant(.healthAttested, "HealthAttested", index: 3, .fields(challengeOnly("HealthAttested"))),
        .embed(.embed, index: 4),
        WireVariant(.embedAttested, "EmbedAttested", index: 5, .fields(WireStruct(
            "EmbedAttested", fields: ["texts", "model", "dims", "challenge"], optional: ["dims"]))),
        .rerank(.rerank, index: 6),
        WireVariant(.rerankAttested, "RerankAttested", index: 7, .fields(WireStruct(
            "RerankAttested", fields: ["query", "documents", "model", "challenge"]))),
        .status(.status, index: 8),
        .submitEmbeddingJob(.submitEmbeddingJob, index: 9),
        .embeddingJobStatus(.embeddingJobStatus, index: 10),
        .cancelEmbeddingJob(.cancelEmbeddingJob, index: 11),
        .shutdown(.shutdown, index: 12),
    ])

    /// The one place a case meets its row in `wireTable`.
    public var kind: Kind {
        switch self {
        case .health: .health
        case .connectionIdentity: .connectionIdentity
        case .handshakeAttested: .handshakeAttested
        case .healthAttested: .healthAttested
        case .embed: .embed
        case .embedAttested: .embedAttested
        case .rerank: .rerank
        case .rerankAttested: .rerankAttested
        case .status: .status
        case .submitEmbeddingJob: .submitEmbeddingJob
        case .embeddingJobStatus: .embeddingJobStatus
        case .cancelEmbeddingJob: .cancelEmbeddingJob
        case .shutdown: .shutdown
        }
    }

    /// The variant name on the wire, e.g. `"EmbedAttested"`.
    public var variantName: String { Self.wireTable[kind].name }

    /// The challenge of an attested request; nil for the others.
    public var challenge: DaemonChallengeV1? {
        switch self {
        case .handshakeAttested(let challenge), .healthAttested(let challenge): challenge
        case .embedAttested(_, _, _, let challenge), .rerankAttested(_, _, _, let challenge): challenge
        default: nil
        }
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try Self.wireTable.writeTag(of: kind, to: &writer)
        switch self {
        case .health, .connectionIdentity, .status, .shutdown:
            break
        case .handshakeAttested(let challenge), .healthAttested(let challenge):
            try challenge.encode(to: &writer)
        case .embed(let texts, let model, let dims):
            try writer.writeEmbedFields(texts: texts, model: model, dims: dims)
        case .embedAttested(let texts, let model, let dims, let challenge):
            try writer.writeEmbedFields(texts: texts, model: model, dims: dims)
            try challenge.encode(to: &writer)
        case .rerank(let query, let documents, let model):
            try writer.writeRerankFields(query: query, documents: documents, model: model)
        case .rerankAttested(let query, let documents, let model, let challenge):
            try writer.writeRerankFields(query: query, documents: documents, model: model)
            try challenge.encode(to: &writer)
        case .submitEmbeddingJob(let dbPath, let indexPath, let twoTier, let fastModel, let qualityModel):
            try writer.writeSubmitEmbeddingJobFields(dbPath: dbPath, indexPath: indexPath, twoTier: twoTier,
                                                     fastModel: fastModel, qualityModel: qualityModel)
        case .embeddingJobStatus(let dbPath):
            try writer.writeString(dbPath)
        case .cancelEmbeddingJob(let dbPath, let modelID):
            try writer.writeCancelEmbeddingJobFields(dbPath: dbPath, modelID: modelID)
        }
    }

    public init(from reader: inout MessagePackReader) throws {
        self = try Self.wireTable.read(&reader) { reader, variant in
            switch variant.kind {
            case .health: return .health
            case .connectionIdentity: return .connectionIdentity
            case .status: return .status
            case .shutdown: return .shutdown
            case .handshakeAttested: return .handshakeAttested(challenge: try Self.readChallengeOnly(&reader, variant))
            case .healthAttested: return .healthAttested(challenge: try Self.readChallengeOnly(&reader, variant))
            case .embed: return try .readEmbed(&reader, variant)
            case .embedAttested: return try Self.readEmbedAttested(&reader, variant)
            case .rerank: return try .readRerank(&reader, variant)
            case .rerankAttested: return try Self.readRerankAttested(&reader, variant)
            case .submitEmbeddingJob: return try .readSubmitEmbeddingJob(&reader, variant)
            case .embeddingJobStatus: return try .readEmbeddingJobStatus(&reader, variant)
            case .cancelEmbeddingJob: return try .readCancelEmbeddingJob(&reader, variant)
            }
        }
    }

    private static func readChallengeOnly(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> DaemonChallengeV1 {
        var challenge: DaemonChallengeV1?
        try readStruct(&reader, variant.fields) { reader, _ in challenge = try DaemonChallengeV1(from: &reader) }
        guard let challenge else { throw WireError.missingField(field: "challenge") }  // unreachable: required
        return challenge
    }

    private static func readEmbedAttested(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> CassV2Request {
        var texts: [String] = [], model = "", dims: Int? = nil, challenge: DaemonChallengeV1?
        try readStruct(&reader, variant.fields) { reader, field in
            switch field {
            case 0: texts = try reader.readStringArray()
            case 1: model = try reader.readString()
            case 2: dims = try readOptional(&reader) { try $0.readCount() }
            default: challenge = try DaemonChallengeV1(from: &reader)
            }
        }
        guard let challenge else { throw WireError.missingField(field: "challenge") }  // unreachable: required
        return .embedAttested(texts: texts, model: model, dims: dims, challenge: challenge)
    }

    private static func readRerankAttested(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> CassV2Request {
        var query = "", documents: [String] = [], model = "", challenge: DaemonChallengeV1?
        try readStruct(&reader, variant.fields) { reader, field in
            switch field {
            case 0: query = try reader.readString()
            case 1: documents = try reader.readStringArray()
            case 2: model = try reader.readString()
            default: challenge = try DaemonChallengeV1(from: &reader)
            }
        }
        guard let challenge else { throw WireError.missingField(field: "challenge") }  // unreachable: required
        return .rerankAttested(query: query, documents: documents, model: model, challenge: challenge)
    }
}

extension CassV2Request.Kind {
    /// Whether a cass v2 client accepts `response` as the answer to a request of this kind (spec §3.3):
    /// `Error` always; otherwise only the kind that answers it. Any other pairing closes the connection.
    public func accepts(_ response: CassV2Response.Kind) -> Bool {
        response == .error || response == answer
    }

    /// The response kind that answers a request of this kind, apart from `Error`.
    public var answer: CassV2Response.Kind {
        switch self {
        case .health: .health
        case .connectionIdentity: .connectionIdentity
        case .handshakeAttested, .healthAttested: .attestation
        case .embed: .embed
        case .embedAttested, .rerankAttested: .attestedEmbedding
        case .rerank: .rerank
        case .status: .status
        case .submitEmbeddingJob: .jobSubmitted
        case .embeddingJobStatus: .jobStatus
        case .cancelEmbeddingJob: .jobCancelled
        case .shutdown: .shutdown
        }
    }
}
