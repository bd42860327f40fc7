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

    @Test func aFortyCharacterRequestIDUsesStr8() throws {
        let id = String(repeating: "a", count: 40)
        let frame = try RequestEnvelope(requestID: id, request: .health).encodedFrame()
        #expect(Array(frame[4..<8]) == [0x93, 0x01, 0xd9, 0x28])
        #expect(Array(frame.suffix(7)) == [0xa6] + Array("Health".utf8))
    }
}
