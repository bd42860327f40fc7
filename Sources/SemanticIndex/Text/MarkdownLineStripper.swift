// MarkdownLineStripper: removes inline markdown (emphasis, inline code, links) and line prefixes
// (headings, quotes, one list marker) from one line outside a code block, in exactly the reference
// implementation's order, quirks included (`***` leaves `*`, `snake_case` keeps its `_`, `> # x` keeps `#`).
// Pure: one line of scalars in, one line out; never sees more than the line it is given.
import SemanticCore

enum MarkdownLineStripper {
    static func strip(_ line: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        // Each inline step runs only if its trigger appeared in the ORIGINAL line.
        let hasStar = line.contains("*")
        let hasUnderscore = line.contains("_")
        let hasBacktick = line.contains("`")
        let hasBracket = line.contains("[")

        var text = Array(line)
        if hasStar { text = removingPairs(of: "*", from: text) }
        if hasUnderscore { text = removingPairs(of: "_", from: text) }
        if hasStar { text.removeAll { $0 == "*" } }
        if hasUnderscore { text = removingItalicUnderscores(text) }
        if hasBacktick { text.removeAll { $0 == "`" } }
        if hasBracket { text = replacingLinksWithLabels(text) }
        return strippingPrefixes(text)
    }

    /// Deletes every doubled marker, left to right without overlap (`***` leaves one `*`).
    static func removingPairs(of marker: Unicode.Scalar, from text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == marker && index + 1 < text.count && text[index + 1] == marker {
                index += 2
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }

    /// Deletes an `_` when exactly one of its neighbours (in the current text, removed `_`s included)
    /// is a word scalar: alphanumeric and not `_`. So `_italic_` loses both, `snake_case` keeps its own.
    static func removingItalicUnderscores(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        func isWord(_ position: Int) -> Bool {
            guard position >= 0 && position < text.count else { return false }
            let scalar = text[position]
            return scalar != "_" && HashEmbedder.isAlphanumeric(scalar)
        }
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for (index, scalar) in text.enumerated() {
            if scalar == "_" && isWord(index - 1) != isWord(index + 1) { continue }
            output.append(scalar)
        }
        return output
    }

    /// `[label](target)` becomes `label`; `[label]` without a target stays; an unmatched `[` or `(`
    /// leaves the rest of the line untouched. Brackets and parentheses nest; labels are not re-scanned.
    static func replacingLinksWithLabels(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard text[index] == "[" else {
                output.append(text[index])
                index += 1
                continue
            }
            guard let close = matchingClose(in: text, from: index, open: "[", close: "]") else {
                output.append(contentsOf: text[index...])
                return output
            }
            if close + 1 < text.count && text[close + 1] == "(" {
                guard let end = matchingClose(in: text, from: close + 1, open: "(", close: ")") else {
                    output.append(contentsOf: text[index...])
                    return output
                }
                output.append(contentsOf: text[(index + 1)..<close])
                index = end + 1
            } else {
                output.append(contentsOf: text[index...close])
                index = close + 1
            }
        }
        return output
    }

    /// The position of the bracket closing the one at `start`, counting nesting, or nil.
    private static func matchingClose(in text: [Unicode.Scalar], from start: Int,
                                      open: Unicode.Scalar, close: Unicode.Scalar) -> Int? {
        var depth = 0
        for position in start..<text.count {
            if text[position] == open {
                depth += 1
            } else if text[position] == close {
                depth -= 1
                if depth == 0 { return position }
            }
        }
        return nil
    }

    /// All leading `#`, spaces, all leading `>`, spaces, then at most one list marker
    /// (`- `, `+ `, or digits followed by `. `). Headings go before quotes, so `> # x` keeps its `#`.
    static func strippingPrefixes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var rest = text[...]
        rest = rest.drop { $0 == "#" }
        rest = rest.drop { $0.isWhiteSpace }
        rest = rest.drop { $0 == ">" }
        rest = rest.drop { $0.isWhiteSpace }
        if rest.count >= 2, rest.first == "-" || rest.first == "+", rest[rest.startIndex + 1] == " " {
            rest = rest.dropFirst(2)
        } else {
            let digits = rest.prefix { $0.value >= 0x30 && $0.value <= 0x39 }
            let afterDigits = rest.index(rest.startIndex, offsetBy: digits.count)
            if !digits.isEmpty, rest.count >= digits.count + 2,
               rest[afterDigits] == ".", rest[afterDigits + 1] == " " {
                rest = rest[(afterDigits + 2)...]
            }
        }
        return Array(rest)
    }
}
