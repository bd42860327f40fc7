// Every input the fuzzer (`make fuzz`, Tests/Fuzz/FuzzTarget.swift) ever found a problem with, kept
// as a test with the invariant it broke. Add new ones at the end with the date and what was wrong.
import SemanticTestSupport
import SemanticWire
import Testing

/// The frames and the error a FrameDecoder gives for `input` fed as `chunks` (sizes, repeated).
private func split(_ input: [UInt8], chunks: [Int], limit: Int) -> ([[UInt8]], WireError?) {
    var decoder = FrameDecoder(maximumBodyLength: limit)
    var frames: [[UInt8]] = []
    var position = 0
    var index = 0
    func drain() -> WireError? {
        do {
            while let body = try decoder.nextFrame() { frames.append(body) }
            return nil
        } catch {
            return error as? WireError
        }
    }
    while position < input.count {
        let size = min(input.count - position, chunks[index % chunks.count])
        decoder.append(input[position ..< position + size])
        position += size
        index += 1
        if let error = drain() { return (frames, error) }
    }
    return (frames, drain())
}

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// 2026-11-29: a whole frame followed by an oversized prefix in the same chunk lost the whole
    /// frame (the decoder dropped its buffer), while the same bytes in small chunks delivered it.
    @Test func aCompleteFrameBeforeAnOversizedPrefixIsDeliveredWhateverTheChunking() throws {
        let input = try #require(WireFrames.bytes(fromHex: """
            0000004d930102dbf72ecc81ccaa456d62656464696e6773cc91cc92cc93ccca3dcccccccccccdccca3e4ccccccccdccca3ecc99\
            dfffffffff93ccca3ecccc3433a853687574646f776e332cccca3f000000ccca3f19cc99cc9a
            """))
        let whole = split(input, chunks: [input.count], limit: 4096)
        let byteByByte = split(input, chunks: [1], limit: 4096)
        #expect(whole.0 == byteByByte.0)
        #expect(whole.1 == byteByByte.1)
        #expect(whole.0.count == 1)
        #expect(whole.1 == .frameTooLarge(length: 13_421_119, limit: 4096))

        let twoFrames = goldenFrames[0].bytes + [0x00, 0x00, 0x10, 0x01] + [UInt8](repeating: 0, count: 10)
        for chunks in [[twoFrames.count], [1], [3, 5], [19, 1]] {
            let (frames, error) = split(twoFrames, chunks: chunks, limit: 4096)
            #expect(frames == [goldenFrames[0].body], "chunks \(chunks)")
            #expect(error == .frameTooLarge(length: 4097, limit: 4096), "chunks \(chunks)")
        }
    }
}
