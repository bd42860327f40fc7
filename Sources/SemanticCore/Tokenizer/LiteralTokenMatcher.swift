// LiteralTokenMatcher: finds the special tokens (`[CLS]`, `[SEP]`, `[MASK]`, ...) written literally in raw
// text, before any normalisation, case-sensitively, leftmost then longest, as the reference's added
// tokens are matched. `[cls]` is not a match. Never normalises; the text between matches is handed back.

struct LiteralTokenMatcher: Sendable {
    private let literals: [(bytes: [UInt8], id: Int)]
    /// Whether some literal starts with this byte.
    private let startsLiteral: [Bool]

    /// `tokens` pairs each literal's content with its id; empty contents are ignored.
    init(tokens: [(content: String, id: Int)]) {
        let literals = tokens.map { (bytes: Array($0.content.utf8), id: $0.id) }.filter { !$0.bytes.isEmpty }
        self.literals = literals.sorted { $0.bytes.count > $1.bytes.count }
        var starts = [Bool](repeating: false, count: 256)
        for literal in literals { starts[Int(literal.bytes[0])] = true }
        startsLiteral = starts
    }

    /// Walks `text` in order: `text(start, end)` for each stretch between literals, `literal(id)` for each match.
    func split(
        _ text: UnsafeBufferPointer<UInt8>, text onText: (_ start: Int, _ end: Int) -> Void, literal onLiteral: (Int) -> Void
    ) {
        var stretchStart = 0
        var index = 0
        let count = text.count
        while index < count {
            guard startsLiteral[Int(text[index])], let match = longestLiteral(in: text, at: index) else {
                index += 1
                continue
            }
            if stretchStart < index { onText(stretchStart, index) }
            onLiteral(match.id)
            index += match.length
            stretchStart = index
        }
        if stretchStart < count { onText(stretchStart, count) }
    }

    private func longestLiteral(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> (id: Int, length: Int)? {
        let remaining = text.count - index
        for literal in literals where literal.bytes.count <= remaining {
            var matches = true
            for offset in 0..<literal.bytes.count where text[index + offset] != literal.bytes[offset] {
                matches = false
                break
            }
            if matches { return (literal.id, literal.bytes.count) }
        }
        return nil
    }
}
