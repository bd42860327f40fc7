// The xf dialect against Tests/Fixtures/wire/xf-frames.json, written by xf's Rust encoder: every frame
// decodes to its recorded envelope id, payload bytes and value, and encoding that value gives the same
// bytes. Then dialect detection over both golden files, and hostile xf envelopes that must fail cleanly.
import SemanticTestSupport
import SemanticWire
import Testing

@Suite("xf dialect frames")
struct XFFrameTests {
    @Test(arguments: xfFrames)
    func decodesToItsValueAndEncodesToItsBytes(frame: WireFrame) throws {
        let body = frame.body
        #expect(try Frame.bodyLength(header: Array(frame.bytes.prefix(4))) == body.count)
        let envelope = try XFEnvelope.decode(from: body)
        #expect(envelope.version == 1)
        #expect(envelope.id == frame.envelopeID)
        #expect(envelope.payload == frame.payload, "payload \(WireFrames.hex(envelope.payload))")
        let reencoded: XFEnvelope
        switch frame.kind {
        case "request":
            let request = try envelope.request()
            #expect(request.json == frame.value, "decoded \(request.json)")
            #expect(try request.messagePackBytes() == frame.payload)
            reencoded = try XFEnvelope(id: envelope.id, request: request)
        case "response":
            let response = try envelope.response()
            #expect(response.json == frame.value, "decoded \(response.json)")
            #expect(try response.messagePackBytes() == frame.payload)
            reencoded = try XFEnvelope(id: envelope.id, response: response)
        default:
            Issue.record("unknown frame kind \(frame.kind)")
            return
        }
        #expect(WireFrames.hex(try reencoded.encodedFrame()) == WireFrames.hex(frame.bytes))
        #expect(try reencoded.encodedBody() == body)
    }

    @Test func valuesBuiltByHandEncodeToTheGoldenBytes() throws {
        func frame(_ name: String) throws -> WireFrame {
            try #require(xfFrames.first { $0.name == name }, "no frame \(name)")
        }
        let status = XFResponse.status(XFStatus(
            uptimeSeconds: 3600,
            models: [XFLoadedModelInfo(name: "all-MiniLM-L6-v2", modelType: "embedder", loadedAt: 1_700_000_000,
                                       requestsServed: 100, lastUsed: 1_700_003_600)],
            residentMegabytes: 256.5, requestsServed: 1000, inFlight: 2, queueLength: 0))
        #expect(try XFEnvelope(id: 5, response: status).encodedFrame() == frame("xf-resp-status").bytes)
        let error = XFResponse.error(code: .unknownModel, message: "unknown model: flashrank-nano")
        #expect(try XFEnvelope(id: 3, response: error).encodedFrame() == frame("xf-resp-error").bytes)
        let embed = XFRequest.embed(texts: ["hello world"], model: "all-minilm-l6-v2", dims: 256)
        #expect(try XFEnvelope(id: 300, request: embed).encodedFrame() == frame("xf-req-embed-dims").bytes)
        let submit = XFRequest.submitEmbeddingJob(dbPath: "/path/to/xf.db", indexPath: "/path/to/index", modelID: "quality",
                                                  twoTier: true, fastModel: "hash-fnv1a-384", qualityModel: "all-MiniLM-L6-v2")
        #expect(try XFEnvelope(id: 7, request: submit).encodedFrame() == frame("xf-req-submit").bytes)
        let job = XFEmbeddingJobInfo(id: 12, dbPath: "/path/to/xf.db", modelID: "quality", status: "in_progress",
                                     totalDocuments: 5000, completedDocuments: 1250, progressPercent: 25,
                                     createdAt: 1_700_000_000, startedAt: 1_700_000_005, completedAt: 0, errorMessage: nil)
        #expect(try XFEnvelope(id: 8, response: .jobStatus([job])).encodedFrame() == frame("xf-resp-job-status").bytes)
    }

    @Test func thePayloadIsAnArrayOfByteValuesNotABin() throws {
        let body = try XFEnvelope(id: 1, payload: [0x00, 0x7f, 0x80, 0xff]).encodedBody()
        #expect(body == [0x93, 0x01, 0x01, 0x94, 0x00, 0x7f, 0xcc, 0x80, 0xcc, 0xff])
        // A bin payload is accepted when reading.
        let fromBin = try XFEnvelope.decode(from: [0x93, 0x01, 0x02, 0xc4, 0x02, 0xab, 0xcd])
        #expect(fromBin == XFEnvelope(id: 2, payload: [0xab, 0xcd]))
    }

    @Test func theMapFormIsReadToo() throws {
        let status: [UInt8] = [0xa6] + Array("Status".utf8)
        let value: MessagePackValue = ["version": 1, "id": 9, "payload": .array(status.map { .uint(UInt64($0)) })]
        let envelope = try XFEnvelope.decode(from: try value.encoded())
        #expect(envelope.id == 9)
        #expect(try envelope.request() == .status)
    }
}

@Suite("Dialect detection")
struct DialectDetectionTests {
    @Test func everyCassGoldenFrameIsCass() {
        for frame in goldenFrames {
            #expect(WireDialect.detect(frameBody: frame.body) == .cass, "\(frame.name)")
        }
    }

    @Test func everyXFGoldenFrameIsXF() {
        for frame in xfFrames {
            #expect(WireDialect.detect(frameBody: frame.body) == .xf, "\(frame.name)")
        }
    }

    @Test func mapFormEnvelopesAreToldApartByTheirKeys() throws {
        let cass: MessagePackValue = ["version": 1, "request_id": "a", "payload": "Health"]
        let xf: MessagePackValue = ["version": 1, "id": 1, "payload": []]
        #expect(WireDialect.detect(frameBody: try cass.encoded()) == .cass)
        #expect(WireDialect.detect(frameBody: try xf.encoded()) == .xf)
    }

    @Test(arguments: [
        [], [0xc1], [0x01], [0xa6] + Array("Health".utf8), [0x92, 0x01, 0x01], [0x93, 0x01], [0x93, 0x01, 0xc0, 0x90],
        [0x93, 0x01, 0x92, 0x01, 0x02], [0x81, 0xa1, 0x78, 0x01], [0x93, 0x01, 0xcb],
    ] as [[UInt8]])
    func anythingElseIsNeither(body: [UInt8]) {
        #expect(WireDialect.detect(frameBody: body) == nil)
    }
}

@Suite("Hostile xf envelopes")
struct XFHostileInputTests {
    @Test func aByteValueAbove255IsRejectedWithItsIndex() {
        #expect(throws: WireError.integerOutOfRange(field: "payload[1]", expected: "u8", value: "256")) {
            try XFEnvelope.decode(from: [0x93, 0x01, 0x01, 0x92, 0x01, 0xcd, 0x01, 0x00])
        }
    }

    @Test func aVersionThatIsNotAU8IsRejected() {
        #expect(throws: WireError.integerOutOfRange(field: "version", expected: "u8", value: "256")) {
            try XFEnvelope.decode(from: [0x93, 0xcd, 0x01, 0x00, 0x01, 0x90])
        }
    }

    @Test func aPayloadThatIsNotARequestNamesThePayload() throws {
        let envelope = try XFEnvelope(id: 4, payload: [0xa4] + Array("Nope".utf8))
        #expect(throws: WireError.unknownVariant(field: "payload", type: "Request", name: "\"Nope\"")) {
            try envelope.request()
        }
        // cass's Request has `Shutdown` at index 7; xf's at 4. Indices follow xf's order.
        #expect(try XFEnvelope(id: 4, payload: [0x04]).request() == .shutdown)
    }

    @Test func everyTruncationOfEveryGoldenFrameFailsWithoutTrapping() {
        for frame in xfFrames {
            let body = frame.body
            for length in 0..<body.count {
                let prefix = Array(body.prefix(length))
                #expect(throws: (any Error).self, "\(frame.name) cut at \(length)") {
                    let envelope = try XFEnvelope.decode(from: prefix)
                    _ = frame.kind == "request" ? try envelope.request().variantName : try envelope.response().variantName
                }
            }
        }
    }

    @Test func trailingBytesInsideThePayloadAreRejectedUnlessTolerated() throws {
        let envelope = XFEnvelope(id: 1, payload: [0xa6] + Array("Health".utf8) + [0x00])
        #expect(throws: WireError.trailingBytes(count: 1)) { try envelope.request() }
        #expect(try envelope.request(options: .tolerant) == .health)
    }
}
