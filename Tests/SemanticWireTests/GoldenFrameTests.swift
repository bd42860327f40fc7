// Every golden frame of Tests/Fixtures/wire/frames.json, as the Rust encoder wrote it: decoding gives
// the recorded value, encoding that value gives the same bytes. Here the xf dialect's frames check
// only that the generic MessagePack layer rewrites them byte for byte; XFFrameTests decodes them typed.
import SemanticTestSupport
import SemanticWire
import Testing

let goldenFrames: [WireFrame] = (try? WireFrames.load("frames.json")) ?? []
let xfFrames: [WireFrame] = (try? WireFrames.load("xf-frames.json")) ?? []

@Suite("Golden frames")
struct GoldenFrameTests {
    @Test func theGoldenFilesLoad() throws {
        #expect(try WireFrames.load("frames.json").count == 29)
        #expect(try WireFrames.load("xf-frames.json").count == 18)
        #expect(goldenFrames.count { $0.kind == "request" } == 13)
        #expect(goldenFrames.count { $0.kind == "response" } == 16)
    }

    @Test(arguments: goldenFrames)
    func decodesToItsValueAndEncodesToItsBytes(frame: WireFrame) throws {
        let body = frame.body
        let prefix = Array(frame.bytes.prefix(4))
        #expect(try Frame.bodyLength(header: prefix) == body.count)
        switch frame.kind {
        case "request":
            let envelope = try RequestEnvelope.decode(from: body)
            #expect(envelope.json == frame.value, "decoded \(envelope.json)")
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(frame.bytes))
            #expect(try envelope.encodedBody() == body)
        case "response":
            let envelope = try ResponseEnvelope.decode(from: body)
            #expect(envelope.json == frame.value, "decoded \(envelope.json)")
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(frame.bytes))
            #expect(try envelope.encodedBody() == body)
        default:
            Issue.record("unknown frame kind \(frame.kind)")
        }
    }

    @Test(arguments: goldenFrames)
    func theGenericCodecRewritesItByteForByte(frame: WireFrame) throws {
        let value = try MessagePackValue(decoding: frame.body)
        #expect(try value.encoded() == frame.body)
    }

    @Test(arguments: xfFrames)
    func theGenericCodecRewritesXfFramesByteForByte(frame: WireFrame) throws {
        let envelope = try MessagePackValue(decoding: frame.body)
        #expect(try envelope.encoded() == frame.body)
        // The xf payload is a nested message carried as an array of byte values.
        guard case .array(let fields) = envelope, fields.count == 3, case .array(let byteValues) = fields[2] else {
            Issue.record("xf envelope is not [version, id, [bytes]]: \(envelope)")
            return
        }
        let payload = try byteValues.map { value -> UInt8 in
            guard case .uint(let byte) = value, let narrow = UInt8(exactly: byte) else { throw WireError.lengthTooLarge(count: -1) }
            return narrow
        }
        let inner = try MessagePackValue(decoding: payload)
        #expect(try inner.encoded() == payload)
    }

    @Test func theSpecExamplesMatchToo() throws {
        // cass spec §1.7: Embed request with dims = Some(384), and Embed response.
        let request = RequestEnvelope(requestID: "cass-3", request: .embed(texts: ["hello", "world"], model: "default", dims: 384))
        #expect(WireFrames.hex(try request.encodedFrame())
            == "000000299301a6636173732d3381a5456d6265649392a568656c6c6fa5776f726c64a764656661756c74cd0180")
        let response = ResponseEnvelope(requestID: "cass-3", response: .embed(EmbedResponse(
            embeddings: [[0.5, -1.0], [0.25, 0.0]], model: "minilm-384", elapsedMilliseconds: 15)))
        #expect(WireFrames.hex(try response.encodedFrame())
            == "000000349301a6636173732d3381a5456d6265649392" + "92ca3f000000cabf800000"
            + "92ca3e800000ca00000000" + "aa6d696e696c6d2d333834" + "0f")
        // cass spec §1.7: the reply to an undecodable request.
        let failure = ResponseEnvelope.replyingToUndecodableRequest(message: "x")
        #expect(WireFrames.hex(try failure.encodedFrame())
            == "000000219301a56572726f7281a54572726f7294ac496e76616c6964496e707574a178c2c0")
    }

    /// Every byte example of the cass spec (§1.7 and Appendix A), written by rmp-serde, as a typed value:
    /// the value encodes to exactly those bytes and the bytes decode back to the value.
    @Test(arguments: SpecExample.all)
    func everySpecExampleEncodesAndDecodesExactly(example: SpecExample) throws {
        let expected = try #require(WireFrames.bytes(fromHex: example.hex.filter { !$0.isWhitespace }), "\(example.name)")
        switch example.envelope {
        case .request(let envelope):
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(expected), "\(example.name)")
            #expect(try RequestEnvelope.decode(from: Array(expected.dropFirst(4))) == envelope, "\(example.name)")
        case .response(let envelope):
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(expected), "\(example.name)")
            #expect(try ResponseEnvelope.decode(from: Array(expected.dropFirst(4))) == envelope, "\(example.name)")
        }
        #expect(try Frame.bodyLength(header: Array(expected.prefix(4))) == expected.count - 4)
    }

    @Test func aFortyCharacterRequestIDUsesStr8() throws {
        let id = String(repeating: "a", count: 40)
        let frame = try RequestEnvelope(requestID: id, request: .health).encodedFrame()
        #expect(Array(frame[4..<8]) == [0x93, 0x01, 0xd9, 0x28])
        #expect(Array(frame.suffix(7)) == [0xa6] + Array("Health".utf8))
    }
}

/// One byte example of the cass spec, with the value it encodes.
struct SpecExample: Sendable, CustomTestStringConvertible {
    enum Envelope: Sendable {
        case request(RequestEnvelope)
        case response(ResponseEnvelope)
    }

    let name: String
    let envelope: Envelope
    let hex: String
    var testDescription: String { name }

    static func request(_ name: String, _ id: String, _ request: Request, _ hex: String) -> SpecExample {
        SpecExample(name: name, envelope: .request(RequestEnvelope(requestID: id, request: request)), hex: hex)
    }

    static func response(_ name: String, _ id: String, _ response: Response, _ hex: String) -> SpecExample {
        SpecExample(name: name, envelope: .response(ResponseEnvelope(requestID: id, response: response)), hex: hex)
    }

    /// cass-daemon-spec.md §1.7 and Appendix A, the hex copied as printed there.
    static let all: [SpecExample] = [
        request("§1.7 Health request", "cass-0", .health, "00 00 00 10 93 01 a6 63 61 73 73 2d 30 a6 48 65 61 6c 74 68"),
        request("§1.7 Embed request", "cass-3", .embed(texts: ["hello", "world"], model: "default", dims: nil),
                "00 00 00 27 93 01 a6 63 61 73 73 2d 33 81 a5 45 6d 62 65 64 93 92 a5 68 65 6c 6c 6f a5 77 6f 72 6c 64"
                + " a7 64 65 66 61 75 6c 74 c0"),
        request("§1.7 Embed request, dims 384", "cass-3", .embed(texts: ["hello", "world"], model: "default", dims: 384),
                "00 00 00 29 93 01 a6 63 61 73 73 2d 33 81 a5 45 6d 62 65 64 93 92 a5 68 65 6c 6c 6f a5 77 6f 72 6c 64"
                + " a7 64 65 66 61 75 6c 74 cd 01 80"),
        response("§1.7 Embed response", "cass-3", .embed(EmbedResponse(
                    embeddings: [[0.5, -1.0], [0.25, 0.0]], model: "minilm-384", elapsedMilliseconds: 15)),
                 "00 00 00 34 93 01 a6 63 61 73 73 2d 33 81 a5 45 6d 62 65 64 93 92 92 ca 3f 00 00 00 ca bf 80 00 00"
                 + " 92 ca 3e 80 00 00 ca 00 00 00 00 aa 6d 69 6e 69 6c 6d 2d 33 38 34 0f"),
        response("§1.7 Error response", "cass-9", .error(ErrorResponse(
                    code: .modelLoadFailed, message: "boom", retryable: true, retryAfterMilliseconds: 1000)),
                 "00 00 00 2a 93 01 a6 63 61 73 73 2d 39 81 a5 45 72 72 6f 72 94 af 4d 6f 64 65 6c 4c 6f 61 64 46 61 69"
                 + " 6c 65 64 a4 62 6f 6f 6d c3 cd 03 e8"),
        response("§1.7 Decode-failure error", "error", .error(ErrorResponse(code: .invalidInput, message: "x", retryable: false)),
                 "00 00 00 21 93 01 a5 65 72 72 6f 72 81 a5 45 72 72 6f 72 94 ac 49 6e 76 61 6c 69 64 49 6e 70 75 74 a1 78 c2 c0"),
        response("§1.7 Health response", "cass-0", .health(HealthStatus(
                    uptimeSeconds: 120, ready: true, memoryBytes: 100_000_000)),
                 "00 00 00 1a 93 01 a6 63 61 73 73 2d 30 81 a6 48 65 61 6c 74 68 94 78 01 c3 ce 05 f5 e1 00"),
        request("A Status request", "cass-1", .status, "00 00 00 10 93 01 a6 63 61 73 73 2d 31 a6 53 74 61 74 75 73"),
        request("A Shutdown request", "cass-2", .shutdown, "00 00 00 12 93 01 a6 63 61 73 73 2d 32 a8 53 68 75 74 64 6f 77 6e"),
        request("A Rerank request", "cass-5", .rerank(query: "q", documents: ["a", "b"], model: "default"),
                "00 00 00 21 93 01 a6 63 61 73 73 2d 35 81 a6 52 65 72 61 6e 6b 93 a1 71 92 a1 61 a1 62 a7 64 65 66 61 75 6c 74"),
        request("A SubmitEmbeddingJob request", "cass-6",
                .submitEmbeddingJob(dbPath: "/d/a.db", indexPath: "/d", twoTier: true, fastModel: nil, qualityModel: "minilm"),
                "00 00 00 32 93 01 a6 63 61 73 73 2d 36 81 b2 53 75 62 6d 69 74 45 6d 62 65 64 64 69 6e 67 4a 6f 62"
                + " 95 a7 2f 64 2f 61 2e 64 62 a2 2f 64 c3 c0 a6 6d 69 6e 69 6c 6d"),
        request("A EmbeddingJobStatus request", "cass-7", .embeddingJobStatus(dbPath: "/d/a.db"),
                "00 00 00 26 93 01 a6 63 61 73 73 2d 37 81 b2 45 6d 62 65 64 64 69 6e 67 4a 6f 62 53 74 61 74 75 73 91"
                + " a7 2f 64 2f 61 2e 64 62"),
        request("A CancelEmbeddingJob request", "cass-8", .cancelEmbeddingJob(dbPath: "/d/a.db", modelID: nil),
                "00 00 00 27 93 01 a6 63 61 73 73 2d 38 81 b2 43 61 6e 63 65 6c 45 6d 62 65 64 64 69 6e 67 4a 6f 62 92"
                + " a7 2f 64 2f 61 2e 64 62 c0"),
        response("A Rerank response", "cass-5", .rerank(RerankResponse(
                    scores: [0.95, -2.5], model: "ms-marco-minilm-l6-v2", elapsedMilliseconds: 8)),
                 "00 00 00 34 93 01 a6 63 61 73 73 2d 35 81 a6 52 65 72 61 6e 6b 93 92 ca 3f 73 33 33 ca c0 20 00 00"
                 + " b5 6d 73 2d 6d 61 72 63 6f 2d 6d 69 6e 69 6c 6d 2d 6c 36 2d 76 32 08"),
        response("A Status response", "cass-1", .status(StatusResponse(
                    uptimeSeconds: 5,
                    embedders: [ModelInfo(id: "minilm-384", name: "MiniLM-L6-v2", dimension: 384, loaded: true, memoryBytes: 0)],
                    rerankers: [ModelInfo(id: "none", name: "not-loaded", dimension: nil, loaded: false, memoryBytes: 0)],
                    memoryBytes: 0, totalRequests: 2)),
                 "00 00 00 4a 93 01 a6 63 61 73 73 2d 31 81 a6 53 74 61 74 75 73 96 05 01"
                 + " 91 95 aa 6d 69 6e 69 6c 6d 2d 33 38 34 ac 4d 69 6e 69 4c 4d 2d 4c 36 2d 76 32 cd 01 80 c3 00"
                 + " 91 95 a4 6e 6f 6e 65 aa 6e 6f 74 2d 6c 6f 61 64 65 64 c0 c2 00 00 02"),
        response("A JobSubmitted response", "cass-6", .jobSubmitted(jobID: "cass-6", message: "embedding job submitted"),
                 "00 00 00 37 93 01 a6 63 61 73 73 2d 36 81 ac 4a 6f 62 53 75 62 6d 69 74 74 65 64 92 a6 63 61 73 73 2d 36"
                 + " b7 65 6d 62 65 64 64 69 6e 67 20 6a 6f 62 20 73 75 62 6d 69 74 74 65 64"),
        response("A JobStatus response", "cass-7", .jobStatus(EmbeddingJobInfo(jobs: [EmbeddingJobDetail(
                    jobID: 1, modelID: "hash", status: "completed", totalDocuments: 300, completedDocuments: 300, errorMessage: nil)])),
                 "00 00 00 2e 93 01 a6 63 61 73 73 2d 37 81 a9 4a 6f 62 53 74 61 74 75 73 91 91 96 01 a4 68 61 73 68"
                 + " a9 63 6f 6d 70 6c 65 74 65 64 cd 01 2c cd 01 2c c0"),
        response("A JobCancelled response", "cass-8", .jobCancelled(cancelled: 0, message: "cancelled 0 job(s)"),
                 "00 00 00 2c 93 01 a6 63 61 73 73 2d 38 81 ac 4a 6f 62 43 61 6e 63 65 6c 6c 65 64 92 00"
                 + " b2 63 61 6e 63 65 6c 6c 65 64 20 30 20 6a 6f 62 28 73 29"),
        response("A Shutdown response", "cass-2", .shutdown(message: "daemon shutting down"),
                 "00 00 00 29 93 01 a6 63 61 73 73 2d 32 81 a8 53 68 75 74 64 6f 77 6e 91 b4 64 61 65 6d 6f 6e 20 73 68"
                 + " 75 74 74 69 6e 67 20 64 6f 77 6e"),
    ]
}
