// FrameDialect: cass v1, cass v2 and xf told apart by the envelope alone, on every golden frame of
// all three, in array and map form, and for versions neither cass version has.
import SemanticTestSupport
import SemanticWire
import Testing

@Suite("Frame dialect")
struct FrameDialectTests {
    @Test func everyGoldenFrameIsRecognised() throws {
        // frames.json is v1's, apart from one request that claims version 2 (`req-health-v2`).
        for frame in goldenFrames {
            let version = try MessagePackValue(decoding: frame.body)[0]
            #expect(FrameDialect.detect(frameBody: frame.body) == (version == .uint(1) ? .cassV1 : .cassV2), "\(frame.name)")
        }
        #expect(goldenFrames.filter { FrameDialect.detect(frameBody: $0.body) == .cassV2 }.map(\.name) == ["req-health-v2"])
        for frame in cassV2Section91Frames + cassV2Frames {
            #expect(FrameDialect.detect(frameBody: frame.body) == .cassV2, "\(frame.name)")
        }
        for frame in xfFrames {
            #expect(FrameDialect.detect(frameBody: frame.body) == .xf, "\(frame.name)")
        }
        #expect(!goldenFrames.isEmpty && !cassV2Frames.isEmpty && !xfFrames.isEmpty)
    }

    @Test func theMapFormIsReadByItsVersionKey() throws {
        let named = try #require(cassV2DecoderVectors.first { $0.name == "accept-named-HandshakeAttested" })
        #expect(FrameDialect.detect(frameBody: named.body) == .cassV2)
        let v1: MessagePackValue = ["request_id": "t", "payload": "Health", "version": 1]
        #expect(FrameDialect.detect(frameBody: try v1.encoded()) == .cassV1)
        let xf: MessagePackValue = ["version": 1, "id": 7, "payload": [0xa6]]
        #expect(FrameDialect.detect(frameBody: try xf.encoded()) == .xf)
    }

    /// A cass envelope of another version is v2's to answer (its VersionMismatch names version 2).
    @Test func otherCassVersionsAreVersionTwosToAnswer() throws {
        for version: MessagePackValue in [0, 3, 70_000, "2", .nil] {
            let body = try MessagePackValue.array([version, "t", "Health"]).encoded()
            #expect(FrameDialect.detect(frameBody: body) == .cassV2, "\(version)")
        }
        let noVersion: MessagePackValue = ["request_id": "t", "payload": "Health"]
        #expect(FrameDialect.detect(frameBody: try noVersion.encoded()) == .cassV2)
        guard case .reply(let reply) = CassV2RequestTriage(frameBody: try MessagePackValue.array([3, "t", "Health"]).encoded()) else {
            Issue.record("version 3 was not answered")
            return
        }
        #expect(reply == .replyingToVersionMismatch(requestID: "t", receivedVersion: 3))
    }

    @Test func whatIsNoEnvelopeIsNoDialect() throws {
        for body: [UInt8] in [[], [0xc0], [0x92, 0x01, 0xa0], [0x93, 0x01, 0xc3, 0xa0], [0x93], [0x80], [0xc1, 0x01]] {
            #expect(FrameDialect.detect(frameBody: body) == nil, "\(body)")
        }
    }

    @Test func eachDialectBelongsToItsFamily() {
        #expect(FrameDialect.allCases.map(\.wireDialect) == [.cass, .cass, .xf])
        #expect(FrameDialect.allCases.map(\.rawValue) == ["cass-v1", "cass-v2", "xf"])
    }
}
