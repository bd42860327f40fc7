// XFResponse: what an xf daemon answers (xf `src/daemon/protocol.rs`, `Response`), with its payload
// structs and error codes. Every variant is a struct variant, so each travels as {name: [fields in
// order]}. It must never reorder fields, write `rss_mb` as anything but a float64, or emit indices.

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
        var name = "", modelType = "", loadedAt: UInt64 = 0, served: UInt64 = 0, lastUsed: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: name = try reader.readString()
            case 1: modelType = try reader.readString()
            case 2: loadedAt = try reader.readUnsigned()
            case 3: served = try reader.readUnsigned()
            default: lastUsed = try reader.readUnsigned()
            }
        }
        self.init(name: name, modelType: modelType, loadedAt: loadedAt, requestsServed: served, lastUsed: lastUsed)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeString(name)
        try writer.writeString(modelType)
        writer.writeUnsigned(loadedAt)
        writer.writeUnsigned(requestsServed)
        writer.writeUnsigned(lastUsed)
    }
}

/// The body of `Status { uptime_secs: u64, models: Vec<LoadedModelInfo>, rss_mb: f64,
/// requests_served: u64, in_flight: usize, queue_len: usize }`.
public struct XFStatus: Sendable, Equatable {
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
                 "started_at", "completed_at", "error_message"],
        optional: ["error_message"])

    public init(from reader: inout MessagePackReader) throws {
        var id: Int64 = 0, dbPath = "", modelID = "", status = "", total: Int64 = 0, completed: Int64 = 0
        var progress: Float = 0, created: Int64 = 0, started: Int64 = 0, finished: Int64 = 0
        var errorMessage: String? = nil
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: id = try reader.readSigned()
            case 1: dbPath = try reader.readString()
            case 2: modelID = try reader.readString()
            case 3: status = try reader.readString()
            case 4: total = try reader.readSigned()
            case 5: completed = try reader.readSigned()
            case 6: progress = try reader.readFloat32()
            case 7: created = try reader.readSigned()
            case 8: started = try reader.readSigned()
            case 9: finished = try reader.readSigned()
            default: errorMessage = try readOptional(&reader) { try $0.readString() }
            }
        }
        self.init(id: id, dbPath: dbPath, modelID: modelID, status: status, totalDocuments: total,
                  completedDocuments: completed, progressPercent: progress, createdAt: created, startedAt: started,
                  completedAt: finished, errorMessage: errorMessage)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeSigned(id)
        try writer.writeString(dbPath)
        try writer.writeString(modelID)
        try writer.writeString(status)
        writer.writeSigned(totalDocuments)
        writer.writeSigned(completedDocuments)
        writer.writeFloat32(progressPercent)
        writer.writeSigned(createdAt)
        writer.writeSigned(startedAt)
        writer.writeSigned(completedAt)
        try writer.writeOptionalString(errorMessage)
    }
}

/// A response of the xf dialect, the nested payload of an `XFEnvelope`.
public enum XFResponse: Sendable, Equatable, MessagePackCodable {
    /// `Health { uptime_secs: u64, models_loaded: usize }`
    case health(uptimeSeconds: UInt64, modelsLoaded: Int)
    /// `Embeddings { vectors: Vec<Vec<f32>> }` — no model id, no timing.
    case embeddings([[Float]])
    /// `Scores { scores: Vec<f32> }`
    case scores([Float])
    /// `Status { … }`
    case status(XFStatus)
    /// `Error { code: u16, message: String }`
    case error(code: XFErrorCode, message: String)
    /// `Shutdown { ok: bool }`
    case shutdown(ok: Bool)
    /// `JobSubmitted { job_id: i64, estimated_docs: i64 }`
    case jobSubmitted(jobID: Int64, estimatedDocuments: Int64)
    /// `JobStatus { jobs: Vec<EmbeddingJobInfo> }`
    case jobStatus([XFEmbeddingJobInfo])
    /// `JobCancelled { cancelled_count: usize }`
    case jobCancelled(count: Int)

    /// Variant names in Rust declaration order (the index is accepted when decoding, never written).
    static let variantNames = [
        "Health", "Embeddings", "Scores", "Status", "Error", "Shutdown", "JobSubmitted", "JobStatus", "JobCancelled",
    ]

    public var variantName: String {
        switch self {
        case .health: return "Health"
        case .embeddings: return "Embeddings"
        case .scores: return "Scores"
        case .status: return "Status"
        case .error: return "Error"
        case .shutdown: return "Shutdown"
        case .jobSubmitted: return "JobSubmitted"
        case .jobStatus: return "JobStatus"
        case .jobCancelled: return "JobCancelled"
        }
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeMapHeader(count: 1)
        try writer.writeString(variantName)
        switch self {
        case .health(let uptime, let modelsLoaded):
            try writer.writeArrayHeader(count: 2)
            writer.writeUnsigned(uptime)
            writer.writeInt(modelsLoaded)
        case .embeddings(let vectors):
            try writer.writeArrayHeader(count: 1)
            try writer.writeFloat32Arrays(vectors)
        case .scores(let scores):
            try writer.writeArrayHeader(count: 1)
            try writer.writeFloat32Array(scores)
        case .status(let status):
            try writer.writeArrayHeader(count: 6)
            writer.writeUnsigned(status.uptimeSeconds)
            try writer.writeArrayHeader(count: status.models.count)
            for model in status.models { try model.encode(to: &writer) }
            writer.writeFloat64(status.residentMegabytes)
            writer.writeUnsigned(status.requestsServed)
            writer.writeInt(status.inFlight)
            writer.writeInt(status.queueLength)
        case .error(let code, let message):
            try writer.writeArrayHeader(count: 2)
            writer.writeUnsigned(UInt64(code.rawValue))
            try writer.writeString(message)
        case .shutdown(let ok):
            try writer.writeArrayHeader(count: 1)
            writer.writeBool(ok)
        case .jobSubmitted(let jobID, let estimated):
            try writer.writeArrayHeader(count: 2)
            writer.writeSigned(jobID)
            writer.writeSigned(estimated)
        case .jobStatus(let jobs):
            try writer.writeArrayHeader(count: 1)
            try writer.writeArrayHeader(count: jobs.count)
            for job in jobs { try job.encode(to: &writer) }
        case .jobCancelled(let count):
            try writer.writeArrayHeader(count: 1)
            writer.writeInt(count)
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
        static let health = ["uptime_secs", "models_loaded"]
        static let embeddings = ["vectors"]
        static let scores = ["scores"]
        static let status = ["uptime_secs", "models", "rss_mb", "requests_served", "in_flight", "queue_len"]
        static let error = ["code", "message"]
        static let shutdown = ["ok"]
        static let jobSubmitted = ["job_id", "estimated_docs"]
        static let jobStatus = ["jobs"]
        static let jobCancelled = ["cancelled_count"]
    }

    private static func readPayload(_ variant: Int, _ reader: inout MessagePackReader) throws -> XFResponse {
        let type = variantNames[variant]
        switch variant {
        case 0:
            var uptime: UInt64 = 0, loaded = 0
            try readStruct(&reader, type: type, fields: Fields.health) { reader, field in
                if field == 0 { uptime = try reader.readUnsigned() } else { loaded = try reader.readCount() }
            }
            return .health(uptimeSeconds: uptime, modelsLoaded: loaded)
        case 1:
            var vectors: [[Float]] = []
            try readStruct(&reader, type: type, fields: Fields.embeddings) { reader, _ in
                vectors = try reader.readArray { try $0.readFloat32Array() }
            }
            return .embeddings(vectors)
        case 2:
            var scores: [Float] = []
            try readStruct(&reader, type: type, fields: Fields.scores) { reader, _ in
                scores = try reader.readFloat32Array()
            }
            return .scores(scores)
        case 3:
            var status = XFStatus(uptimeSeconds: 0, models: [], residentMegabytes: 0, requestsServed: 0, inFlight: 0,
                                  queueLength: 0)
            try readStruct(&reader, type: type, fields: Fields.status) { reader, field in
                switch field {
                case 0: status.uptimeSeconds = try reader.readUnsigned()
                case 1: status.models = try reader.readArray { try XFLoadedModelInfo(from: &$0) }
                case 2: status.residentMegabytes = try reader.readFloat64()
                case 3: status.requestsServed = try reader.readUnsigned()
                case 4: status.inFlight = try reader.readCount()
                default: status.queueLength = try reader.readCount()
                }
            }
            return .status(status)
        case 4:
            var code: UInt16 = 0, message = ""
            try readStruct(&reader, type: type, fields: Fields.error) { reader, field in
                if field == 0 {
                    let value = try reader.readUnsigned()
                    guard let narrow = UInt16(exactly: value) else {
                        throw WireError.integerOutOfRange(field: "", expected: "u16", value: String(value))
                    }
                    code = narrow
                } else {
                    message = try reader.readString()
                }
            }
            return .error(code: XFErrorCode(rawValue: code), message: message)
        case 5:
            var ok = false
            try readStruct(&reader, type: type, fields: Fields.shutdown) { reader, _ in ok = try reader.readBool() }
            return .shutdown(ok: ok)
        case 6:
            var jobID: Int64 = 0, estimated: Int64 = 0
            try readStruct(&reader, type: type, fields: Fields.jobSubmitted) { reader, field in
                if field == 0 { jobID = try reader.readSigned() } else { estimated = try reader.readSigned() }
            }
            return .jobSubmitted(jobID: jobID, estimatedDocuments: estimated)
        case 7:
            var jobs: [XFEmbeddingJobInfo] = []
            try readStruct(&reader, type: type, fields: Fields.jobStatus) { reader, _ in
                jobs = try reader.readArray { try XFEmbeddingJobInfo(from: &$0) }
            }
            return .jobStatus(jobs)
        default:
            var count = 0
            try readStruct(&reader, type: type, fields: Fields.jobCancelled) { reader, _ in count = try reader.readCount() }
            return .jobCancelled(count: count)
        }
    }
}
