// HashEmbedderTests: the `fnv1a-384` embedder against the specification's exact examples: tokens,
// FNV-1a values, buckets and signs, f32 bit patterns, the uniform fallback, final sigma, errors.
// (The SHA-256 digests of whole vectors and the 64-message golden digest live in SemanticIndexTests,
// next to the canonicaliser they also exercise.)
import Testing
@testable import SemanticCore

@Suite("Hash embedder")
struct HashEmbedderTests {
    let embedder = HashEmbedder()

    /// The non-zero entries of a vector as (index, f32 bits).
    func nonZero(_ vector: [Float]) -> [(Int, UInt32)] {
        vector.enumerated().filter { $0.element != 0 }.map { ($0.offset, $0.element.bitPattern) }
    }

    @Test("id and dimension")
    func identity() {
        #expect(embedder.id == "fnv1a-384")
        #expect(HashEmbedder(dimension: 256).id == "fnv1a-256")
        #expect(HashEmbedder.revision == "hash-fnv1a-modular-v1")
    }

    @Test("FNV-1a-64 reference values")
    func fnvValues() {
        #expect(FNV1a64.hash([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a64.hash("hello".utf8) == 0xa430_d846_80aa_bd0b)
        #expect(FNV1a64.hash("world".utf8) == 0x4f59_ff5e_730c_8af3)
        #expect(FNV1a64.hash("this".utf8) == 0x2587_bcef_3249_3841)
        #expect(FNV1a64.hash("is".utf8) == 0x08b7_4507_b55c_61d5)
        #expect(FNV1a64.hash("test".utf8) == 0xf9e6_e6ef_197c_2b25)
        #expect(FNV1a64.hash("123".utf8) == 0x456f_c218_1822_c4db)
    }

    @Test("tokenisation: lowercase, split on non-alphanumerics, at least two scalars")
    func tokens() {
        let sentence = HashEmbedder.tokens(of: "Hello, World! This is a TEST-123.")
        #expect(sentence == ["hello", "world", "this", "is", "test", "123"])
        #expect(HashEmbedder.tokens(of: "is it ok") == ["is", "it", "ok"])
        #expect(HashEmbedder.tokens(of: "a bb ccc") == ["bb", "ccc"])
        #expect(HashEmbedder.tokens(of: "a é Δ 京").isEmpty, "one-scalar words are dropped before hashing")
        #expect(HashEmbedder.tokens(of: "hello-world.test") == ["hello", "world", "test"])
        // Other numbers (²) and letter numbers (ⅻ) are alphanumeric; a one-scalar word is still dropped.
        #expect(HashEmbedder.tokens(of: "x\u{00B2}y \u{217B} \u{217B}\u{217B}") == ["x\u{00B2}y", "\u{217B}\u{217B}"])
    }

    @Test("final sigma is lowercased as the reference does, not as String.lowercased()")
    func finalSigma() {
        #expect(HashEmbedder.lowercasedLikeReference("ΣΊΣΥΦΟΣ") == "σίσυφος")
        #expect(HashEmbedder.lowercasedLikeReference("Σ") == "σ", "a lone capital sigma is not word-final")
        #expect(HashEmbedder.lowercasedLikeReference("ΑΣ ΑΣΑ") == "ας ασα")
        #expect(HashEmbedder.lowercasedLikeReference("İ") == "i\u{0307}")
        #expect(HashEmbedder.tokens(of: "ΣΊΣΥΦΟΣ") == ["σίσυφος"])
    }

    @Test("\"hello world\": buckets 267 (+) and 371 (-), ±0.70710677")
    func helloWorld() throws {
        let vector = try embedder.embed("hello world")
        #expect(vector.count == 384)
        #expect(nonZero(vector).map(\.0) == [267, 371])
        #expect(nonZero(vector).map(\.1) == [0x3f35_04f3, 0xbf35_04f3])
    }

    @Test("the TEST-123 sentence: six entries of ±0.40824828 at the listed buckets")
    func sentence() throws {
        let vector = try embedder.embed("Hello, World! This is a TEST-123.")
        let expected: [(Int, UInt32)] = [(37, 0x3ed1_05eb), (85, 0xbed1_05eb), (91, 0xbed1_05eb),
                                         (267, 0x3ed1_05eb), (321, 0xbed1_05eb), (371, 0xbed1_05eb)]
        #expect(nonZero(vector).map(\.0) == expected.map(\.0))
        #expect(nonZero(vector).map(\.1) == expected.map(\.1))
    }

    @Test("accented words, repeated words, four words")
    func moreExamples() throws {
        let accented = nonZero(try embedder.embed("café résumé naïve"))
        #expect(accented.map(\.0) == [43, 137, 220])
        #expect(accented.allSatisfy { $0.1 == 0xbf13_cd3a })

        let repeated = nonZero(try embedder.embed("word word word "))
        #expect(repeated.count == 1 && repeated[0].0 == 317 && repeated[0].1 == (-1.0 as Float).bitPattern)

        let four = try embedder.embed("the quick brown fox")
        #expect(nonZero(four).map(\.0) == [14, 28, 252, 335])
        #expect([four[14], four[28], four[252], four[335]] == [0.5, -0.5, -0.5, 0.5])
    }

    @Test("case and whitespace do not change the vector")
    func invariance() throws {
        let reference = try embedder.embed("hello world")
        for variant in ["Hello World", "HELLO WORLD", "hello   world", "hello\n\tworld"] {
            #expect(try embedder.embed(variant) == reference, "\(variant)")
        }
    }

    @Test("no tokens: the uniform unit vector 1/sqrt(384)")
    func uniform() throws {
        for text in ["!@#$%^&*()", "a b c", "!!!"] {
            let vector = try embedder.embed(text)
            #expect(vector.allSatisfy { $0.bitPattern == 0x3d51_05eb }, "\(text)")
        }
    }

    @Test("unit norm for ordinary text")
    func unitNorm() throws {
        let vector = try embedder.embed("The quick brown fox jumps over the lazy dog, again and again 42 times.")
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-6)
    }

    @Test("tokens that cancel exactly give the all-zero vector")
    func cancellation() throws {
        // Find two distinct words landing in one bucket with opposite signs.
        let words = (0..<5_000).map { "w\($0)" }
        var seen: [Int: (String, Bool)] = [:]
        var pair: (String, String)?
        for word in words {
            let hash = FNV1a64.hash(word.utf8)
            let bucket = Int(hash % 384), positive = hash >> 63 == 1
            if let (other, otherPositive) = seen[bucket], otherPositive != positive, other != word {
                pair = (other, word)
                break
            }
            seen[bucket] = (word, positive)
        }
        let (first, second) = try #require(pair)
        #expect(try embedder.embed("\(first) \(second)").allSatisfy { $0 == 0 })
    }

    @Test("empty text is an error, alone or in a batch")
    func emptyText() {
        #expect(throws: HashEmbedderError.emptyText(index: 0)) { try embedder.embed("") }
        #expect(throws: HashEmbedderError.emptyText(index: 1)) { try embedder.embed(["ok", "", "x"]) }
        #expect(HashEmbedderError.emptyText(index: 1).description.contains("empty"))
    }

    @Test("a batch equals the texts one by one")
    func batch() throws {
        let texts = ["hello world", "!!!", "the quick brown fox"]
        #expect(try embedder.embed(texts) == texts.map { try! embedder.embed($0) })
    }
}
