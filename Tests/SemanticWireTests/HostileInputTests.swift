// Hostile input: each kind of bad frame body gives its own defined WireError, without trapping and
// without allocating for counts the bytes cannot back. Truncation is tried at every cut of every
// golden frame; counts, depth, UTF-8, types and trailing bytes each get a targeted case.
import SemanticTestSupport
import SemanticWire
import Testing

private func decodeEither(_ body: [UInt8], kind: String, options: WireDecodingOptions = .strict) throws {
    if kind == "request" {
        _ = try RequestEnvelope.decode(from: body, options: options)
    } else {
        _ = try ResponseEnvelope.decode(from: body, options: options)
    }
}

private func isTruncation(_ error: any Error) -> Bool {
    if case WireError.truncated = error { return true }
    return false
}

@Suite("Hostile input")
struct HostileInputTests {
    @Test(arguments: goldenFrames)
    func everyTruncationIsATruncatedError(frame: WireFrame) {
        let body = frame.body
        for cut in 0 ..< body.count {
            let prefix = Array(body[..<cut])
            let error = #expect(throws: WireError.self, "cut at \(cut)") { try decodeEither(prefix, kind: frame.kind) }
            #expect(error.map(isTruncation) == true, "cut at \(cut): \(String(describing: error))")
        }
    }

    @Test(arguments: goldenFrames)
    func trailingGarbageIsRejectedByDefaultAndIgnoredWhenTolerant(frame: WireFrame) throws {
        let body = frame.body + [0xc0, 0xff, 0x00]
        #expect(throws: WireError.trailingBytes(count: 3)) { try decodeEither(body, kind: frame.kind) }
        try decodeEither(body, kind: frame.kind, options: .tolerant)
    }

    /// An array whose bytes do back its count can still cost far more decoded than on the wire (an empty
    /// string is one byte there and a 16-byte String here): past 1,048,576 elements it is refused before
    /// anything is reserved, with the field named.
    @Test func anArrayOfMoreElementsThanTheLimitIsRefusedBeforeDecoding() throws {
        func embed(_ count: Int) -> [UInt8] {
            [0x93, 0x01, 0xa1, 0x78, 0x81, 0xa5] + Array("Embed".utf8)
                + [0x93, 0xdd] + withUnsafeBytes(of: UInt32(count).bigEndian, Array.init)
                + [UInt8](repeating: 0xa0, count: count) + [0xa0, 0xc0]
        }
        let limit = MessagePackReader.defaultMaximumArrayLength
        #expect(limit == 1_048_576 && WireDecodingOptions.strict.maximumArrayLength == limit)
        #expect(throws: WireError.tooManyElements(field: "payload.Embed.texts", count: limit + 1, limit: limit)) {
            try RequestEnvelope.decode(from: embed(limit + 1))
        }
        let error = #expect(throws: WireError.self) { try RequestEnvelope.decode(from: embed(limit + 1)) }
        #expect(error?.description == "payload.Embed.texts: 1048577 elements, more than the 1048576 one array or map may hold")

        let small = WireDecodingOptions(maximumArrayLength: 3)
        let three = try RequestEnvelope.decode(from: embed(3), options: small)
        #expect(three.payload == .embed(texts: ["", "", ""], model: "", dims: nil))
        #expect(throws: WireError.tooManyElements(field: "payload.Embed.texts", count: 4, limit: 3)) {
            try RequestEnvelope.decode(from: embed(4), options: small)
        }
        // vectors, generic arrays and maps obey the same limit
        let response = ResponseEnvelope(requestID: "r", response: .embed(EmbedResponse(
            embeddings: [[1, 2, 3, 4]], model: "m", elapsedMilliseconds: 0)))
        #expect(throws: WireError.tooManyElements(field: "payload.Embed.embeddings[0]", count: 4, limit: 3)) {
            try ResponseEnvelope.decode(from: try response.encodedBody(), options: small)
        }
        #expect(throws: WireError.tooManyElements(field: "", count: 4, limit: 3)) {
            try MessagePackValue(decoding: [0x94, 0xc0, 0xc0, 0xc0, 0xc0], options: small)
        }
        #expect(throws: WireError.tooManyElements(field: "", count: 4, limit: 3)) {
            try MessagePackValue(decoding: [0x84] + [UInt8](repeating: 0xc0, count: 8), options: small)
        }
    }

    @Test func aHugeArrayCountWithATinyBodyIsTruncatedNotAllocated() {
        // array32 announcing 4 294 967 295 elements, followed by one byte.
        let hostileTexts: [UInt8] = [0x93, 0x01, 0xa1, 0x78, 0x81, 0xa5] + Array("Embed".utf8)
            + [0x93, 0xdd, 0xff, 0xff, 0xff, 0xff, 0xa0]
        #expect(throws: WireError.truncated(needed: 4_294_967_294, at: 17)) {
            try RequestEnvelope.decode(from: hostileTexts)
        }
        #expect(throws: WireError.truncated(needed: 8_589_934_588, at: 5)) {
            try MessagePackValue(decoding: [0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0])
        }
        #expect(throws: WireError.truncated(needed: 65_534, at: 3)) {
            try MessagePackValue(decoding: [0xdc, 0xff, 0xff, 0xc0])
        }
        #expect(throws: WireError.truncated(needed: 4_294_967_295, at: 5)) {
            try MessagePackValue(decoding: [0xdb, 0xff, 0xff, 0xff, 0xff])
        }
        #expect(throws: WireError.truncated(needed: 65_535, at: 3)) {
            try MessagePackValue(decoding: [0xc5, 0xff, 0xff])
        }
    }

    @Test func nestingIsBoundedAtSixtyFourLevels() throws {
        let sixtyFour = [UInt8](repeating: 0x91, count: 63) + [0x90]
        #expect(try MessagePackValue(decoding: sixtyFour) != .nil)
        let sixtyFive = [UInt8](repeating: 0x91, count: 64) + [0x90]
        #expect(throws: WireError.depthExceeded(limit: 64, at: 65)) { try MessagePackValue(decoding: sixtyFive) }
        // In an ignored field of a protocol message, too: skipping is depth-bounded.
        let deepUnknown: [UInt8] = [0x83, 0xa7] + Array("version".utf8) + [0x01, 0xa1, 0x78]
            + [UInt8](repeating: 0x91, count: 100_000) + [0xc0] + [0xa7] + Array("payload".utf8) + [0xa6] + Array("Health".utf8)
        #expect(throws: WireError.depthExceeded(limit: 64, at: 76)) { try RequestEnvelope.decode(from: deepUnknown) }
        // A typed payload cannot nest at all: the shape is wrong at the second level.
        let deepPayload: [UInt8] = [0x93, 0x01, 0xa0] + [UInt8](repeating: 0x81, count: 200)
        #expect(throws: WireError.unexpectedType(field: "payload", expected: "a Request variant name or index", found: "map of 1")) {
            try RequestEnvelope.decode(from: deepPayload)
        }
    }

    @Test func invalidUTF8NamesTheField() {
        let body: [UInt8] = [0x93, 0x01, 0xa1, 0x78, 0x81, 0xa5] + Array("Embed".utf8)
            + [0x93, 0x92, 0xa1, 0x61, 0xa2, 0xc3, 0x28, 0xa1, 0x6d, 0xc0]
        #expect(throws: WireError.invalidUTF8(field: "payload.Embed.texts[1]")) { try RequestEnvelope.decode(from: body) }
        let badID: [UInt8] = [0x93, 0x01, 0xa1, 0xff, 0xa6] + Array("Health".utf8)
        #expect(throws: WireError.invalidUTF8(field: "request_id")) { try RequestEnvelope.decode(from: badID) }
        // Overlong encodings and surrogates are invalid too.
        #expect(throws: WireError.invalidUTF8(field: "")) { try MessagePackValue(decoding: [0xa2, 0xc0, 0xaf]) }
        #expect(throws: WireError.invalidUTF8(field: "")) { try MessagePackValue(decoding: [0xa3, 0xed, 0xa0, 0x80]) }
    }

    @Test func wrongTypesAreDefinedErrors() {
        #expect(throws: WireError.unexpectedType(field: "", expected: "FramedMessage as an array or a map", found: "string")) {
            try RequestEnvelope.decode(from: [0xa6] + Array("Health".utf8))
        }
        #expect(throws: WireError.unexpectedType(field: "version", expected: "a non-negative integer", found: "float32")) {
            try RequestEnvelope.decode(from: [0x93, 0xca, 0, 0, 0, 0, 0xa0, 0xa6] + Array("Health".utf8))
        }
        #expect(throws: WireError.unexpectedType(field: "payload", expected: "Response as a variant name or a one-entry map", found: "bool")) {
            try ResponseEnvelope.decode(from: [0x93, 0x01, 0xa0, 0xc3])
        }
        // A request frame is not a response, and the reverse.
        #expect(throws: WireError.unexpectedType(field: "payload.Embed.embeddings[0]", expected: "an array", found: "string")) {
            try ResponseEnvelope.decode(from: goldenFrames.first { $0.name == "req-embed" }!.body)
        }
        #expect(throws: WireError.unknownVariant(field: "payload", type: "Request", name: "\"JobSubmitted\"")) {
            try RequestEnvelope.decode(from: goldenFrames.first { $0.name == "resp-job-submitted" }!.body)
        }
    }

    @Test func extAndReservedMarkersAreRejectedInsideMessages() {
        let withExt: [UInt8] = [0x93, 0x01, 0xd4, 0x07, 0x00, 0xa6] + Array("Health".utf8)
        #expect(throws: WireError.extUnsupported(type: 7, at: 2)) { try RequestEnvelope.decode(from: withExt) }
        let withReserved: [UInt8] = [0x93, 0xc1, 0xa0, 0xa6] + Array("Health".utf8)
        #expect(throws: WireError.reservedMarker(at: 1)) { try RequestEnvelope.decode(from: withReserved) }
    }

    @Test func everySingleByteBodyGivesADefinedResult() {
        for byte in UInt8.min ... UInt8.max {
            _ = try? RequestEnvelope.decode(from: [byte])
            _ = try? ResponseEnvelope.decode(from: [byte])
            _ = try? MessagePackValue(decoding: [byte])
        }
    }

    @Test(arguments: [11, 12, 13])
    func randomBytesNeverTrap(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0 ..< 3000 {
            let length = Int(random.next() % 64)
            let body = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = try? RequestEnvelope.decode(from: body)
            _ = try? ResponseEnvelope.decode(from: body)
            _ = try? MessagePackValue(decoding: body)
        }
    }

    @Test(arguments: goldenFrames)
    func everySingleByteMutationOfAGoldenIsDefined(frame: WireFrame) {
        // Flip each byte of the body to a few interesting values: whatever results, no trap.
        let body = frame.body
        for index in body.indices {
            for replacement: UInt8 in [0x00, 0x7f, 0xc0, 0xc1, 0xd4, 0xdc, 0xdd, 0xdf, 0xff] {
                var mutated = body
                mutated[index] = replacement
                _ = try? decodeEither(mutated, kind: frame.kind)
                _ = try? MessagePackValue(decoding: mutated)
            }
        }
    }
}
