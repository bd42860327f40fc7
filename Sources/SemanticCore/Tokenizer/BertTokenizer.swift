// BertTokenizer: text to BERT input ids, token for token as the reference tokenizer produces them:
// literal special tokens, BertNormalizer, BertPreTokenizer, WordPiece, then `[CLS] a [SEP]` or
// `[CLS] a [SEP] b [SEP]` with right truncation (longest_first for pairs). Immutable after init and
// shared by every thread. Never pads, never logs, never reads a file after loading.
import Foundation

public final class BertTokenizer: Sendable {
    /// The default maximum length of `encode`, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    public let configuration: BertTokenizerConfiguration
    let vocabulary: WordPieceVocabulary
    let literals: LiteralTokenMatcher
    let normalizer: BertNormalizer
    let classifierID: Int
    let separatorID: Int

    /// Number of ids, special tokens included (30522 for uncased BERT).
    public var vocabularySize: Int { vocabulary.tokens.count }

    /// A tokenizer from the bytes of a `tokenizer.json`. Its baked-in truncation and padding are ignored.
    public convenience init(tokenizerJSON: Data, maxLength: Int) throws {
        try self.init(parts: TokenizerDefinition.parse(tokenizerJSON, file: "tokenizer.json"), maxLength: maxLength)
    }

    /// A tokenizer from the lines of a `vocab.txt` (id = line index) and the options of `tokenizer_config.json`.
    /// The vocabulary must hold the configuration's unknown, classifier and separator tokens:
    /// `load(directory:)` checks that and throws; this initialiser stops the program otherwise.
    public convenience init(vocabulary: [String], configuration: BertTokenizerConfiguration, maxLength: Int) {
        var lastID: [String: Int] = [:]
        for (id, token) in vocabulary.enumerated() { lastID[token] = id }
        func required(_ token: String, _ role: String) -> Int {
            guard let id = lastID[token] else {
                preconditionFailure("the vocabulary has no \(role) token \"\(token)\"")
            }
            return id
        }
        let literalTokens = configuration.literalSpecialTokens.compactMap { token in lastID[token].map { (content: token, id: $0) } }
        let parts = TokenizerParts(
            vocabulary: vocabulary, configuration: configuration, literalTokens: literalTokens,
            unknownID: required(configuration.unknownToken, "unknown"),
            classifierID: required(configuration.classifierToken, "classifier"),
            separatorID: required(configuration.separatorToken, "separator"))
        self.init(parts: parts, maxLength: maxLength)
    }

    init(parts: TokenizerParts, maxLength: Int) {
        self.maxLength = maxLength
        configuration = parts.configuration
        vocabulary = WordPieceVocabulary(
            tokens: parts.vocabulary, unknownID: parts.unknownID,
            continuingSubwordPrefix: parts.configuration.continuingSubwordPrefix,
            maxInputCharactersPerWord: parts.configuration.maxInputCharactersPerWord)
        literals = LiteralTokenMatcher(tokens: parts.literalTokens)
        normalizer = BertNormalizer(configuration: parts.configuration)
        classifierID = parts.classifierID
        separatorID = parts.separatorID
        _ = ReferenceUnicode.tabulatedTraits.count  // build the shared table now rather than on a first request
    }

    /// The id of a vocabulary string (`"[CLS]"` → 101), or nil.
    public func id(of token: String) -> Int? {
        vocabulary.id(of: token)
    }

    // MARK: Encoding

    /// `[CLS] pieces [SEP]`, keeping the first `maxLength - 2` word pieces (default: `self.maxLength`).
    public func encode(_ text: String, maxLength: Int? = nil) -> TokenEncoding {
        var scratch = EncodingScratch()
        return encode(text, maxLength: maxLength ?? self.maxLength, scratch: &scratch)
    }

    /// `[CLS] first [SEP] second [SEP]`, type ids 0 then 1, cut `longest_first` to `maxLength`.
    /// An empty `second` still yields its `[SEP]`: `[CLS] first [SEP] [SEP]`.
    public func encodePair(_ first: String, _ second: String, maxLength: Int = 512) -> TokenEncoding {
        var scratch = EncodingScratch()
        var firstPieces: [Int] = []
        var secondPieces: [Int] = []
        appendPieces(of: first, to: &firstPieces, scratch: &scratch)
        appendPieces(of: second, to: &secondPieces, scratch: &scratch)
        let kept = LongestFirstTruncation.keptLengths(
            first: firstPieces.count, second: secondPieces.count, budget: max(0, maxLength - 3))
        var ids: [Int] = []
        ids.reserveCapacity(kept.first + kept.second + 3)
        ids.append(classifierID)
        ids.append(contentsOf: firstPieces[..<kept.first])
        ids.append(separatorID)
        let firstSegmentCount = ids.count
        ids.append(contentsOf: secondPieces[..<kept.second])
        ids.append(separatorID)
        var typeIds = [Int](repeating: 0, count: ids.count)
        for index in firstSegmentCount..<ids.count { typeIds[index] = 1 }
        return TokenEncoding(
            ids: ids, typeIds: typeIds, tokens: tokens(of: ids),
            untruncatedCount: firstPieces.count + secondPieces.count + 3)
    }

    /// `encode` of every text, in order; large batches are spread over the processor's cores.
    public func encode(_ texts: [String], maxLength: Int? = nil) -> [TokenEncoding] {
        let limit = maxLength ?? self.maxLength
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, texts.count / Self.textsPerWorker)
        if workers <= 1 {
            var scratch = EncodingScratch()
            return texts.map { encode($0, maxLength: limit, scratch: &scratch) }
        }
        return [TokenEncoding](unsafeUninitializedCapacity: texts.count) { buffer, initializedCount in
            let output = SendableBuffer(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var scratch = EncodingScratch()
                let range = Self.share(of: worker, workers: workers, count: texts.count)
                for index in range {
                    (output.base + index).initialize(to: encode(texts[index], maxLength: limit, scratch: &scratch))
                }
            }
            initializedCount = texts.count
        }
    }

    /// Below this many texts per core a batch is encoded on the calling thread.
    static let textsPerWorker = 32

    /// The contiguous slice of `count` items that worker `worker` of `workers` encodes.
    static func share(of worker: Int, workers: Int, count: Int) -> Range<Int> {
        let base = count / workers
        let extra = count % workers
        let start = worker * base + min(worker, extra)
        return start..<(start + base + (worker < extra ? 1 : 0))
    }

    func encode(_ text: String, maxLength: Int, scratch: inout EncodingScratch) -> TokenEncoding {
        var pieces: [Int] = []
        pieces.reserveCapacity(text.utf8.count / 4 + 8)
        appendPieces(of: text, to: &pieces, scratch: &scratch)
        let kept = min(pieces.count, max(0, maxLength - 2))
        var ids: [Int] = []
        ids.reserveCapacity(kept + 2)
        ids.append(classifierID)
        ids.append(contentsOf: pieces[..<kept])
        ids.append(separatorID)
        return TokenEncoding(
            ids: ids, typeIds: [Int](repeating: 0, count: ids.count), tokens: tokens(of: ids),
            untruncatedCount: pieces.count + 2)
    }

    /// The word-piece ids of `text`, no special tokens added and nothing cut.
    func appendPieces(of text: String, to ids: inout [Int], scratch: inout EncodingScratch) {
        let handled: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
            appendPieces(ofUTF8: bytes, to: &ids, scratch: &scratch)
            return true
        }
        if handled == nil {
            Array(text.utf8).withUnsafeBufferPointer { appendPieces(ofUTF8: $0, to: &ids, scratch: &scratch) }
        }
    }

    private func appendPieces(ofUTF8 bytes: UnsafeBufferPointer<UInt8>, to ids: inout [Int], scratch: inout EncodingScratch) {
        literals.split(
            bytes,
            text: { start, end in
                scratch.normalized.removeAll(keepingCapacity: true)
                normalizer.normalize(
                    UnsafeBufferPointer(rebasing: bytes[start..<end]), into: &scratch.normalized, scratch: &scratch.normalizer)
                scratch.normalized.withUnsafeBufferPointer { normalized in
                    BertPreTokenizer.forEachWord(in: normalized) { wordStart, wordEnd in
                        vocabulary.appendPieces(ofWord: normalized.baseAddress! + wordStart, count: wordEnd - wordStart, to: &ids)
                    }
                }
            },
            literal: { id in ids.append(id) })
    }

    private func tokens(of ids: [Int]) -> [String] {
        vocabulary.tokens.withUnsafeBufferPointer { strings in ids.map { strings[$0] } }
    }
}

/// Buffers reused across the texts one thread encodes.
struct EncodingScratch {
    var normalized: [UInt8] = []
    var normalizer = NormalizerScratch()
}

/// The output buffer of a parallel batch: each worker initialises its own disjoint range of it.
private struct SendableBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<TokenEncoding>
}
