// The tokenizer against the reference tokenizer's goldens: every single text and every pair must match id
// for id, type id for type id and token for token. Failures name the case, its text, expected and actual.
import Foundation
import SemanticTestSupport
import Testing

@testable import SemanticCore

/// Tokenizers parsed once and shared by the tokenizer tests.
enum SharedTokenizers {
    /// all-MiniLM-L6-v2's tokenizer.json (the tiny embedder folder holds a copy; its own max length is 64).
    static let fromTokenizerJSON = Result { try BertTokenizer.load(directory: Fixtures.tinyEmbedderDirectory) }

    /// The same tokenizer through vocab.txt + tokenizer_config.json.
    static let fromVocabularyFile = Result { () throws -> BertTokenizer in
        let directory = Fixtures.tinyEmbedderDirectory
        let vocabulary = try TokenizerFiles.vocabulary(
            fromVocabularyText: Data(contentsOf: directory.appendingPathComponent("vocab.txt")), file: "vocab.txt")
        let configuration = try TokenizerFiles.configuration(
            fromTokenizerConfig: Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json")),
            file: "tokenizer_config.json")
        return BertTokenizer(vocabulary: vocabulary, configuration: configuration, maxLength: 256)
    }
}

/// A readable line for a failed comparison.
func mismatch<T>(_ what: String, caseID: Int, text: String, expected: T, actual: T) -> Comment {
    Comment(rawValue: "case \(caseID) \(what) differs\n  text:     \(text.debugDescription)\n  expected: \(expected)\n  actual:   \(actual)")
}

@Suite struct TokenizerGoldenTests {
    @Test func everySingleTextGoldenMatchesExactly() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let maxLength = try TokenizerGoldens.singleMaxLength()
        let cases = try TokenizerGoldens.singleCases()
        #expect(cases.count == 304)
        var exact = 0
        for golden in cases {
            let encoding = tokenizer.encode(golden.text, maxLength: maxLength)
            var matches = true
            if encoding.ids != golden.inputIds {
                Issue.record(mismatch("input_ids", caseID: golden.id, text: golden.text, expected: golden.inputIds, actual: encoding.ids))
                matches = false
            }
            if encoding.tokens != golden.tokens {
                Issue.record(mismatch("tokens", caseID: golden.id, text: golden.text, expected: golden.tokens, actual: encoding.tokens))
                matches = false
            }
            if encoding.typeIds != golden.tokenTypeIds || encoding.attentionMask != golden.attentionMask {
                Issue.record(mismatch("token_type_ids/attention_mask", caseID: golden.id, text: golden.text,
                    expected: [golden.tokenTypeIds, golden.attentionMask], actual: [encoding.typeIds, encoding.attentionMask]))
                matches = false
            }
            if encoding.untruncatedCount != golden.untruncatedCount {
                Issue.record(mismatch("num_tokens_untruncated", caseID: golden.id, text: golden.text,
                    expected: golden.untruncatedCount, actual: encoding.untruncatedCount))
                matches = false
            }
            if matches { exact += 1 }
        }
        print("tokenizer_single.json: \(exact)/\(cases.count) exact")
        #expect(exact == cases.count)
        #expect(cases.filter { $0.untruncatedCount > $0.inputIds.count }.count == 10, "the goldens hold 10 truncated texts")
    }

    @Test func everyPairGoldenMatchesExactlyAtItsOwnMaxLength() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let cases = try TokenizerGoldens.pairCases()
        #expect(cases.count == 184)
        #expect(Set(cases.map(\.maxLength)) == [512, 64, 33])
        var exact = 0
        for golden in cases {
            let encoding = tokenizer.encodePair(golden.query, golden.document, maxLength: golden.maxLength)
            let text = "\(golden.query) || \(golden.document) (max_length \(golden.maxLength))"
            var matches = true
            if encoding.ids != golden.inputIds {
                Issue.record(mismatch("input_ids", caseID: golden.id, text: text, expected: golden.inputIds, actual: encoding.ids))
                matches = false
            }
            if encoding.typeIds != golden.tokenTypeIds {
                Issue.record(mismatch("token_type_ids", caseID: golden.id, text: text, expected: golden.tokenTypeIds, actual: encoding.typeIds))
                matches = false
            }
            if encoding.tokens != golden.tokens {
                Issue.record(mismatch("tokens", caseID: golden.id, text: text, expected: golden.tokens, actual: encoding.tokens))
                matches = false
            }
            let untruncated = golden.queryPiecesUntruncated + golden.documentPiecesUntruncated + 3
            if encoding.untruncatedCount != untruncated {
                Issue.record(mismatch("untruncated count", caseID: golden.id, text: text, expected: untruncated, actual: encoding.untruncatedCount))
                matches = false
            }
            if matches { exact += 1 }
        }
        print("tokenizer_pair.json: \(exact)/\(cases.count) exact")
        #expect(exact == cases.count)
    }

    @Test func paddedBatchMatchesTheSentenceTransformersBatch() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let golden = try TokenizerGoldens.paddedBatch()
        let encodings = tokenizer.encode(golden.texts, maxLength: 256)
        let longest = encodings.map(\.ids.count).max() ?? 0
        let padding = tokenizer.id(of: "[PAD]") ?? -1
        let inputIds = encodings.map { $0.ids + [Int](repeating: padding, count: longest - $0.ids.count) }
        let typeIds = encodings.map { $0.typeIds + [Int](repeating: 0, count: longest - $0.ids.count) }
        let mask = encodings.map { $0.attentionMask + [Int](repeating: 0, count: longest - $0.ids.count) }
        #expect(inputIds == golden.inputIds)
        #expect(typeIds == golden.tokenTypeIds)
        #expect(mask == golden.attentionMask)
    }

    @Test func vocabularyFileRouteEqualsTokenizerJSONRouteOnEveryGolden() throws {
        let fromJSON = try SharedTokenizers.fromTokenizerJSON.get()
        let fromVocabulary = try SharedTokenizers.fromVocabularyFile.get()
        #expect(fromJSON.vocabularySize == 30522)
        #expect(fromVocabulary.vocabularySize == fromJSON.vocabularySize)
        for golden in try TokenizerGoldens.singleCases() {
            let expected = fromJSON.encode(golden.text, maxLength: 256)
            let actual = fromVocabulary.encode(golden.text, maxLength: 256)
            #expect(actual == expected, mismatch("vocab.txt route", caseID: golden.id, text: golden.text, expected: expected.ids, actual: actual.ids))
            #expect(actual.ids == golden.inputIds, "case \(golden.id)")
        }
        for golden in try TokenizerGoldens.pairCases() {
            let actual = fromVocabulary.encodePair(golden.query, golden.document, maxLength: golden.maxLength)
            #expect(actual.ids == golden.inputIds && actual.typeIds == golden.tokenTypeIds, "pair case \(golden.id)")
        }
    }

    @Test func batchEncodingEqualsOneTextAtATime() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let texts = try TokenizerGoldens.singleCases().map(\.text)
        let batch = tokenizer.encode(texts + texts, maxLength: 256)
        let oneByOne = (texts + texts).map { tokenizer.encode($0, maxLength: 256) }
        #expect(batch.count == oneByOne.count)
        #expect(batch == oneByOne)
        #expect(tokenizer.encode([String]()).isEmpty)
    }

    @Test func theFourTextsWhereTheLegacyTokenizerDiffersFollowTheReference() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let cases = try Golden.cases("goldens/tokenizer_fast_vs_legacy.json")
        #expect(cases.count == 4)
        for item in cases {
            let text = try #require(item["text"] as? String)
            let expected = try Golden.ints(item["fast_ids"])
            let actual = tokenizer.encode(text, maxLength: 256).ids
            #expect(actual == expected, mismatch("fast_ids", caseID: (item["id"] as? NSNumber)?.intValue ?? -1, text: text, expected: expected, actual: actual))
            #expect(actual != (try Golden.ints(item["legacy_ids"])))
        }
    }

    @Test func modelGoldensWereTokenizedAsThisTokenizerDoes() throws {
        let embedder = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(embedder.maxLength == 64)
        for golden in try TokenizerGoldens.modelInputs("goldens/tiny_embedder_embeddings.json") {
            let text = try #require(golden.text)
            #expect(embedder.encode(text).ids == golden.inputIds, "tiny embedder case \(golden.id): \(text.debugDescription)")
        }
        for golden in try TokenizerGoldens.modelInputs("goldens/minilm_embeddings.json") {
            let text = try #require(golden.text)
            #expect(embedder.encode(text, maxLength: 256).ids == golden.inputIds, "MiniLM case \(golden.id): \(text.debugDescription)")
        }
        let crossEncoder = try BertTokenizer.load(directory: Fixtures.tinyCrossEncoderDirectory)
        #expect(crossEncoder.maxLength == 512)
        for golden in try TokenizerGoldens.modelInputs("goldens/tiny_cross_encoder_logits.json") {
            let encoding = crossEncoder.encodePair(try #require(golden.query), try #require(golden.document))
            #expect(encoding.ids == golden.inputIds, "cross-encoder case \(golden.id)")
            #expect(encoding.typeIds == golden.tokenTypeIds, "cross-encoder case \(golden.id)")
        }
    }
}
