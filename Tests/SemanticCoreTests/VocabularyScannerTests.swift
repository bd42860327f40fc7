// The tokenizer.json fast path reads `model.vocab` straight from the bytes; it must give exactly what
// JSONSerialization gives, decode every JSON escape, and step aside (nil) for anything unusual so the
// full parser reports it.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticCore

@Suite struct VocabularyScannerTests {
    /// The vocabulary JSONSerialization reads from the same bytes.
    func referenceVocabulary(_ data: Data) throws -> [String] {
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let model = try #require(root["model"] as? [String: Any])
        let vocab = try #require(model["vocab"] as? [String: Any])
        var tokens = [String](repeating: "", count: vocab.count)
        for (token, id) in vocab { tokens[(id as! NSNumber).intValue] = token }
        return tokens
    }

    @Test func theFastPathReadsTheSameVocabularyAsJSONSerialization() throws {
        var files = ["goldens/tiny_embedder/tokenizer.json", "goldens/tiny_cross_encoder/tokenizer.json"].map(Fixtures.url)
        if let real = try? Fixtures.requireRealEmbedder() { files.append(real.appendingPathComponent("tokenizer.json")) }
        for file in files {
            let data = try Data(contentsOf: file)
            let scanned = try #require(VocabularyScanner.scan(data), "\(file.path)")
            #expect(scanned.vocabulary == (try referenceVocabulary(data)), "\(file.path)")
            // The remainder is the same document with an empty vocabulary.
            let remainder = try #require(try JSONSerialization.jsonObject(with: scanned.remainder) as? [String: Any])
            #expect((remainder["model"] as? [String: Any])?["vocab"] as? [String: Any] != nil)
            #expect(((remainder["model"] as? [String: Any])?["vocab"] as? [String: Any])?.isEmpty == true)
            #expect(remainder["normalizer"] != nil && remainder["added_tokens"] != nil)
        }
    }

    @Test func escapesDecodeLikeJSONSerialization() throws {
        let json = #"""
            {"added_tokens": [{"content": "}\"{"}], "model": {"type": "WordPiece", "x": [1, {"vocab": 2}],
             "vocab": {"[UNK]": 0, "a\"b": 1, "\\": 2, "\u00e9t\u00C9": 3, "\ud83d\ude00": 4, "tab\there": 5, "\/": 6, "日本": 7}}}
            """#
        let data = Data(json.utf8)
        let scanned = try #require(VocabularyScanner.scan(data))
        #expect(scanned.vocabulary == (try referenceVocabulary(data)))
        #expect(scanned.vocabulary[4] == "😀")
    }

    @Test(arguments: [
        #"{"model": {"vocab": {"a": 0, "b": 1.0}}}"#,       // not a plain integer
        #"{"model": {"vocab": {"a": 0, "b": -1}}}"#,        // negative
        #"{"model": {"vocab": {"a": 0, "b": 01}}}"#,        // a leading zero (not JSON)
        #"{"model": {"vocab": {"a": 0, "b": 2}}}"#,         // a gap
        #"{"model": {"vocab": {"a": 0, "b": 0}}}"#,         // a repeated id
        #"{"model": {"vocab": {"a": 0, "a": 1}}}"#,         // a repeated token
        #"{"model": {"vocab": {"a": 0, "\ud800": 1}}}"#,    // a lone surrogate
        #"{"model": {"vocab": []}}"#,                       // not an object
        #"{"model": {"vocab": {}}}"#,                       // empty
        #"{"vocab": {"a": 0}}"#,                            // not inside model
        #"{"model": {"vocab": {"a": 0"#,                    // truncated
    ])
    func anythingUnusualFallsBackToTheFullParser(json: String) {
        #expect(VocabularyScanner.scan(Data(json.utf8)) == nil)
    }
}
