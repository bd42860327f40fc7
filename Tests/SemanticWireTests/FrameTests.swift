// Framing without a socket: the golden frames fed to a FrameDecoder all at once, byte by byte and in
// random chunks; the 10 MiB limit (inclusive) checked from the prefix alone; zero-length frames;
// and the prefix inspection a NIO decoder or a blocking client builds on.
import SemanticTestSupport
import SemanticWire
import Testing

@Suite("Frames")
struct FrameTests {
    private var stream: [UInt8] { goldenFrames.flatMap(\.bytes) }

    private func drain(_ decoder: inout FrameDecoder) throws -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        while let body = try decoder.nextFrame() { bodies.append(body) }
        return bodies
    }

    @Test func allFramesAtOnce() throws {
        var decoder = FrameDecoder()
        decoder.append(stream)
        #expect(try drain(&decoder) == goldenFrames.map(\.body))
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func allFramesByteByByte() throws {
        var decoder = FrameDecoder()
        var bodies: [[UInt8]] = []
        for byte in stream {
            decoder.append(CollectionOfOne(byte))
            bodies += try drain(&decoder)
        }
        #expect(bodies == goldenFrames.map(\.body))
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1000])
    func allFramesInRandomChunks(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let bytes = stream
        var decoder = FrameDecoder()
        var bodies: [[UInt8]] = []
        var position = 0
        while position < bytes.count {
            let size = min(bytes.count - position, Int(random.next() % 50))
            decoder.append(bytes[position ..< position + size])
            position += size
            bodies += try drain(&decoder)
        }
        #expect(bodies == goldenFrames.map(\.body))
        // Each body decodes as what its kind says.
        for (frame, body) in zip(goldenFrames, bodies) where frame.kind == "request" {
            _ = try RequestEnvelope.decode(from: body)
        }
    }

    @Test func aZeroLengthFrameIsAnEmptyBodyThatFailsToDecode() throws {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 0] + goldenFrames[0].bytes)
        #expect(try decoder.nextFrame() == [])
        #expect(try decoder.nextFrame() == goldenFrames[0].body)
        #expect(throws: WireError.truncated(needed: 1, at: 0)) { try RequestEnvelope.decode(from: []) }
    }

    @Test func theLimitIsInclusiveAndCheckedFromThePrefixAlone() throws {
        #expect(try Frame.bodyLength(header: [0x00, 0xa0, 0x00, 0x00]) == 10_485_760)
        #expect(throws: WireError.frameTooLarge(length: 10_485_761, limit: 10_485_760)) {
            try Frame.bodyLength(header: [0x00, 0xa0, 0x00, 0x01])
        }
        #expect(try Frame.inspect([0x00, 0xa0, 0x00, 0x00, 0x01]) == .needsMoreBytes(10_485_759))
        #expect(throws: WireError.frameTooLarge(length: 4_294_967_295, limit: 10_485_760)) {
            try Frame.inspect([0xff, 0xff, 0xff, 0xff])
        }
        #expect(try Frame.inspect([0x00, 0x00]) == .needsMoreBytes(2))
        #expect(try Frame.inspect([0, 0, 0, 2, 0xc0, 0xc0, 0x99]) == .complete(bodyLength: 2))
        #expect(try Frame.bodyLength(announced: 16, limit: 16) == 16)
        #expect(throws: WireError.frameTooLarge(length: 17, limit: 16)) { try Frame.bodyLength(announced: 17, limit: 16) }
    }

    @Test func aFrameOfExactlyTheLimitPasses() throws {
        var decoder = FrameDecoder(maximumBodyLength: 1000)
        let body = [UInt8](repeating: 0xc0, count: 1000)
        decoder.append(try Frame.encode(body: body, limit: 1000))
        #expect(try decoder.nextFrame() == body)
    }

    @Test func anOversizedPrefixStopsBufferingAndPoisonsTheStreamAfterTheFramesBeforeIt() throws {
        var decoder = FrameDecoder(maximumBodyLength: 100)
        decoder.append(goldenFrames[0].bytes)
        decoder.append([0x00, 0x00, 0x00])
        decoder.append([0x65, 0x93, 0x01])  // completes a prefix of 101
        #expect(decoder.hasFailed)
        #expect(decoder.bufferedByteCount == goldenFrames[0].bytes.count)
        decoder.append([UInt8](repeating: 0, count: 500))
        #expect(decoder.bufferedByteCount == goldenFrames[0].bytes.count)
        #expect(try decoder.nextFrame() == goldenFrames[0].body)
        #expect(decoder.bufferedByteCount == 0)
        #expect(throws: WireError.frameTooLarge(length: 101, limit: 100)) { try decoder.nextFrame() }
        #expect(throws: WireError.frameTooLarge(length: 101, limit: 100)) { try decoder.nextFrame() }
    }

    @Test func aHostileFourGigabytePrefixAllocatesNothing() throws {
        var decoder = FrameDecoder()
        decoder.append([0xff, 0xff, 0xff, 0xff, 0x93])
        #expect(decoder.bufferedByteCount == 0)
        #expect(throws: WireError.frameTooLarge(length: 4_294_967_295, limit: Frame.maximumBodyLength)) {
            try decoder.nextFrame()
        }
    }

    @Test func encodingRefusesBodiesOverTheLimit() throws {
        #expect(throws: WireError.frameTooLarge(length: 11, limit: 10)) {
            try Frame.encode(body: [UInt8](repeating: 0, count: 11), limit: 10)
        }
        let envelope = ResponseEnvelope(requestID: "big", response: .embed(EmbedResponse(
            embeddings: Array(repeating: Array(repeating: 0.5, count: 384), count: 5500), model: "m", elapsedMilliseconds: 0)))
        #expect(throws: WireError.frameTooLarge(length: 10_576_520, limit: Frame.maximumBodyLength)) {
            try envelope.encodedFrame()
        }
        #expect(try envelope.encodedFrame(limit: 11_000_000).count == 4 + 10_576_520)
    }

    @Test func aFrameHeaderIsFourBigEndianBytes() throws {
        #expect(try Frame.header(bodyLength: 0x0102_0304, limit: .max) == [1, 2, 3, 4])
        #expect(try Frame.encode(body: [0xc0]) == [0, 0, 0, 1, 0xc0])
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce from their seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
