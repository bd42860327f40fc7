// The libFuzzer entry point for cass protocol v2's decoder: the strict envelope decoder (requests and
// responses), the triage a v2 daemon runs on each request frame, the contract structs on their own,
// and FrameDialect. `make fuzz` (target `cassv2`) compiles it together with Sources/SemanticWire into
// one module (hence no import) with -sanitize=fuzzer,address.
// Any trap, sanitizer report or broken invariant below is a bug; every input that ever finds one
// becomes a case in Tests/SemanticWireTests/FuzzRegressionTests.swift. It must never swallow a
// broken invariant: those end the run with fatalError so libFuzzer saves the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func cassV2FuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input: [UInt8] = if let data, size > 0 { Array(UnsafeBufferPointer(start: data, count: size)) } else { [] }
    checkStream(input)
    checkBody(input)
    return 0
}

/// The input as a stream of v2 frames: each 4-byte prefix either announces 1...10 MiB (the body is
/// checked as a frame) or ends the stream, as a v2 server closes the connection.
private func checkStream(_ input: [UInt8]) {
    var position = 0
    while input.count - position >= Frame.headerLength {
        let length: Int
        do {
            length = try CassV2.frameBodyLength(header: input[position ..< position + Frame.headerLength])
        } catch {
            guard error.reason == .emptyOrOversizedFrame else { fatalError("a 4-byte prefix gave \(error.reason)") }
            return
        }
        position += Frame.headerLength
        guard input.count - position >= length else { return }
        checkBody(Array(input[position ..< position + length]))
        position += length
    }
}

/// The input as a frame body: every decoder gives a value that survives its own encoding, or a
/// CassV2DecodingError / WireError; the triage and the dialect agree with the decoders.
private func checkBody(_ body: [UInt8]) {
    let request = checkEnvelope(body, CassV2Request.self)
    _ = checkEnvelope(body, CassV2Response.self)
    checkTriage(body, decoded: request)
    checkStructFixpoint(body, DaemonConnectionIdentityV1.self)
    checkStructFixpoint(body, DaemonEmbeddingAttestationV1.self)
    checkStructFixpoint(body, AttestedDaemonEmbeddingResponseV1.self)
    checkStructFixpoint(body, DaemonChallengeV1.self)
    checkStructFixpoint(body, EmbeddingSpaceIdentityV1.self)
    let dialect = FrameDialect.detect(frameBody: body)
    guard dialect?.wireDialect == WireDialect.detect(frameBody: body) else {
        fatalError("FrameDialect and WireDialect disagree: \(String(describing: dialect))")
    }
    // (A map keyed by field index decodes but names no dialect, as WireDialect reads only names.)
    if let request, request.version == 2, dialect != nil, dialect != .cassV2 {
        fatalError("a decoded version-2 envelope was detected as \(String(describing: dialect))")
    }
}

/// Strict v2 decoding: a value must encode to bytes that decode to an equal value and re-encode to
/// the same bytes; a failure must be one of the three reasons, and trailing data only when the bytes
/// before it decode.
private func checkEnvelope<Payload: MessagePackCodable & Sendable & Equatable>(
    _ body: [UInt8], _: Payload.Type
) -> CassV2Envelope<Payload>? {
    do {
        let envelope = try CassV2Envelope<Payload>.decode(frameBody: body)
        let canonical = try envelope.encodedBody()
        let again = try CassV2Envelope<Payload>.decode(frameBody: canonical)
        guard try again.encodedBody() == canonical else { fatalError("\(Payload.self): canonical form is not a fixpoint") }
        guard again == envelope || hasNaN(canonical) else { fatalError("\(Payload.self): a value changed through its encoding") }
        // v2 is stricter than v1's options, never looser: what it accepts, the lenient decoder reads alike.
        let lenient = try CassV2Envelope<Payload>(messagePack: body, options: .tolerant)
        guard try lenient.encodedBody() == canonical else { fatalError("\(Payload.self): strict and lenient decoding disagree") }
        return envelope
    } catch let error as CassV2DecodingError {
        if body.isEmpty || body.count > CassV2.maximumFrameBodyLength {
            guard error.reason == .emptyOrOversizedFrame else { fatalError("a frame of \(body.count) bytes gave \(error.reason)") }
        } else if error.reason == .emptyOrOversizedFrame {
            fatalError("a frame of \(body.count) bytes was called empty or oversized")
        }
        if error.reason == .trailingData {
            guard case .trailingBytes(let count) = error.detail, count > 0, count < body.count,
                  (try? CassV2Envelope<Payload>.decode(frameBody: Array(body.dropLast(count)))) != nil else {
                fatalError("\(Payload.self): trailing data reported, but the bytes before it do not decode")
            }
        }
        guard error.description == "decode error: " + error.reason.rawValue else { fatalError("an error text is not fixed") }
        return nil
    } catch {
        fatalError("\(Payload.self): an encoder threw \(error)")
    }
}

/// NaN payloads compare unequal to themselves; bytes decide for those.
private func hasNaN(_ canonical: [UInt8]) -> Bool {
    canonical.indices.dropLast(4).contains { index in
        canonical[index] == 0xca
            && Float(bitPattern: canonical[index + 1 ..< index + 5].reduce(0) { $0 << 8 | UInt32($1) }).isNaN
    }
}

/// The triage dispatches exactly the version-2 requests that decode, closes exactly on empty or
/// oversized frames, and otherwise answers with a fixed-text error.
private func checkTriage(_ body: [UInt8], decoded: CassV2RequestEnvelope?) {
    switch CassV2RequestTriage(frameBody: body) {
    case .dispatch(let envelope):
        guard envelope == decoded, envelope.version == 2 else {
            fatalError("the triage dispatched what the decoder did not give")
        }
    case .reply(let reply):
        guard case .error(let error) = reply.response, reply.version == 2 else { fatalError("the triage replied without an error") }
        if let decoded {
            guard decoded.version != 2, reply.requestID == decoded.requestID, error.code == .versionMismatch,
                  error.message == "protocol version mismatch: expected 2, got \(decoded.version)" else {
                fatalError("a decoded request was answered with \(error.message)")
            }
        } else {
            let texts = CassV2DecodingError.Reason.allCases.map { "decode error: decode error: " + $0.rawValue }
            guard reply.requestID == "error", error.code == .invalidInput, texts.contains(error.message) else {
                fatalError("an undecodable request was answered with \(error.message)")
            }
        }
        guard (try? reply.encodedFrame()) != nil else { fatalError("a triage reply does not encode") }
    case .closeWithoutReply(let error):
        guard error.reason == .emptyOrOversizedFrame, body.isEmpty || body.count > CassV2.maximumFrameBodyLength else {
            fatalError("the triage closed on a frame of \(body.count) bytes")
        }
    }
}

/// A contract struct on its own, under v2's options: a value survives its own encoding.
private func checkStructFixpoint<Value: MessagePackCodable & Equatable>(_ body: [UInt8], _: Value.Type) {
    do {
        let value = try Value(messagePack: body, options: CassV2.decodingOptions)
        let canonical = try value.messagePackBytes()
        let again = try Value(messagePack: canonical, options: CassV2.decodingOptions)
        guard try again.messagePackBytes() == canonical else { fatalError("\(Value.self): canonical form is not a fixpoint") }
    } catch is WireError {
        // Rejected with a defined error: fine.
    } catch {
        fatalError("\(Value.self) threw a non-WireError: \(error)")
    }
}
