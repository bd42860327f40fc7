// Hostile input to the v2 decoder: cuts and single-byte mutations of every v2 golden frame,
// huge announced counts, deep nesting and random bytes end in a CassV2DecodingError (or a value that
// re-encodes to a fixpoint), never a trap; and CassV2RequestTriage sorts each case as §2.2 says.
import SemanticTestSupport
import SemanticWire
import Testing

/// Decodes `body` as the frame's kind; a decoded value must re-encode to bytes that decode to it again.
private func decodeStrictly(_ body: [UInt8], kind: String) throws(CassV2DecodingError) {
    if kind == "request" {
        let envelope = try CassV2RequestEnvelope.decode(frameBody: body)
        guard let again = try? envelope.encodedBody(), (try? CassV2RequestEnvelope.decode(frameBody: again)) == envelope else {
            Issue.record("a decoded request does not survive its own encoding")
            return
        }
    } else {
        let envelope = try CassV2ResponseEnvelope.decode(frameBody: body)
        guard let again = try? envelope.encodedBody(), let decoded = try? CassV2ResponseEnvelope.decode(frameBody: again),
              (try? decoded.encodedBody()) == again else {
            Issue.record("a decoded response does not survive its own encoding")
            return
        }
    }
}

/// The positions a test tries in a body: all of the first `dense` bytes, then every `stride`th and
/// the last eight (the large frames are runs of floats and hex strings that repeat the same shapes;
/// `make fuzz FUZZ_TARGETS=cassv2` covers every position).
private func positions(in body: [UInt8], dense: Int = 512, stride: Int = 31) -> [Int] {
    body.indices.filter { $0 < dense || $0 % stride == 0 || $0 >= body.count - 8 }
}

@Suite("cass v2 hostile input")
struct CassV2HostileInputTests {
    @Test(arguments: cassV2Frames)
    func aCutFrameIsAStructuralError(frame: WireFrame) {
        let body = frame.body
        for cut in positions(in: body) where cut > 0 {
            let error = #expect(throws: CassV2DecodingError.self, "cut at \(cut)") { try decodeStrictly(Array(body[..<cut]), kind: frame.kind) }
            #expect(error?.reason == .invalidStructure, "cut at \(cut): \(String(describing: error))")
        }
    }

    @Test(arguments: cassV2Frames)
    func trailingBytesAreTrailingData(frame: WireFrame) {
        for garbage: [UInt8] in [[0x00], [0xc0, 0xff], Array(frame.body.prefix(8))] {
            let error = #expect(throws: CassV2DecodingError.self) { try decodeStrictly(frame.body + garbage, kind: frame.kind) }
            #expect(error?.reason == .trailingData)
            #expect(error?.detail == .trailingBytes(count: garbage.count))
        }
    }

    @Test(arguments: cassV2Frames)
    func singleByteMutationsAreDefined(frame: WireFrame) {
        let body = frame.body
        for index in positions(in: body, dense: 160, stride: 61) {
            for replacement: UInt8 in [0x00, 0x7f, 0x90, 0xc0, 0xc1, 0xdc, 0xdd, 0xff] {
                var mutated = body
                mutated[index] = replacement
                do {
                    try decodeStrictly(mutated, kind: frame.kind)
                } catch {
                    #expect(CassV2DecodingError.Reason.allCases.contains(error.reason))
                }
            }
        }
    }

    @Test func hugeAnnouncedCountsAreRefusedWithoutAllocating() throws {
        // EmbedAttested whose texts claim 4,294,967,295 elements, then one byte.
        let texts: [UInt8] = [0x93, 0x02, 0xa1, 0x74, 0x81, 0xad] + Array("EmbedAttested".utf8)
            + [0x94, 0xdd, 0xff, 0xff, 0xff, 0xff, 0xa0]
        let error = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: texts) }
        #expect(error?.reason == .invalidStructure)
        #expect(error?.detail == .truncated(needed: 4_294_967_294, at: 25))
        // An AttestedEmbedding whose vectors claim 65,535 rows of 65,535 floats.
        let vectors: [UInt8] = [0x93, 0x02, 0xa1, 0x74, 0x81, 0xb1] + Array("AttestedEmbedding".utf8)
            + [0x92, 0xdc, 0xff, 0xff, 0xdc, 0xff, 0xff]
        #expect(throws: CassV2DecodingError.self) { try CassV2ResponseEnvelope.decode(frameBody: vectors) }
        // More elements than one array may hold, each backed by a byte.
        let count = MessagePackReader.defaultMaximumArrayLength + 1
        let many: [UInt8] = [0x93, 0x02, 0xa1, 0x74, 0x81, 0xa5] + Array("Embed".utf8) + [0x93, 0xdd]
            + withUnsafeBytes(of: UInt32(count).bigEndian, Array.init) + [UInt8](repeating: 0xa0, count: count) + [0xa0, 0xc0]
        let tooMany = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: many) }
        #expect(tooMany?.detail == .tooManyElements(field: "payload.Embed.texts", count: count, limit: count - 1))
    }

    @Test func nestingDeeperThanSixtyFourIsAStructuralError() throws {
        // Deep arrays where a string belongs; deep maps under an unknown envelope key, refused at the key.
        let deepID: [UInt8] = [0x93, 0x02] + [UInt8](repeating: 0x91, count: 100) + [0xc0, 0xa6] + Array("Health".utf8)
        let error = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: deepID) }
        #expect(error?.reason == .invalidStructure)
        let deepUnknown: [UInt8] = [0x84, 0xa5] + Array("extra".utf8) + [UInt8](repeating: 0x81, count: 100)
        let deepError = #expect(throws: CassV2DecodingError.self) { try CassV2RequestEnvelope.decode(frameBody: deepUnknown) }
        #expect(deepError?.reason == .invalidStructure)
    }

    @Test(arguments: [21, 22, 23] as [UInt64])
    func randomBytesNeverTrap(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0 ..< 3000 {
            let length = 1 + Int(random.next() % 64)
            var body = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if random.next() % 2 == 0 { body = [0x93, 0x02, 0xa1, 0x74] + body }
            _ = try? decodeStrictly(body, kind: "request")
            _ = try? decodeStrictly(body, kind: "response")
            _ = CassV2RequestTriage(frameBody: body)
            _ = FrameDialect.detect(frameBody: body)
        }
    }

    @Test func theTriageFollowsSectionTwoPointTwo() throws {
        // A version-2 request is dispatched.
        let embed = try cassV2Frame("request EmbedAttested cass-3")
        #expect(CassV2RequestTriage(frameBody: embed.body) == .dispatch(try CassV2RequestEnvelope.decode(frameBody: embed.body)))
        // A v1 client's request: VersionMismatch with its id, byte for byte the golden reply.
        let v1 = try RequestEnvelope(requestID: "cass-9", request: .health).encodedBody()
        guard case .reply(let mismatch) = CassV2RequestTriage(frameBody: v1) else { Issue.record("v1 not answered"); return }
        #expect(try mismatch.encodedFrame() == cassV2Frame("response Error(VersionMismatch) cass-9").bytes)
        // Undecodable: answered under "error", the golden replies.
        let trailing = try #require(cassV2DecoderVectors.first { $0.name == "reject-trailing-byte" }).body
        guard case .reply(let trailingReply) = CassV2RequestTriage(frameBody: trailing) else { Issue.record("not answered"); return }
        #expect(try trailingReply.encodedFrame() == cassV2Frame("resp-Error-decode-trailing").bytes)
        let unknown = try #require(cassV2DecoderVectors.first { $0.name == "reject-unknown-envelope-field" }).body
        guard case .reply(let unknownReply) = CassV2RequestTriage(frameBody: unknown) else { Issue.record("not answered"); return }
        #expect(try unknownReply.encodedFrame() == cassV2Frame("resp-Error-decode-structure").bytes)
        // A response frame sent as a request is a structural error, not a dispatch.
        guard case .reply(let misdirected) = CassV2RequestTriage(frameBody: try cassV2Frame("resp-Health").body) else {
            Issue.record("not answered")
            return
        }
        #expect(misdirected.requestID == "error")
        // Empty and oversized frames close the connection without a reply.
        #expect(CassV2RequestTriage(frameBody: []) == .closeWithoutReply(CassV2DecodingError(.emptyOrOversizedFrame, .truncated(needed: 1, at: 0))))
        guard case .closeWithoutReply(let error) = CassV2RequestTriage(frameBody: [UInt8](repeating: 0, count: 10_485_761)) else {
            Issue.record("an oversized frame was not closed")
            return
        }
        #expect(error.detail == .frameTooLarge(length: 10_485_761, limit: 10_485_760))
    }
}
