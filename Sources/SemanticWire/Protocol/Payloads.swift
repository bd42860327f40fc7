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
        var uptime: UInt64 = 0, version: UInt32 = 0, ready = false, memory: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: uptime = try reader.readUnsigned()
            case 1: version = try reader.readUInt32()
            case 2: ready = try reader.readBool()
            default: memory = try reader.readUnsigned()
            }
        }
        self.init(uptimeSeconds: uptime, version: version, ready: ready, memoryBytes: memory)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(uptimeSeconds)
        writer.writeUnsigned(UInt64(version))
        writer.writeBool(ready)
        writer.writeUnsigned(memoryBytes)
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
        var embeddings: [[Float]] = [], model = "", elapsed: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: embeddings = try reader.readArray { try $0.readFloat32Array() }
            case 1: model = try reader.readString()
            default: elapsed = try reader.readUnsigned()
            }
        }
        self.init(embeddings: embeddings, model: model, elapsedMilliseconds: elapsed)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeFloat32Arrays(embeddings)
        try writer.writeString(model)
        writer.writeUnsigned(elapsedMilliseconds)
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
        var scores: [Float] = [], model = "", elapsed: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: scores = try reader.readFloat32Array()
            case 1: model = try reader.readString()
            default: elapsed = try reader.readUnsigned()
            }
        }
        self.init(scores: scores, model: model, elapsedMilliseconds: elapsed)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeFloat32Array(scores)
        try writer.writeString(model)
        writer.writeUnsigned(elapsedMilliseconds)
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
        "ModelInfo", fields: ["id", "name", "dimension", "loaded", "memory_bytes"], optional: ["dimension"])

    public init(from reader: inout MessagePackReader) throws {
        var id = "", name = "", dimension: Int? = nil, loaded = false, memory: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: id = try reader.readString()
            case 1: name = try reader.readString()
            case 2: dimension = try readOptional(&reader) { try $0.readCount() }
            case 3: loaded = try reader.readBool()
            default: memory = try reader.readUnsigned()
            }
        }
        self.init(id: id, name: name, dimension: dimension, loaded: loaded, memoryBytes: memory)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        try writer.writeString(id)
        try writer.writeString(name)
        writer.writeOptionalCount(dimension)
        writer.writeBool(loaded)
        writer.writeUnsigned(memoryBytes)
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
        var uptime: UInt64 = 0, version: UInt32 = 0, embedders: [ModelInfo] = [], rerankers: [ModelInfo] = []
        var memory: UInt64 = 0, total: UInt64 = 0
        try readStruct(&reader, Self.fields) { reader, field in
            switch field {
            case 0: uptime = try reader.readUnsigned()
            case 1: version = try reader.readUInt32()
            case 2: embedders = try reader.readArray { try ModelInfo(from: &$0) }
            case 3: rerankers = try reader.readArray { try ModelInfo(from: &$0) }
            case 4: memory = try reader.readUnsigned()
            default: total = try reader.readUnsigned()
            }
        }
        self.init(uptimeSeconds: uptime, version: version, embedders: embedders, rerankers: rerankers,
                  memoryBytes: memory, totalRequests: total)
    }

    public func encode(to writer: inout MessagePackWriter) throws {
        try writer.writeArrayHeader(count: Self.fields.count)
        writer.writeUnsigned(uptimeSeconds)
        writer.writeUnsigned(UInt64(version))
        try writer.writeArrayHeader(count: embedders.count)
        for model in embedders { try model.encode(to: &writer) }
        try writer.writeArrayHeader(count: rerankers.count)
        for model in rerankers { try model.encode(to: &writer) }
        writer.writeUnsigned(memoryBytes)
        writer.writeUnsigned(totalRequests)
    }
}

extension MessagePackWriter {
    /// `Option<usize>`: nil, or the count in the shortest unsigned form.
    mutating func writeOptionalCount(_ value: Int?) {
        if let value { writeInt(value) } else { writeNil() }
    }

    /// `Option<String>`: nil, or the string.
    mutating func writeOptionalString(_ value: String?) throws {
        if let value { try writeString(value) } else { writeNil() }
    }

    mutating func writeStringArray(_ values: [String]) throws {
        try writeArrayHeader(count: values.count)
        for value in values { try writeString(value) }
    }
}
