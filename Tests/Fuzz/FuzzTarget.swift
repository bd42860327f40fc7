// The libFuzzer entry point for SemanticWire's decoders, both dialects: the frame decoder, cass's
// envelope and messages, xf's envelope, its nested payload and messages, and the dialect detector.
// `make fuzz` (target `wire`) compiles it together with Sources/SemanticWire into one module (hence
// no import) with -sanitize=fuzzer,address.
// Any trap, sanitizer report or broken invariant below is a bug; every input that ever finds one
// becomes a case in Tests/SemanticWireTests/FuzzRegressionTests.swift. It must never swallow a
// broken invariant: those end the run with fatalError so libFuzzer saves the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func wireFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input: [UInt8] = if let data, size > 0 { Array(UnsafeBufferPointer(start: data, count: size)) } else { [] }
    checkFraming(input)
    checkBody(input)
    return 0
}

/// The input as a stream: whole, and in chunks whose sizes the input itself picks, must split into
/// the same frames and fail the same way; every body is then decoded as a message.
private func checkFraming(_ input: [UInt8]) {
    let limit = 4096  // small, so the limit path is reachable with short inputs
    var whole = FrameDecoder(maximumBodyLength: limit)
    whole.append(input)
    let (wholeFrames, wholeError) = drain(&whole)

    var chunked = FrameDecoder(maximumBodyLength: limit)
    var chunkedFrames: [[UInt8]] = []
    var chunkedError: WireError?
    var position = 0
    var chunkIndex = 0
    while position < input.count && chunkedError == nil {
        let size = min(input.count - position, 1 + Int(input[chunkIndex % input.count] % 17))
        chunked.append(input[position ..< position + size])
        position += size
        chunkIndex += 1
        let (frames, error) = drain(&chunked)
        chunkedFrames += frames
        chunkedError = error
    }
    if chunkedError == nil { (_, chunkedError) = drain(&chunked) }
    guard wholeFrames == chunkedFrames, wholeError == chunkedError else {
        fatalError("FrameDecoder: chunking changed the result: \(wholeFrames.count) vs \(chunkedFrames.count) frames, "
                   + "\(String(describing: wholeError)) vs \(String(describing: chunkedError))")
    }
    for body in wholeFrames { checkBody(body) }
}

private func drain(_ decoder: inout FrameDecoder) -> ([[UInt8]], WireError?) {
    var frames: [[UInt8]] = []
    do {
        while let body = try decoder.nextFrame() { frames.append(body) }
        return (frames, nil)
    } catch let error as WireError {
        return (frames, error)
    } catch {
        fatalError("FrameDecoder threw a non-WireError: \(error)")
    }
}

/// The input as a frame body: each decoder either throws a WireError or gives a value whose
/// canonical encoding decodes and re-encodes to the same bytes.
private func checkBody(_ body: [UInt8]) {
    checkCanonicalFixpoint(body, RequestEnvelope.self)
    checkCanonicalFixpoint(body, ResponseEnvelope.self)
    checkCanonicalFixpoint(body, Request.self)
    checkCanonicalFixpoint(body, Response.self)
    checkCanonicalFixpoint(body, XFEnvelope.self)
    checkCanonicalFixpoint(body, XFRequest.self)
    checkCanonicalFixpoint(body, XFResponse.self)
    checkXFPayload(body)
    _ = WireDialect.detect(frameBody: body)
    do {
        let value = try MessagePackValue(decoding: body, options: .tolerant)
        let canonical = try value.encoded()
        let again = try MessagePackValue(decoding: canonical)
        guard again == value, try again.encoded() == canonical else {
            fatalError("MessagePackValue: canonical form does not round-trip")
        }
    } catch is WireError {
        // Rejected with a defined error: fine.
    } catch {
        fatalError("MessagePackValue threw a non-WireError: \(error)")
    }
}

/// An xf envelope's payload is a message encoded separately: whatever it holds, decoding it as a
/// request or a response gives a value or a WireError, and a decoded value survives the round trip
/// through a new envelope.
private func checkXFPayload(_ body: [UInt8]) {
    guard let envelope = try? XFEnvelope.decode(from: body, options: .tolerant) else { return }
    checkCanonicalFixpoint(envelope.payload, XFRequest.self)
    checkCanonicalFixpoint(envelope.payload, XFResponse.self)
    do {
        let request = try envelope.request(options: .tolerant)
        let again = try XFEnvelope.decode(from: try XFEnvelope(id: envelope.id, request: request).encodedBody()).request()
        guard again == request else { fatalError("XFEnvelope: a request does not survive re-enveloping") }
    } catch is WireError {
    } catch {
        fatalError("XFEnvelope.request threw a non-WireError: \(error)")
    }
    do {
        let response = try envelope.response(options: .tolerant)
        let reencoded = try XFEnvelope(id: envelope.id, response: response).encodedBody()
        let again = try XFEnvelope.decode(from: reencoded).response()
        guard try XFEnvelope(id: envelope.id, response: again).encodedBody() == reencoded else {
            fatalError("XFEnvelope: a response does not survive re-enveloping")
        }
    } catch is WireError {
    } catch {
        fatalError("XFEnvelope.response threw a non-WireError: \(error)")
    }
}

private func checkCanonicalFixpoint<Message: MessagePackCodable>(_ body: [UInt8], _: Message.Type) {
    let strict: Message?
    do {
        strict = try Message(messagePack: body)
    } catch is WireError {
        strict = nil
    } catch {
        fatalError("\(Message.self) threw a non-WireError: \(error)")
    }
    do {
        let tolerant = try Message(messagePack: body, options: .tolerant)
        let canonical = try tolerant.messagePackBytes()
        let again = try Message(messagePack: canonical)
        guard try again.messagePackBytes() == canonical else {
            fatalError("\(Message.self): canonical form is not a fixpoint")
        }
        if let strict, try strict.messagePackBytes() != canonical {
            fatalError("\(Message.self): strict and tolerant decoding disagree")
        }
    } catch is WireError {
        if strict != nil { fatalError("\(Message.self): strict decoding accepted what tolerant decoding rejected") }
    } catch {
        fatalError("\(Message.self) threw a non-WireError: \(error)")
    }
}
