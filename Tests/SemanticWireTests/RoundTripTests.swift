// Round-trip properties over generated values: every Request, Response and generic MessagePack value
// encodes and decodes back to itself, and the same message written as maps keyed by field name
// (the other form a Rust peer may send) decodes to the same value.
import SemanticWire
import Testing

/// Random protocol values from a seeded generator.
struct ValueGenerator {
    var random: SplitMix64

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func bool() -> Bool { Bool.random(using: &random) }

    mutating func unsigned() -> UInt64 {
        switch int(0...3) {
        case 0: return UInt64(int(0...127))
        case 1: return UInt64(int(0...70000))
        case 2: return UInt64.random(in: 0...UInt64(UInt32.max) + 10, using: &random)
        default: return random.next()
        }
    }

    mutating func signed() -> Int64 {
        bool() ? Int64(truncatingIfNeeded: unsigned()) : -Int64(int(0...100_000))
    }

    mutating func float() -> Float {
        switch int(0...9) {
        case 0: return [Float.nan, .infinity, -.infinity, -0.0, .greatestFiniteMagnitude, .leastNonzeroMagnitude][int(0...5)]
        default: return Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
        }
    }

    mutating func string() -> String {
        let alphabet: [String] = ["a", "Z", "0", " ", "é", "東", "🚀", "\u{0}", "\""]
        let length = [0, 1, 5, 31, 32, 40, 300][int(0...6)]
        return (0..<length).map { _ in alphabet[int(0...alphabet.count - 1)] }.joined()
    }

    mutating func optional<T>(_ make: (inout ValueGenerator) -> T) -> T? { bool() ? make(&self) : nil }

    mutating func strings() -> [String] { (0..<int(0...20)).map { _ in string() } }
    mutating func floats(_ maximum: Int = 40) -> [Float] { (0..<int(0...maximum)).map { _ in float() } }

    mutating func request() -> Request {
        switch int(0...7) {
        case 0: return .health
        case 1: return .embed(texts: strings(), model: string(), dims: optional { $0.int(0...100_000) })
        case 2: return .rerank(query: string(), documents: strings(), model: string())
        case 3: return .status
        case 4: return .submitEmbeddingJob(dbPath: string(), indexPath: string(), twoTier: bool(),
                                           fastModel: optional { $0.string() }, qualityModel: optional { $0.string() })
        case 5: return .embeddingJobStatus(dbPath: string())
        case 6: return .cancelEmbeddingJob(dbPath: string(), modelID: optional { $0.string() })
        default: return .shutdown
        }
    }

    mutating func modelInfo() -> ModelInfo {
        ModelInfo(id: string(), name: string(), dimension: optional { $0.int(0...4096) }, loaded: bool(), memoryBytes: unsigned())
    }

    mutating func response() -> Response {
        switch int(0...8) {
        case 0: return .health(HealthStatus(uptimeSeconds: unsigned(), version: UInt32(truncatingIfNeeded: unsigned()),
                                            ready: bool(), memoryBytes: unsigned()))
        case 1: return .embed(EmbedResponse(embeddings: (0..<int(0...5)).map { _ in floats() }, model: string(),
                                            elapsedMilliseconds: unsigned()))
        case 2: return .rerank(RerankResponse(scores: floats(), model: string(), elapsedMilliseconds: unsigned()))
        case 3: return .status(StatusResponse(uptimeSeconds: unsigned(), version: 1, embedders: (0..<int(0...3)).map { _ in modelInfo() },
                                              rerankers: (0..<int(0...3)).map { _ in modelInfo() }, memoryBytes: unsigned(),
                                              totalRequests: unsigned()))
        case 4: return .jobSubmitted(jobID: string(), message: string())
        case 5: return .jobStatus(EmbeddingJobInfo(jobs: (0..<int(0...4)).map { _ in
            EmbeddingJobDetail(jobID: signed(), modelID: string(), status: string(), totalDocuments: signed(),
                               completedDocuments: signed(), errorMessage: optional { $0.string() })
        }))
        case 6: return .jobCancelled(cancelled: int(0...Int.max), message: string())
        case 7: return .shutdown(message: string())
        default: return .error(ErrorResponse(code: ErrorCode.allCases[int(0...6)], message: string(), retryable: bool(),
                                             retryAfterMilliseconds: optional { $0.unsigned() }))
        }
    }

    mutating func value(depth: Int = 0) -> MessagePackValue {
        switch int(0...(depth > 4 ? 8 : 10)) {
        case 0: return .nil
        case 1: return .bool(bool())
        case 2: return .uint(unsigned())
        case 3: return .int(-Int64(int(1...Int(Int32.max))) * Int64(int(1...1000)))
        case 4: return .float32(float())
        case 5: return .float64(Double(bitPattern: random.next()))
        case 6: return .string(string())
        case 7, 8: return .binary((0..<int(0...300)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 9: return .array((0..<int(0...20)).map { _ in value(depth: depth + 1) })
        default: return .map((0..<int(0...17)).map { _ in (key: value(depth: depth + 1), value: value(depth: depth + 1)) })
        }
    }
}

/// Bitwise equality for floats (NaN payloads included), by comparing canonical encodings.
private func sameEncoding<T: MessagePackCodable>(_ a: T, _ b: T) throws -> Bool {
    try a.messagePackBytes() == b.messagePackBytes()
}

/// Rewrites a canonical protocol tree so every struct (array) with known field names becomes a map,
/// the way `to_vec_named` would write it. `fields` tells which arrays are structs.
private func namedForm(_ value: MessagePackValue, schema: Schema) -> MessagePackValue {
    switch (schema, value) {
    case (.structure(let fields), .array(let elements)) where elements.count == fields.count:
        return .map(zip(fields, elements).map { (key: .string($0.0.name), value: namedForm($0.1, schema: $0.0.schema)) })
    case (.list(let element), .array(let elements)):
        return .array(elements.map { namedForm($0, schema: element) })
    case (.variants(let payloads), .map(let entries)) where entries.count == 1:
        guard case .string(let name) = entries[0].key, let payload = payloads[name] else { return value }
        return .map([(key: entries[0].key, value: namedForm(entries[0].value, schema: payload))])
    default:
        return value
    }
}

private indirect enum Schema: Sendable {
    case leaf
    case list(Schema)
    case structure([(name: String, schema: Schema)])
    case variants([String: Schema])

    static func fields(_ names: String...) -> Schema { .structure(names.map { (name: $0, schema: .leaf) }) }

    static let modelInfo = fields("id", "name", "dimension", "loaded", "memory_bytes")
    static let request = envelope(.variants([
        "Embed": fields("texts", "model", "dims"), "Rerank": fields("query", "documents", "model"),
        "SubmitEmbeddingJob": fields("db_path", "index_path", "two_tier", "fast_model", "quality_model"),
        "EmbeddingJobStatus": fields("db_path"), "CancelEmbeddingJob": fields("db_path", "model_id"),
    ]))
    static let response = envelope(.variants([
        "Health": fields("uptime_secs", "version", "ready", "memory_bytes"),
        "Embed": fields("embeddings", "model", "elapsed_ms"), "Rerank": fields("scores", "model", "elapsed_ms"),
        "Status": .structure([("uptime_secs", .leaf), ("version", .leaf), ("embedders", .list(modelInfo)),
                              ("rerankers", .list(modelInfo)), ("memory_bytes", .leaf), ("total_requests", .leaf)]),
        "JobSubmitted": fields("job_id", "message"),
        "JobStatus": .structure([("jobs", .list(fields("job_id", "model_id", "status", "total_docs", "completed_docs", "error_message")))]),
        "JobCancelled": fields("cancelled", "message"), "Shutdown": fields("message"),
        "Error": fields("code", "message", "retryable", "retry_after_ms"),
    ]))

    static func envelope(_ payload: Schema) -> Schema {
        .structure([("version", .leaf), ("request_id", .leaf), ("payload", payload)])
    }
}

@Suite("Round trips")
struct RoundTripTests {
    @Test(arguments: 0..<8)
    func requestsSurviveBothForms(seed: UInt64) throws {
        var generator = ValueGenerator(random: SplitMix64(seed: seed))
        for index in 0..<300 {
            let envelope = RequestEnvelope(version: UInt32(generator.int(0...3)), requestID: generator.string(),
                                           request: generator.request())
            let body = try envelope.encodedBody()
            #expect(try RequestEnvelope.decode(from: body) == envelope, "seed \(seed) #\(index)")
            let named = try namedForm(MessagePackValue(decoding: body), schema: Schema.request).encoded()
            #expect(try RequestEnvelope.decode(from: named) == envelope, "seed \(seed) #\(index), named form")
        }
    }

    @Test(arguments: 0..<8)
    func responsesSurviveBothForms(seed: UInt64) throws {
        var generator = ValueGenerator(random: SplitMix64(seed: seed))
        for index in 0..<300 {
            let envelope = ResponseEnvelope(requestID: generator.string(), response: generator.response())
            let body = try envelope.encodedBody()
            let decoded = try ResponseEnvelope.decode(from: body)
            #expect(try sameEncoding(decoded, envelope), "seed \(seed) #\(index)")
            let named = try namedForm(MessagePackValue(decoding: body), schema: Schema.response).encoded()
            #expect(try sameEncoding(ResponseEnvelope.decode(from: named), envelope), "seed \(seed) #\(index), named form")
        }
    }

    @Test(arguments: 0..<8)
    func genericValuesSurvive(seed: UInt64) throws {
        var generator = ValueGenerator(random: SplitMix64(seed: seed))
        for _ in 0..<200 {
            let value = generator.value()
            let bytes = try value.encoded()
            let decoded = try MessagePackValue(decoding: bytes)
            #expect(decoded == value)
            #expect(try decoded.encoded() == bytes)
        }
    }

    @Test func embeddingsKeepEveryBit() throws {
        var generator = ValueGenerator(random: SplitMix64(seed: 99))
        let vectors = (0..<8).map { _ in (0..<384).map { _ in generator.float() } }
        let envelope = ResponseEnvelope(requestID: "bits", response: .embed(EmbedResponse(
            embeddings: vectors, model: "minilm-384", elapsedMilliseconds: 3)))
        let frame = try envelope.encodedFrame()
        var decoder = FrameDecoder()
        decoder.append(frame)
        let decoded = try ResponseEnvelope.decode(from: try #require(try decoder.nextFrame()))
        guard case .embed(let response) = decoded.response else { Issue.record("not an Embed"); return }
        #expect(response.embeddings.map { $0.map(\.bitPattern) } == vectors.map { $0.map(\.bitPattern) })
    }
}
