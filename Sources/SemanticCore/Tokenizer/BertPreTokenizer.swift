// BertPreTokenizer: splits normalised UTF-8 text into words as the reference does: white space separates
// words and disappears, every punctuation scalar (ASCII punctuation or a Unicode `P*` category) is a word
// of its own. Symbols such as `€ © ±` stay inside their word. Never normalises, never allocates.

struct BertPreTokenizer: Sendable {
    /// Calls `body(start, end)` with the byte range of every word of `text`, in order.
    @inline(__always)
    static func forEachWord(in text: UnsafeBufferPointer<UInt8>, _ body: (_ start: Int, _ end: Int) -> Void) {
        var wordStart = 0
        var index = 0
        let count = text.count
        while index < count {
            let scalarStart = index
            let byte = text[index]
            let traits: ScalarTraits
            if byte < 0x80 {
                index += 1
                traits = ScalarTraits(rawValue: asciiWordBreaks[Int(byte)])
            } else {
                traits = ReferenceUnicode.traits(of: UTF8Scalars.decode(text, at: &index))
            }
            if traits.contains(.whitespace) {
                if wordStart < scalarStart { body(wordStart, scalarStart) }
                wordStart = index
            } else if traits.contains(.punctuation) {
                if wordStart < scalarStart { body(wordStart, scalarStart) }
                body(scalarStart, index)
                wordStart = index
            }
        }
        if wordStart < count { body(wordStart, count) }
    }

    /// White space and punctuation bits of the 128 ASCII scalars.
    private static let asciiWordBreaks: [UInt8] = (0..<UInt32(128)).map {
        ReferenceUnicode.traits(of: $0).intersection([.whitespace, .punctuation]).rawValue
    }
}
