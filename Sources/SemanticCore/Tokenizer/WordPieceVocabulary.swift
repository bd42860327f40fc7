// WordPieceVocabulary: the vocabulary and the reference WordPiece algorithm: greedy longest match first,
// continuation pieces carry the prefix (`##`), a word longer than the character limit or with any
// unmatchable remainder becomes one unknown token. Works on UTF-8 byte slices; never normalises.

struct WordPieceVocabulary: Sendable {
    /// The vocabulary string of every id.
    let tokens: [String]
    let unknownID: Int
    let maxInputCharactersPerWord: Int
    /// Every token, as written.
    private let wholeTokens: ByteStringTable
    /// Tokens that start with the continuation prefix, prefix removed.
    private let continuationTokens: ByteStringTable

    init(tokens: [String], unknownID: Int, continuingSubwordPrefix: String, maxInputCharactersPerWord: Int) {
        self.tokens = tokens
        self.unknownID = unknownID
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        let prefix = Array(continuingSubwordPrefix.utf8)
        var whole: [(key: [UInt8], value: Int)] = []
        var continuations: [(key: [UInt8], value: Int)] = []
        whole.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            let bytes = Array(token.utf8)
            whole.append((bytes, id))
            if !prefix.isEmpty && bytes.count >= prefix.count && bytes.starts(with: prefix) {
                continuations.append((Array(bytes[prefix.count...]), id))
            }
        }
        wholeTokens = ByteStringTable(entries: whole)
        continuationTokens = ByteStringTable(entries: continuations)
    }

    /// The id of a token string, or nil.
    func id(of token: String) -> Int? {
        let bytes = Array(token.utf8) + [0]  // a trailing byte so the pointer exists even for ""
        return bytes.withUnsafeBufferPointer { wholeTokens.value(of: $0.baseAddress!, length: bytes.count - 1) }
            .nonNegative
    }

    /// Appends the word pieces of one pre-tokenised word (`count` bytes at `word`, valid UTF-8).
    func appendPieces(ofWord word: UnsafePointer<UInt8>, count: Int, to ids: inout [Int]) {
        var scalarCount = 0
        for index in 0..<count where UTF8Scalars.startsScalar(word[index]) { scalarCount += 1 }
        if scalarCount > maxInputCharactersPerWord {
            ids.append(unknownID)
            return
        }
        let firstPiece = ids.count
        var start = 0
        while start < count {
            let table = start == 0 ? wholeTokens : continuationTokens
            var end = min(count, start + table.longestKeyLength)
            while end < count && !UTF8Scalars.startsScalar(word[end]) { end -= 1 }
            var found = -1
            while end > start {
                found = table.value(of: word + start, length: end - start)
                if found >= 0 { break }
                end -= 1
                while end > start && !UTF8Scalars.startsScalar(word[end]) { end -= 1 }
            }
            if found < 0 {
                ids.removeSubrange(firstPiece...)
                ids.append(unknownID)
                return
            }
            ids.append(found)
            start = end
        }
    }
}

extension Int {
    /// Self when not negative, else nil: turns the tables' -1 into an optional.
    var nonNegative: Int? { self >= 0 ? self : nil }
}
