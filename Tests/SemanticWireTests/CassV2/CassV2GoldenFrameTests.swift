// Every frame of v2-frames.json, as the real Rust encoder wrote it: decoding gives the recorded
// value and encoding that value gives the same bytes; the spec's §9.1 frames built from values typed
// in from the spec; and every decoder vector accepted or rejected with the error the file states.
import SemanticTestSupport
import SemanticWire
import Testing

@Suite("cass v2 golden frames")
struct CassV2GoldenFrameTests {
    @Test func theGoldenFileLoadsAndCoversEveryVariant() throws {
        #expect(cassV2Section91Frames.count == 10)
        #expect(cassV2Frames.count == 47)
        #expect(cassV2DecoderVectors.count == 8)
        let requests = try cassV2Frames.filter { $0.kind == "request" }.map { try CassV2RequestEnvelope.decode(frameBody: $0.body) }
        let responses = try cassV2Frames.filter { $0.kind == "response" }.map { try CassV2ResponseEnvelope.decode(frameBody: $0.body) }
        #expect(Set(try requests.map { try $0.request.rowKind() }) == Set(CassV2Request.Kind.allCases))
        #expect(Set(try responses.map { try $0.response.rowKind() }) == Set(CassV2Response.Kind.allCases))
    }

    @Test(arguments: cassV2Section91Frames + cassV2Frames)
    func decodesToItsValueAndEncodesToItsBytes(frame: WireFrame) throws {
        let body = frame.body
        #expect(try CassV2.frameBodyLength(header: frame.bytes.prefix(4)) == body.count)
        switch frame.kind {
        case "request":
            let envelope = try CassV2RequestEnvelope.decode(frameBody: body)
            #expect(envelope.json == frame.value, "decoded \(envelope.json)")
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(frame.bytes))
            #expect(try envelope.encodedBody() == body)
        case "response":
            let envelope = try CassV2ResponseEnvelope.decode(frameBody: body)
            #expect(envelope.json == frame.value, "decoded \(envelope.json)")
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(frame.bytes))
            #expect(try envelope.encodedBody() == body)
        default:
            Issue.record("unknown frame kind \(frame.kind)")
        }
    }

    @Test(arguments: cassV2Section91Frames + cassV2Frames)
    func theGenericCodecRewritesItByteForByte(frame: WireFrame) throws {
        #expect(try MessagePackValue(decoding: frame.body).encoded() == frame.body)
    }

    /// §9.1's frames from values typed in from the spec (§5.8, §9), not decoded from the goldens.
    @Test func theSpecsWorkedExampleFramesAreByteExact() throws {
        let requests: [(String, CassV2RequestEnvelope)] = [
            ("request ConnectionIdentity cass-0", CassV2RequestEnvelope(requestID: "cass-0", request: .connectionIdentity)),
            ("request HandshakeAttested cass-1", CassV2RequestEnvelope(
                requestID: "cass-1", request: .handshakeAttested(challenge: WorkedExample.handshakeChallenge))),
            ("request EmbedAttested cass-3", CassV2RequestEnvelope(requestID: "cass-3", request: .embedAttested(
                texts: ["hello world"], model: "default", dims: nil, challenge: WorkedExample.embedChallenge))),
            ("request RerankAttested cass-4", CassV2RequestEnvelope(requestID: "cass-4", request: .rerankAttested(
                query: "q", documents: ["doc a", "doc b"], model: "default", challenge: WorkedExample.rerankChallenge))),
        ]
        let responses: [(String, CassV2ResponseEnvelope)] = [
            ("response Health cass-2", CassV2ResponseEnvelope(
                requestID: "cass-2", response: .health(.cassV2(uptimeSeconds: 5, ready: true, memoryBytes: 0)))),
            ("response Error(VersionMismatch) cass-9", .replyingToVersionMismatch(requestID: "cass-9", receivedVersion: 1)),
            ("response ConnectionIdentity cass-0", CassV2ResponseEnvelope(
                requestID: "cass-0", response: .connectionIdentity(WorkedExample.connection))),
            ("response Attestation(handshake) cass-1", CassV2ResponseEnvelope(
                requestID: "cass-1", response: .attestation(WorkedExample.handshakeProof))),
            ("response AttestedEmbedding(embed) cass-3", CassV2ResponseEnvelope(
                requestID: "cass-3", response: .attestedEmbedding(WorkedExample.embedProof))),
            ("response AttestedEmbedding(rerank) cass-4", CassV2ResponseEnvelope(
                requestID: "cass-4", response: .attestedEmbedding(WorkedExample.rerankProof))),
        ]
        for (name, envelope) in requests {
            let frame = try cassV2Frame(name)
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(frame.bytes), "\(name)")
            #expect(try CassV2RequestEnvelope.decode(frameBody: frame.body) == envelope, "\(name)")
        }
        for (name, envelope) in responses {
            let frame = try cassV2Frame(name)
            #expect(WireFrames.hex(try envelope.encodedFrame()) == WireFrames.hex(frame.bytes), "\(name)")
            #expect(try CassV2ResponseEnvelope.decode(frameBody: frame.body) == envelope, "\(name)")
        }
        #expect(cassV2Section91Frames.count == requests.count + responses.count)
        // The spec prints the small frames in full.
        #expect(WireFrames.hex(try requests[0].1.encodedFrame())
            == "0000001c9302a6636173732d30b2436f6e6e656374696f6e4964656e74697479")
        #expect(WireFrames.hex(try responses[0].1.encodedFrame()) == "000000169302a6636173732d3281a64865616c7468940502c300")
    }

    /// The §2.2 replies the goldens hold: a decode failure answered under request id "error".
    @Test func theDecodeFailureRepliesAreByteExact() throws {
        let trailing = CassV2ResponseEnvelope.replyingToUndecodableRequest(
            CassV2DecodingError(.trailingData, .trailingBytes(count: 1)))
        #expect(try trailing.encodedFrame() == cassV2Frame("resp-Error-decode-trailing").bytes)
        let structure = CassV2ResponseEnvelope.replyingToUndecodableRequest(
            CassV2DecodingError(.invalidStructure, .missingField(field: "payload")))
        #expect(try structure.encodedFrame() == cassV2Frame("resp-Error-decode-structure").bytes)
    }

    @Test(arguments: cassV2DecoderVectors)
    func everyDecoderVectorIsAcceptedOrRejectedAsStated(vector: CassV2DecoderVector) throws {
        #expect(try CassV2.frameBodyLength(header: vector.bytes.prefix(4)) == vector.body.count)
        if let reference = vector.sameValueAs {
            let frame = try cassV2Frame(reference)
            switch frame.kind {
            case "request":
                #expect(try CassV2RequestEnvelope.decode(frameBody: vector.body) == CassV2RequestEnvelope.decode(frameBody: frame.body))
            default:
                #expect(try CassV2ResponseEnvelope.decode(frameBody: vector.body) == CassV2ResponseEnvelope.decode(frameBody: frame.body))
            }
            return
        }
        let text = try #require(vector.rejectionText, "\(vector.name): \(vector.expectation)")
        let error = #expect(throws: CassV2DecodingError.self) {
            // The request decoder for request frames, the response decoder for response frames; the
            // file's rejected frames are one or the other by the variant they carry.
            if vector.name.contains("space") {
                _ = try CassV2ResponseEnvelope.decode(frameBody: vector.body)
            } else {
                _ = try CassV2RequestEnvelope.decode(frameBody: vector.body)
            }
        }
        #expect(error?.reason.rawValue == text)
        #expect(error?.description == "decode error: " + text)
    }

    @Test func theDecoderVectorsRejectForTheRightReason() throws {
        func detail(_ name: String, request: Bool) throws -> WireError? {
            let body = try #require(cassV2DecoderVectors.first { $0.name == name }).body
            do {
                if request { _ = try CassV2RequestEnvelope.decode(frameBody: body) } else { _ = try CassV2ResponseEnvelope.decode(frameBody: body) }
                return nil
            } catch {
                return error.detail
            }
        }
        #expect(try detail("reject-space-16-elements", request: false) == .wrongArrayLength(
            field: "payload.ConnectionIdentity.embedding_identity.space", type: "EmbeddingSpaceIdentityV1", expected: 19, found: 16))
        #expect(try detail("reject-space-20-elements", request: false) == .wrongArrayLength(
            field: "payload.ConnectionIdentity.embedding_identity.space", type: "EmbeddingSpaceIdentityV1", expected: 19, found: 20))
        #expect(try detail("reject-unknown-envelope-field", request: true) == .unknownField(
            field: "", type: "FramedMessage", name: "\"payload_extra\""))
        #expect(try detail("reject-trailing-byte", request: true) == .trailingBytes(count: 1))
        // The 72-deep frame: as a generic value it exceeds the depth limit; 60 levels do not.
        let deep = try #require(cassV2DecoderVectors.first { $0.name == "reject-depth-72" }).body
        #expect(throws: WireError.depthExceeded(limit: 64, at: 68)) { try MessagePackValue(decoding: deep) }
        let sixty = [UInt8](repeating: 0x91, count: 59) + [0xc0]
        #expect(try MessagePackValue(decoding: sixty, options: CassV2.decodingOptions) != .nil)
    }
}
