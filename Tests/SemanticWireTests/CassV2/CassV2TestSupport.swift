// Shared by the cass v2 suites: the goldens loaded once, the byte offset of an envelope's payload
// inside a frame body, a JSON tree turned into the map-form (`to_vec_named`) MessagePack a Rust peer
// could send, and the worked example's values built by hand from the spec's text.
import SemanticTestSupport
import SemanticWire
import Testing

let cassV2Section91Frames: [WireFrame] = (try? CassV2Goldens.section91Frames()) ?? []
let cassV2Frames: [WireFrame] = (try? CassV2Goldens.frames()) ?? []
let cassV2DecoderVectors: [CassV2DecoderVector] = (try? CassV2Goldens.decoderVectors()) ?? []

extension WireTableEnum {
    /// The kind of this value's row in its table.
    func rowKind() throws -> Kind { try variant(in: Self.wireTable).kind }
}

/// Where a newtype variant's payload starts in an envelope body `[version, id, {Variant: payload}]`.
func payloadOffset(inEnvelopeBody body: [UInt8]) throws -> Int {
    var reader = MessagePackReader(body)
    #expect(try reader.readArrayHeader() == 3)
    try reader.skipValue()
    try reader.skipValue()
    #expect(try reader.readMapHeader() == 1)
    try reader.skipValue()
    return reader.offset
}

/// A serde JSON tree as the map-form MessagePack of the same value: objects become maps keyed by
/// field name, whole numbers unsigned or signed integers, other numbers float32.
func namedMessagePack(_ json: JSONValue) -> MessagePackValue {
    switch json {
    case .null: return .nil
    case .bool(let value): return .bool(value)
    case .integer(let value): return value < 0 ? .int(value) : .uint(UInt64(value))
    case .unsignedInteger(let value): return .uint(value)
    case .number(let value): return .float32(Float(value))
    case .string(let value): return .string(value)
    case .array(let values): return .array(values.map(namedMessagePack))
    case .object(let members):
        return .map(members.keys.sorted().map { (key: .string($0), value: namedMessagePack(members[$0]!)) })
    }
}

/// The golden frame named `name`.
func cassV2Frame(_ name: String) throws -> WireFrame {
    try #require((cassV2Section91Frames + cassV2Frames).first { $0.name == name }, "no golden frame \(name)")
}

/// The spec's §9 worked example, typed in from §5.8 and §9 rather than decoded.
enum WorkedExample {
    static let connectionFingerprint = "d9ac0520c7c031312f9c01c072e0716e1fac2f6319a5c9755d30f56eb750ea1e"

    static let input = EmbeddingInputContractV1(
        canonicalization: "caller-utf8-as-is-v1", contentSelection: "single-caller-supplied-text-v1",
        chunking: "none-at-embedder-boundary-v1", queryInstruction: "", documentInstruction: "",
        docIDSemantics: "vector-independent-of-document-id-v1")

    static let space = EmbeddingSpaceIdentityV1(
        logicalModelID: "all-minilm-l6-v2", immutableRevision: "c9745ed1d9f207416be6d2e6f8de32d1f16199bf", kind: .semantic,
        artifactManifestFingerprint: "7abdcb651b3c26fd7fb5a0e7aa3faef78a8a0e1ba8a69b6618019eafa0adfa0d",
        artifacts: [
            EmbeddingArtifactIdentityV1(role: "weights", sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", size: 90_868_376),
            EmbeddingArtifactIdentityV1(role: "tokenizer", sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037", size: 466_247),
            EmbeddingArtifactIdentityV1(role: "model_config", sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41", size: 612),
            EmbeddingArtifactIdentityV1(role: "special_tokens", sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3", size: 112),
            EmbeddingArtifactIdentityV1(role: "tokenizer_config", sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b", size: 350),
        ],
        tokenizerFingerprint: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        vocabularyFingerprint: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        modelConfigFingerprint: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        modelPreprocessing: "bert-special-tokens=true;token-type-ids=zero",
        sequencePolicy: "max-length=512;longest-first;no-padding", queryInstruction: "", documentInstruction: "",
        pooling: "mean-all-returned-tokens-including-specials-no-padding-v1",
        outputNormalization: "l2-f32-if-norm-gt-zero-else-unchanged-v1", dimension: 384,
        inputContractFingerprint: "37127ade3c1e088e1fadd3d35c51a7955606f1a995030b6e3def436595883539")

    static let producer = EmbeddingProducerAttestationV1(
        backend: "frankentorch-native-minilm",
        implementationRevision: "frankensearch-rerank-native-embedder-v1+frankentorch-c305306b251753099620ad5fe02e78c07c167cf6",
        protocolRevision: "tokenizers-0.23.2+frankentorch-bert-encoder-v1",
        numericProfile: "f32-weights-int8-linear-f32-accumulate-v2",
        provenanceManifestFingerprint: "e76579619e06919d4f404f73e422683c2183723b84095b8cc546f93f6270a7ea",
        spaceFingerprint: "0f8fdd931e7af9602c0da487e83750d70768c606565f940d603849944d3b548e",
        goldenVectors: GoldenVectorCertificateV1(
            corpusSHA256: "c78d82e7992839460c6e9aa58b65ac54c8f475aed56279c5287125ca88ec376a",
            vectorsSHA256: "bed15455ed5910d6ebcf39b28a22e321d83a904f99c53e79724995b662e67c26", vectorCount: 4, dimension: 384))

    static let storage = VectorStorageIdentityV1(
        format: "in-memory-f32-v1", quantization: .f32, endianness: "native-f32-values",
        vectorNormalization: "l2-f32-if-norm-gt-zero-else-unchanged-v1", dimension: 384)

    static let connection = DaemonConnectionIdentityV1(
        endpointFingerprint: "8d835c284a31ac9aa7ac5f5fd938620b578637161fa41efe9a15b12dfadce18b",
        executableFingerprint: "ed92e3c5a3a601be218ed416e1db2a1abc0d614184ff6267f209ddb54920635a",
        protocolRevision: "cass-semantic-msgpack-attested-v1", keyID: "cass-daemon-key-630dcd2966c4336691125448",
        generation: 3, embeddingIdentity: EmbeddingIdentityBundleV1(space: space, producer: producer, input: input, storage: storage),
        modelCategory: .transformerEmbedder)

    /// The embed challenge of §9: nonce 64 × `1`, op embed, one input.
    static let embedChallenge = DaemonChallengeV1(
        requestNonce: String(repeating: "1", count: 64), operation: .embed,
        orderedRequestSHA256: "cea010fffabf8577388050dc32dbd71db54ab04da6d9d2e2a57e2fc8f1b5728a", inputCount: 1,
        expectedConnectionFingerprint: connectionFingerprint)

    /// The handshake challenge of §9: nonce 64 × `2`, no inputs.
    static let handshakeChallenge = DaemonChallengeV1(
        requestNonce: String(repeating: "2", count: 64), operation: .handshake,
        orderedRequestSHA256: "3a37fd2ea7a0cb2d5af75890de1ebe4e74c033f942cbf630c958dfe723277d46", inputCount: 0,
        expectedConnectionFingerprint: connectionFingerprint)

    /// The rerank challenge of §9: nonce 64 × `3`, the query and two documents.
    static let rerankChallenge = DaemonChallengeV1(
        requestNonce: String(repeating: "3", count: 64), operation: .rerank,
        orderedRequestSHA256: "82b41a6c8910a549eac0edb1ab29a363a0f01b29cce2b92fa3b772411da115f2", inputCount: 3,
        expectedConnectionFingerprint: connectionFingerprint)

    /// The §9 embed proof: the synthetic vector `(i+1)/384`, signed under the example key.
    static let embedProof = AttestedDaemonEmbeddingResponseV1(
        vectors: [(0..<384).map { Float(Double($0 + 1) / 384) }],
        attestation: DaemonEmbeddingAttestationV1(
            challenge: embedChallenge, connection: connection, vectorCount: 1, vectorDimension: 384,
            responsePayloadSHA256: "f276a5b3c9bf352a3852e3f45f8d8b68c378ce4a4c67f6bd0ba5e966d7e10167",
            signatureHMACSHA256: "efddff114000080a9828395918958531a629a73ad8797e95461bae1c4900685c"))

    /// The §9 handshake proof: no vectors, dimension 384.
    static let handshakeProof = DaemonEmbeddingAttestationV1(
        challenge: handshakeChallenge, connection: connection, vectorCount: 0, vectorDimension: 384,
        responsePayloadSHA256: "92fffecdd046d3878708b48f97a2157a0f11c723c1582d776b4bd24cb8bff8e7",
        signatureHMACSHA256: "e611a71f1dda083bfe226956b389607b02fb11a26df950ec490125deaea959d3")

    /// The §9 rerank proof: one row of two scores.
    static let rerankProof = AttestedDaemonEmbeddingResponseV1(
        vectors: [[1.5, -2.25]],
        attestation: DaemonEmbeddingAttestationV1(
            challenge: rerankChallenge, connection: connection, vectorCount: 1, vectorDimension: 2,
            responsePayloadSHA256: "dc7b24b22fd71b2f526ec93a618c518582588b6a12b9eb3e692c6178545230a7",
            signatureHMACSHA256: "56a7a361f834b5dd062e87c3b2e3dd453ebcad3b6d76906335626d65fc14d4df"))
}
