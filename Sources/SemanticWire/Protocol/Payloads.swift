// The payload structs of Health, Embed, Rerank and Status responses (cass spec §1.6), field order as
// in Rust, which is the order of the encoded array. They must never reorder, rename or add fields:
// a Rust peer reads structs positionally.

/// `HealthStatus { uptime_secs: u64, version: u32, ready: bool, memory_bytes: u64 }`
public struct HealthStatus: Sendable, Equatable, MessagePackCodable {
    public var uptimeSeconds: UInt64
    public var version: UInt32
    public var ready: Bool
    public var memoryBytes: UInt64

    public init(uptimeSeconds: UInt64, version: UInt32 = SemanticWireInfo.protocolVersion, ready: Bool, memoryBytes: UInt64) {
        self.uptimeSeconds = uptimeSeconds
        self.version = version
        self.ready = ready
        self.memoryBytes = memoryBytes
    }

    static let fields = WireStruct("HealthStatus", fields: ["uptime_secs", "version", "ready", "memory_bytes"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(uptimeSeconds:version:ready:memoryBytes:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(uptimeSeconds, version, ready, memoryBytes)
    }
}

/// `EmbedResponse { embeddings: Vec<Vec<f32>>, model: String, elapsed_ms: u64 }`
public struct EmbedResponse: Sendable, Equatable, MessagePackCodable {
    /// One vector per input text, in input order.
    public var embeddings: [[Float]]
    public var model: String
    public var elapsedMilliseconds: UInt64

    public init(embeddings: [[Float]], model: String, elapsedMilliseconds: UInt64) {
        self.embeddings = embeddings
        self.model = model
        self.elapsedMilliseconds = elapsedMilliseconds
    }

    static let fields = WireStruct("EmbedResponse", fields: ["embeddings", "model", "elapsed_ms"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(embeddings:model:elapsedMilliseconds:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(embeddings, model, elapsedMilliseconds)
    }

    /// Bytes this response takes when encoded, near enough to reserve storage once.
    var estimatedEncodedSize: Int {
        embeddings.reduce(16 + model.utf8.count) { $0 + 5 + 5 * $1.count }
    }
}

/// `RerankResponse { scores: Vec<f32>, model: String, elapsed_ms: u64 }`
public struct RerankResponse: Sendable, Equatable, MessagePackCodable {
    /// One score per document, in input order.
    public var scores: [Float]
    public var model: String
    public var elapsedMilliseconds: UInt64

    public init(scores: [Float], model: String, elapsedMilliseconds: UInt64) {
        self.scores = scores
        self.model = model
        self.elapsedMilliseconds = elapsedMilliseconds
    }

    static let fields = WireStruct("RerankResponse", fields: ["scores", "model", "elapsed_ms"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(scores:model:elapsedMilliseconds:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(scores, model, elapsedMilliseconds)
    }
}

/// `ModelInfo { id: String, name: String, dimension: Option<usize>, loaded: bool, memory_bytes: u64 }`
public struct ModelInfo: Sendable, Equatable, MessagePackCodable {
    public var id: String
    public var name: String
    public var dimension: Int?
    public var loaded: Bool
    public var memoryBytes: UInt64

    public init(id: String, name: String, dimension: Int?, loaded: Bool, memoryBytes: UInt64) {
        self.id = id
        self.name = name
        self.dimension = dimension
        self.loaded = loaded
        self.memoryBytes = memoryBytes
    }

    static let fields = WireStruct(
        "ModelInfo", fields: ["id", "name", "dimension", "loaded", "memory_bytes"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(id:name:dimension:loaded:memoryBytes:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(id, name, dimension, loaded, memoryBytes)
    }
}

/// `StatusResponse { uptime_secs: u64, version: u32, embedders: Vec<ModelInfo>,
/// rerankers: Vec<ModelInfo>, memory_bytes: u64, total_requests: u64 }`
public struct StatusResponse: Sendable, Equatable, MessagePackCodable {
    public var uptimeSeconds: UInt64
    public var version: UInt32
    public var embedders: [ModelInfo]
    public var rerankers: [ModelInfo]
    public var memoryBytes: UInt64
    /// Every decoded request so far, this one included.
    public var totalRequests: UInt64

    public init(uptimeSeconds: UInt64, version: UInt32 = SemanticWireInfo.protocolVersion, embedders: [ModelInfo],
                rerankers: [ModelInfo], memoryBytes: UInt64, totalRequests: UInt64) {
        self.uptimeSeconds = uptimeSeconds
        self.version = version
        self.embedders = embedders
        self.rerankers = rerankers
        self.memoryBytes = memoryBytes
        self.totalRequests = totalRequests
    }

    static let fields = WireStruct(
        "StatusResponse", fields: ["uptime_secs", "version", "embedders", "rerankers", "memory_bytes", "total_requests"])

    public init(from reader: inout MessagePackReader) throws {
        self = try readStruct(&reader, Self.fields, Self.init(uptimeSeconds:version:embedders:rerankers:memoryBytes:totalRequests:))
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeStruct(uptimeSeconds, version, embedders, rerankers, memoryBytes, totalRequests)
    }
}
