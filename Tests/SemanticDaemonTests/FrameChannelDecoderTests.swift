// The decoder the daemon's channels run (`FrameChannelDecoder`, a NIO ByteToMessageDecoder), driven
// through an EmbeddedChannel: every golden request fed whole, byte by byte and in random chunks gives
// the same bodies; several frames in one write come out in order; a prefix over 10 MiB is reported
// once, before its body is buffered, and nothing after it is decoded; a partial frame at EOF is
// dropped; an empty frame is an empty body.
import NIOCore
import NIOEmbedded
@testable import SemanticDaemon
import SemanticTestSupport
import SemanticWire
import Testing

private let goldenRequests: [WireFrame] = ((try? WireFrames.load("frames.json")) ?? []).filter { $0.kind == "request" }

private enum Decoded: Equatable {
    case body([UInt8])
    case tooLarge(Int)
}

/// Feeds `chunks` to a fresh channel running the decoder and returns what it handed on.
private func decode(_ chunks: [[UInt8]], close: Bool = false) throws -> [Decoded] {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameChannelDecoder()))
    var out: [Decoded] = []
    func drain() throws {
        while let frame = try channel.readInbound(as: InboundFrame.self) {
            switch frame {
            case .body(let buffer): out.append(.body(Array(buffer.readableBytesView)))
            case .tooLarge(let length): out.append(.tooLarge(length))
            }
        }
    }
    for chunk in chunks {
        try channel.writeInbound(channel.allocator.buffer(bytes: chunk))
        try drain()
    }
    if close { _ = try? channel.finish() } else { _ = try channel.finish(acceptAlreadyClosed: true) }
    try drain()
    return out
}

@Suite("FrameChannelDecoder")
struct FrameChannelDecoderTests {
    @Test func theGoldenRequestsLoad() {
        #expect(goldenRequests.count == 13)
    }

    @Test(arguments: goldenRequests)
    func aFrameGivesTheSameBodyWholeByteByByteAndInRandomChunks(frame: WireFrame) throws {
        let expected: [Decoded] = [.body(frame.body)]
        #expect(try decode([frame.bytes]) == expected)
        #expect(try decode(frame.bytes.map { [$0] }) == expected)
        var state = UInt64(frame.bytes.count) | 1
        var chunks: [[UInt8]] = []
        var index = 0
        while index < frame.bytes.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let size = Int(state >> 61) + 1
            chunks.append(Array(frame.bytes[index ..< min(index + size, frame.bytes.count)]))
            index += size
        }
        #expect(try decode(chunks) == expected)
        // the body decodes to the request the golden frame holds
        #expect(try RequestEnvelope.decode(from: frame.body).encodedFrame() == frame.bytes)
    }

    @Test func severalFramesInOneWriteComeOutInOrder() throws {
        let all = goldenRequests.flatMap(\.bytes)
        #expect(try decode([all]) == goldenRequests.map { .body($0.body) })
        // split in the middle of the third frame's prefix
        let cut = goldenRequests[0].bytes.count + goldenRequests[1].bytes.count + 2
        #expect(try decode([Array(all[..<cut]), Array(all[cut...])]) == goldenRequests.map { .body($0.body) })
    }

    @Test func anEmptyFrameIsAnEmptyBody() throws {
        #expect(try decode([[0, 0, 0, 0]]) == [.body([])])
    }

    @Test func aPrefixOverTheLimitIsReportedOnceAndNothingAfterItIsDecoded() throws {
        let health = goldenRequests[0].bytes
        let limit = Frame.maximumBodyLength
        let over = withUnsafeBytes(of: UInt32(limit + 1).bigEndian, Array.init)
        // the frames before it still come out; the bytes after it (a valid frame) are discarded
        #expect(try decode([health + over + [1, 2, 3], health, health]) == [.body(goldenRequests[0].body), .tooLarge(limit + 1)])
        #expect(try decode([[0xff, 0xff, 0xff, 0xff]]) == [.tooLarge(Int(UInt32.max))])
        // exactly 10 MiB is allowed: nothing is reported while its body is still arriving
        let atLimit = withUnsafeBytes(of: UInt32(limit).bigEndian, Array.init)
        #expect(try decode([atLimit, [UInt8](repeating: 0xc0, count: 1000)]).isEmpty)
    }

    @Test func aPartialFrameAtEndOfFileIsDropped() throws {
        let health = goldenRequests[0].bytes
        #expect(try decode([health, Array(health.dropLast())], close: true) == [.body(goldenRequests[0].body)])
        #expect(try decode([[0, 0]], close: true).isEmpty)
    }
}
