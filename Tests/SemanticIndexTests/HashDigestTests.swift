// HashDigestTests: whole-vector SHA-256 checks of the hash embedder (§3.4) and the 64-message golden
// digest (§3.6), which confirms canonicalisation, content hashing and hash embedding end to end.
import Crypto
import SemanticCore
import Testing
@testable import SemanticIndex

@Suite("Hash embedder digests")
struct HashDigestTests {
    let embedder = HashEmbedder()

    @Test("f32 SHA-256 of the exact examples and the uniform fallback")
    func vectorDigests() throws {
        #expect(sha256Hex(littleEndianBytes(try embedder.embed("hello world")))
                == "dc27988bf6819e5c55ac1d7159f534e49555c2f4829b7c48c2db62043671615c")
        #expect(sha256Hex(littleEndianBytes(try embedder.embed("Hello, World! This is a TEST-123.")))
                == "bb082fb8fdcc0f4c33efae6254c41bde1adeafff7160c8733b00d515af8e2725")
        #expect(sha256Hex(littleEndianBytes(try embedder.embed("!!!")))
                == "5b4b535968421e5580277b4701718b47bcd2af03e0e4df373e828bbbb289f04c")
    }

    static func goldenBody(_ i: Int) -> String {
        switch i % 5 {
        case 0: return "plain text message number \(i)"
        case 1: return "**bold** line \(i) with _emphasis_"
        case 2: return "```rust\nfn f_\(i)() { println!(\"\(i)\"); }\n```"
        case 3: return "   whitespace \(i)   "
        default: return "unicode \u{E9}\u{301} + emoji \u{1F600} \(i)"
        }
    }

    @Test("golden digest over 64 messages, canonicalised once")
    func goldenDigest() throws {
        var digest = SHA256()
        for i in 0..<64 {
            let canonical = Canonicalizer.canonicalize(Self.goldenBody(i))
            try #require(!canonical.isEmpty)
            let contentHash = Array(SHA256.hash(data: Array(canonical.utf8)))
            let vector = try embedder.embed(canonical)
            digest.update(data: withUnsafeBytes(of: UInt64(i).littleEndian) { Array($0) })
            digest.update(data: contentHash)
            digest.update(data: littleEndianBytes(vector))
        }
        #expect(hexString(digest.finalize()) == "22d9ae7076925a4b70a194b0f519dfb1d465cc757368c296ef24055a02038c2c")
        #expect(Array(Canonicalizer.canonicalize(Self.goldenBody(1)).utf8) == Array("bold line 1 with emphasis".utf8))
        #expect(Array(Canonicalizer.canonicalize(Self.goldenBody(2)).utf8)
                == Array("[code: rust] fn f_2() { println!(\"2\"); }".utf8))
        #expect(Array(Canonicalizer.canonicalize(Self.goldenBody(4)).unicodeScalars)
                == Array("unicode \u{E9}\u{301} + emoji \u{1F600} 4".unicodeScalars))
    }
}
