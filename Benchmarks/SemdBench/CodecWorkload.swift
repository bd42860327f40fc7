// `semd-bench bench --workload MP`: the MessagePack codec on the daemon's hot path, without a socket. The
// biggest common answer is an Embed response of 256 MiniLM vectors (W3's batch): its whole frame is
// encoded, then split off a byte stream by `FrameDecoder` and decoded, as the daemon writes it and a
// client reads it. The matching Embed request (W3's 256 paragraphs) is timed the other way round, as
// the client writes it and the daemon reads it. Medians of many runs; nothing here touches the engine.
import Foundation
import SemanticWire

struct CodecWorkload {
    let inputs: BenchmarkInputs
    /// Timed runs per measurement (after two untimed ones): 40 × `semd-bench bench --runs`, 200 by default.
    let runs: Int

    func run() throws -> CodecResult {
        // Vectors shaped like the engine's: unit length, 384 components, values that need all 32 bits.
        var state: UInt64 = 0x5EED
        let embeddings: [[Float]] = (0..<256).map { _ in
            var vector = (0..<384).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for index in vector.indices { vector[index] /= norm }
            return vector
        }
        let response = ResponseEnvelope(requestID: "cass-1", response: .embed(EmbedResponse(
            embeddings: embeddings, model: "minilm-384", elapsedMilliseconds: 42)))
        let request = RequestEnvelope(requestID: "cass-1", request: .embed(
            texts: Array(inputs.w3Documents.prefix(256)), model: "minilm-384", dims: nil))

        let (responseBytes, responseEncode, responseDecode) = try measure(response, what: "Embed response") {
            try ResponseEnvelope.decode(from: try Self.split($0))
        }
        let (requestBytes, requestEncode, requestDecode) = try measure(request, what: "Embed request") {
            try RequestEnvelope.decode(from: try Self.split($0))
        }
        return CodecResult(embedResponseBytes: responseBytes, responseEncodeMicroseconds: responseEncode,
                           responseDecodeMicroseconds: responseDecode, embedRequestBytes: requestBytes,
                           requestEncodeMicroseconds: requestEncode, requestDecodeMicroseconds: requestDecode, runs: runs)
    }

    /// The frame's body, as the daemon and the client take it off a stream.
    private static func split(_ frame: [UInt8]) throws -> [UInt8] {
        var decoder = FrameDecoder()
        decoder.append(frame)
        guard let body = try decoder.nextFrame() else { throw BenchmarkFailure("the frame decoder found no whole frame") }
        return body
    }

    /// Frame size and the median encode and decode times in microseconds; every decoded value is
    /// checked against the original, outside the timed part.
    private func measure<Payload>(_ envelope: Envelope<Payload>, what: String,
                                  decode: ([UInt8]) throws -> Envelope<Payload>) throws -> (Int, Double, Double) {
        var encodeTimes: [Double] = []
        var decodeTimes: [Double] = []
        var size = 0
        for run in 0..<(runs + 2) {
            let start = DispatchTime.now().uptimeNanoseconds
            let frame = try envelope.encodedFrame()
            let middle = DispatchTime.now().uptimeNanoseconds
            let decoded = try decode(frame)
            let end = DispatchTime.now().uptimeNanoseconds
            guard decoded == envelope else { throw BenchmarkFailure("the \(what) did not survive a round trip") }
            size = frame.count
            guard run >= 2 else { continue }
            encodeTimes.append(Double(middle - start) / 1000)
            decodeTimes.append(Double(end - middle) / 1000)
        }
        return (size, Statistics.median(encodeTimes), Statistics.median(decodeTimes))
    }
}
