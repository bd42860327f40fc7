// The tokenizer's traps, one at a time: literal special tokens, per-scalar lowercasing, white space and
// control characters, the word-length limit, the CJK ranges, the Unicode versions of the reference's
// character tables, and longest_first truncation. Expected ids are the reference tokenizer's.
import Foundation
import SemanticTestSupport
import Testing

@testable import SemanticCore

@Suite struct TokenizerBehaviourTests {
    let tokenizer: BertTokenizer

    init() throws {
        tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
    }

    /// Word-piece ids between `[CLS]` and `[SEP]`, untruncated.
    func pieces(_ text: String) -> [Int] {
        let ids = tokenizer.encode(text, maxLength: 10_000).ids
        #expect(ids.first == 101 && ids.last == 102)
        return Array(ids.dropFirst().dropLast())
    }

    @Test func literalSpecialTokensMapToTheirIdsButOnlyWhenCaseMatches() {
        #expect(tokenizer.id(of: "[CLS]") == 101)
        #expect(tokenizer.id(of: "[SEP]") == 102)
        #expect(tokenizer.id(of: "[MASK]") == 103)
        #expect(tokenizer.id(of: "[cls]") == nil)
        #expect(
            pieces("[CLS] hello [SEP] [MASK] [PAD] [UNK] [cls] [Sep]")
                == [101, 7592, 102, 103, 0, 100, 1031, 18856, 2015, 1033, 1031, 19802, 1033])
        // Matched anywhere in the raw text, even glued to words or inside brackets.
        #expect(pieces("a[MASK]b[[SEP]]") == [1037, 103, 1038, 1031, 102, 1033])
        #expect(tokenizer.encode("[cls]").tokens == ["[CLS]", "[", "cl", "##s", "]", "[SEP]"])
    }

    @Test func capitalSigmaLowercasesOneScalarAtATime() {
        // ΟΔΟΣ → οδοσ (no final-sigma rule), so the last piece is ##σ, not ##ς.
        #expect(tokenizer.encode("ΟΔΟΣ").tokens == ["[CLS]", "ο", "##δ", "##ο", "##σ", "[SEP]"])
        #expect(pieces("İstanbul") == [9960])
    }

    @Test func whiteSpaceAndControlCharactersFollowCleanText() {
        // U+2028, U+2029, U+1680, NBSP and U+3000 separate words; U+0085, U+000B and ZWSP vanish.
        #expect(pieces("a\u{2028}b\u{2029}c\u{1680}d\u{0085}e\u{00A0}f\u{3000}g\u{000B}h\u{200B}i")
            == [1037, 1038, 1039, 2139, 1042, 1043, 4048])
        #expect(pieces("\u{0000}\u{FFFD}\u{FEFF}\u{E000}") == [])
        #expect(tokenizer.encode("").ids == [101, 102])
        #expect(tokenizer.encode(" \t\n ").ids == [101, 102])
    }

    @Test func wordsLongerThanOneHundredCodePointsBecomeOneUnknownToken() {
        let hundred = pieces(String(repeating: "a", count: 100))
        #expect(hundred.count == 50 && hundred.first == 13360 && hundred.last == 2050)
        #expect(pieces(String(repeating: "a", count: 101)) == [100])
        #expect(pieces(String(repeating: "é", count: 101)) == [100], "counted after normalisation, in code points")
    }

    @Test func aWordWithAnUnmatchableRemainderIsOneUnknownToken() {
        #expect(pieces("hello\u{1FAE8}world ok") == [100, 7929])
    }

    @Test func symbolsStayInsideTheirWord() {
        #expect(tokenizer.encode("5€ ©2024 ±3 a→b").tokens
            == ["[CLS]", "5", "##€", "©", "##20", "##24", "±", "##3", "a", "##→", "##b", "[SEP]"])
    }

    @Test func chineseIdeographRangesAreTheReferenceOnes() {
        // U+2B820 is outside the reference's extension E range (it starts at U+2B920): no spaces around it.
        #expect(pieces("a\u{2B820}b a\u{2B920}b") == [100, 1037, 100, 1038])
        #expect(pieces("한국 \u{F900}") == [1469, 30006, 30021, 29991, 30014, 30020, 100])
    }

    @Test func characterTablesAreThoseOfTheReferenceNotOfTheRuntime() {
        // Categories as of Unicode 8.0: U+1885 was a letter, U+A9BD a spacing mark (both kept),
        // U+1734 a nonspacing mark (dropped), U+166D and U+111C9 punctuation (isolated).
        #expect(pieces("x\u{1885}y x\u{A9BD}y x\u{1734}y x\u{166D}y x\u{111C9}y")
            == [100, 100, 1060, 2100, 1060, 100, 1061, 1060, 100, 1061])
        // Nonspacing marks assigned after Unicode 8.0 stay; decompositions after Unicode 9.0 do not apply.
        #expect(pieces("x\u{1E944}y") == [100])
        #expect(pieces("x\u{11938}y") == [100])
    }

    @Test func singleTextsKeepTheirFirstPieces() {
        let encoding = tokenizer.encode("a b c d e", maxLength: 4)
        #expect(encoding.tokens == ["[CLS]", "a", "b", "[SEP]"])
        #expect(encoding.untruncatedCount == 7)
        #expect(encoding.wasTruncated)
        #expect(tokenizer.encode("a b c", maxLength: 2).ids == [101, 102])
        #expect(tokenizer.encode("a b c").ids.count == 5)
    }

    @Test func pairsKeepAnEmptySecondTextsSeparator() {
        #expect(tokenizer.encodePair("hello", "").tokens == ["[CLS]", "hello", "[SEP]", "[SEP]"])
        #expect(tokenizer.encodePair("hello", "").typeIds == [0, 0, 0, 1])
        #expect(tokenizer.encodePair("", "").ids == [101, 102, 102])
    }

    @Test(arguments: [
        // (first pieces, second pieces, budget) → kept, as the reference cuts `a a …` / `b b …`.
        (10, 10, 8, 4, 4), (3, 20, 10, 3, 7), (20, 3, 10, 7, 3), (6, 9, 9, 4, 5), (9, 6, 9, 5, 4),
        (7, 7, 9, 4, 5), (2, 3, 5, 2, 3), (0, 5, 3, 0, 3), (5, 0, 3, 3, 0), (1, 1, 0, 0, 0),
    ])
    func longestFirstSplitsTheBudgetAsTheReference(
        first: Int, second: Int, budget: Int, keptFirst: Int, keptSecond: Int
    ) {
        let kept = LongestFirstTruncation.keptLengths(first: first, second: second, budget: budget)
        #expect(kept.first == keptFirst && kept.second == keptSecond)
        let text = { (word: String, count: Int) in Array(repeating: word, count: count).joined(separator: " ") }
        let encoding = tokenizer.encodePair(text("a", first), text("b", second), maxLength: budget + 3)
        #expect(encoding.tokens.filter { $0 == "a" }.count == keptFirst)
        #expect(encoding.tokens.filter { $0 == "b" }.count == keptSecond)
        #expect(encoding.untruncatedCount == first + second + 3)
    }

    @Test func batchesLargeEnoughToSplitStillKeepTheirOrder() {
        let texts = (0..<200).map { "sentence number \($0) of the batch" }
        let batch = tokenizer.encode(texts)
        #expect(batch.map(\.ids) == texts.map { tokenizer.encode($0).ids })
        let shares = (0..<3).map { BertTokenizer.share(of: $0, workers: 3, count: 200) }
        #expect(shares == [0..<67, 67..<134, 134..<200])
    }
}
