// XFPayloads: the structs and error codes inside xf responses (xf `src/daemon/protocol.rs`), field
// order as in Rust, which is the order of the encoded array. They must never reorder, rename or add
// fields, or write `rss_mb` as anything but a float64.

/// xf's `error_codes`: a `u16` on the wire. Unknown codes are kept as they are.
public struct XFErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1: unknown or internal error.
    public static let internalError = XFErrorCode(rawValue: 1)
    /// 2: the request could not be decoded or is not valid.
    public static let invalidRequest = XFErrorCode(rawValue: 2)
    /// 3: no model of that name.
    public static let unknownModel = XFErrorCode(rawValue: 3)
    /// 4: the model could not be loaded.
    public static let modelLoadFailed = XFErrorCode(rawValue: 4)
    /// 5: embedding failed.
    public static let embeddingFailed = XFErrorCode(rawValue: 5)
    /// 6: reranking failed.
    public static let rerankFailed = XFErrorCode(rawValue: 6)
    /// 7: the envelope's protocol version is not 1.
    public static let versionMismatch = XFErrorCode(rawValue: 7)
    /// 8: too much work in flight.
    public static let overloaded = XFErrorCode(rawValue: 8)
    /// 9: an embedding-job request failed.
    public static let jobError = XFErrorCode(rawValue: 9)
    /// 10: the job's database is missing or unreadable.
    public static let databaseNotFound = XFErrorCode(rawValue: 10)

    public var description: String {
        let names: [UInt16: String] = [
            1: "INTERNAL", 2: "INVALID_REQUEST", 3: "UNKNOWN_MODEL", 4: "MODEL_LOAD_FAILED", 5: "EMBEDDING_FAILED",
            6: "RERANK_FAILED", 7: "VERSION_MISMATCH", 8: "OVERLOADED", 9: "JOB_ERROR", 10: "DB_NOT_FOUND",
        ]
        return "\(rawValue) \(names[rawValue] ?? "UNKNOWN")"
    }
}

/// `LoadedModelInfo { name, model_type, loaded_at: u64, requests_served: u64, last_used: u64 }`
public struct XFLoadedModelInfo: Sendable, Equatable, MessagePackCodable {
    public var name: String
    /// `embedder` or `reranker`.
    public var modelType: String
    /// Unix seconds.
    public var loadedAt: UInt64
    public var requestsServed: UInt64
    /// Unix seconds, 0 when never used.
    public var lastUsed: UInt64

    public init(name: String, modelType: String, loadedAt: UInt64, requestsServed: UInt64, lastUsed: UInt64) {
        self.name = name
        self.modelType = modelType
        self.loadedAt = loadedAt
        self.requestsServed = requestsServed
        self.lastUsed = lastUsed
    }

    static let fields = WireStruct(
        "LoadedModelInfo", fields: ["name", "model_type", "loaded_at", "requests_served", "last_used"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(name:modelType:loadedAt:requestsServed:lastUsed:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(name, modelType, loadedAt, requestsServed, lastUsed)
    }
}

/// The body of `Status { uptime_secs: u64, models: Vec<LoadedModelInfo>, rss_mb: f64,
/// requests_served: u64, in_flight: usize, queue_len: usize }`, encoded as that struct variant's fields.
public struct XFStatus: Sendable, Equatable, MessagePackCodable {
    public var uptimeSeconds: UInt64
    public var models: [XFLoadedModelInfo]
    /// Resident set size in MiB, always written as a float64.
    public var residentMegabytes: Double
    public var requestsServed: UInt64
    public var inFlight: Int
    public var queueLength: Int

    public init(uptimeSeconds: UInt64, models: [XFLoadedModelInfo], residentMegabytes: Double, requestsServed: UInt64,
                inFlight: Int, queueLength: Int) {
        self.uptimeSeconds = uptimeSeconds
        self.models = models
        self.residentMegabytes = residentMegabytes
        self.requestsServed = requestsServed
        self.inFlight = inFlight
        self.queueLength = queueLength
    }

    /// The fields of the `Status` variant.
    static let fields = WireStruct(
        "Status", fields: ["uptime_secs", "models", "rss_mb", "requests_served", "in_flight", "queue_len"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(
            uptimeSeconds:models:residentMegabytes:requestsServed:inFlight:queueLength:))
    }

    /// `rss_mb` always as a float64.
    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(uptimeSeconds, models, residentMegabytes, requestsServed, inFlight, queueLength)
    }
}

/// `EmbeddingJobInfo { id: i64, db_path, model_id, status, total_docs: i64, completed_docs: i64,
/// progress_pct: f32, created_at: i64, started_at: i64, completed_at: i64, error_message: Option<String> }`
public struct XFEmbeddingJobInfo: Sendable, Equatable, MessagePackCodable {
    public var id: Int64
    public var dbPath: String
    public var modelID: String
    /// xf's words: `pending`, `in_progress`, `completed`, `failed` (semd adds `cancelled`).
    public var status: String
    public var totalDocuments: Int64
    public var completedDocuments: Int64
    /// 0 to 100.
    public var progressPercent: Float
    /// Unix seconds; `startedAt` and `completedAt` are 0 when that has not happened.
    public var createdAt: Int64
    public var startedAt: Int64
    public var completedAt: Int64
    public var errorMessage: String?

    public init(id: Int64, dbPath: String, modelID: String, status: String, totalDocuments: Int64,
                completedDocuments: Int64, progressPercent: Float, createdAt: Int64, startedAt: Int64,
                completedAt: Int64, errorMessage: String?) {
        self.id = id
        self.dbPath = dbPath
        self.modelID = modelID
        self.status = status
        self.totalDocuments = totalDocuments
        self.completedDocuments = completedDocuments
        self.progressPercent = progressPercent
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.errorMessage = errorMessage
    }

    static let fields = WireStruct(
        "EmbeddingJobInfo",
        fields: ["id", "db_path", "model_id", "status", "total_docs", "completed_docs", "progress_pct", "created_at",
                 "started_at", "completed_at", "error_message"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(
            id:dbPath:modelID:status:totalDocuments:completedDocuments:progressPercent:createdAt:startedAt:completedAt:errorMessage:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(id, dbPath, modelID, status, totalDocuments, completedDocuments, progressPercent, createdAt,
                                startedAt, completedAt, errorMessage)
    }
}

/// `u16` on the wire.
extension XFErrorCode: WireFieldValue {
    func writeField(to writer: inout MessagePackWriter) throws { try rawValue.writeField(to: &writer) }
    static func readField(from reader: inout MessagePackReader) throws -> XFErrorCode {
        XFErrorCode(rawValue: try UInt16.readField(from: &reader))
    }
}
