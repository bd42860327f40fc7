// The encode cost of the daemon's hot path: one Embed response of 256 vectors × 384 floats (MiniLM),
// as a whole frame. Prints the median over 200 runs; asserts nothing about time. For the real figure
// run it in release: `swift test -c release --scratch-path .build-wire --filter EncodeBenchmark`.
import Foundation
import SemanticWire
import Testing

@Suite("Encode benchmark")
struct EncodeBenchmarkTests {
    #if DEBUG
    static let iterations = 5  // debug code is tens of times slower; the figure is only meaningful in release
    #else
    static let iterations = 200
    #endif

    @Test func embedResponse256x384() throws {
        var random = SplitMix64(seed: 7)
        let embeddings = (0..<256).map { _ in
            (0..<384).map { _ in Float(Int64(truncatingIfNeeded: random.next() >> 40)) / Float(1 << 24) - 0.5 }
        }
        let envelope = ResponseEnvelope(requestID: "cass-42", response: .embed(EmbedResponse(
            embeddings: embeddings, model: "minilm-384", elapsedMilliseconds: 12)))
        var encodeTimes: [Double] = []
        var decodeTimes: [Double] = []
        var size = 0
        for _ in 0..<Self.iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            let frame = try envelope.encodedFrame()
            let middle = DispatchTime.now().uptimeNanoseconds
            let decoded = try ResponseEnvelope.decode(from: frame[4...])
            let end = DispatchTime.now().uptimeNanoseconds
            size = frame.count
            encodeTimes.append(Double(middle - start) / 1000)
            decodeTimes.append(Double(end - middle) / 1000)
            #expect(decoded.requestID == "cass-42")
        }
        // prefix, [1, "cass-42", {"Embed": [[256 × (dc 01 80 + 384 float32)], "minilm-384", 12]}]
        #expect(size == 4 + 10 + 7 + 1 + 3 + 256 * 1923 + 11 + 1)
        let encodeMedian = encodeTimes.sorted()[encodeTimes.count / 2]
        let decodeMedian = decodeTimes.sorted()[decodeTimes.count / 2]
        print("benchmark: Embed response 256x384 (\(size) bytes): encode median \(String(format: "%.1f", encodeMedian)) µs, "
              + "decode median \(String(format: "%.1f", decodeMedian)) µs over \(Self.iterations) runs")
    }
}
