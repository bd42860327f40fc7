// HashStreamEmbedder: the made-up embedder of the reference server in v2-frames.json
// (`reference_server_identity`, backend `attestcheck-fake-sha256`), re-implemented from the rule its
// identity states, so the tests have vectors computed independently by the Rust side to check the
// payload and golden-vector digests against. Not a semantic model; test code only.
import Crypto

enum HashStreamEmbedder {
    static func embed(_ text: String) -> [Float] {
        var values = [Double](repeating: 0, count: 384)
        var block: [UInt8] = []
        for i in 0..<384 {
            if i % 8 == 0 {
                var preimage = Array("attestcheck.fake-embedding.v1".utf8)
                let utf8 = Array(text.utf8)
                withUnsafeBytes(of: UInt64(utf8.count).bigEndian) { preimage.append(contentsOf: $0) }
                preimage.append(contentsOf: utf8)
                withUnsafeBytes(of: UInt32(i / 8).bigEndian) { preimage.append(contentsOf: $0) }
                block = Array(SHA256.hash(data: preimage))
            }
            let offset = 4 * (i % 8)
            let u = UInt32(block[offset]) << 24 | UInt32(block[offset + 1]) << 16 | UInt32(block[offset + 2]) << 8 | UInt32(block[offset + 3])
            values[i] = Double(u) / 4_294_967_296 - 0.5
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { Float($0 / norm) }
    }
}
