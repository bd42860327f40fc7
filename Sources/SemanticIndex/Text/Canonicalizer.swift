// Canonicalizer: the text clean-up that runs before a message is hashed into its document id and
// embedded, reproducing the reference implementation's canonicaliser scalar for scalar: NFC, markdown
// and code-block pass, whitespace collapse, low-signal filter, truncation to 2,000 scalars.
// Applied ONCE per message (as `cass index` does); see Docs/JOBS.md. Pure: never touches a file.
import Foundation

/// Turns raw message text into the canonical text that is hashed and embedded.
///
/// Everything works on Unicode scalars, never on `Character`s: a grapheme such as `"\r\n"` or `e` plus a
/// combining accent is several scalars to the reference, and lengths are counted in scalars.
public struct Canonicalizer: Sendable, Equatable {
    /// Longest canonical text, in Unicode scalars (the reference's `MAX_EMBED_CHARS`).
    public var maxLength: Int
    /// Lines kept from the start and the end of a long fenced code block.
    public var codeHeadLines: Int
    public var codeTailLines: Int

    public init(maxLength: Int = 2_000, codeHeadLines: Int = 20, codeTailLines: Int = 10) {
        self.maxLength = maxLength
        self.codeHeadLines = codeHeadLines
        self.codeTailLines = codeTailLines
    }

    /// The archive's settings: 2,000 scalars, 20 head and 10 tail lines of code.
    public static let standard = Canonicalizer()

    /// Canonical text with the standard settings; `""` means "nothing worth embedding".
    public static func canonicalize(_ text: String) -> String {
        standard.canonicalize(text)
    }

    /// Canonical text; `""` means "nothing worth embedding" (empty, or a bare acknowledgement).
    public func canonicalize(_ text: String) -> String {
        let composed = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
        let markdownFree = stripMarkdownAndCollapseCode(Array(composed.unicodeScalars))
        let collapsed = Self.collapseWhitespace(markdownFree)
        if Self.isLowSignal(collapsed) { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: collapsed.prefix(maxLength))
        return String(view)
    }

    // MARK: - Markdown and code blocks

    /// Each kept line followed by `\n`; fenced code blocks collapsed to a `[code…]` summary.
    func stripMarkdownAndCollapseCode(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count + 16)
        var codeLines: [ArraySlice<Unicode.Scalar>] = []
        var codeLabel: [Unicode.Scalar] = []
        var insideCode = false

        for line in Self.lines(of: text) {
            if insideCode {
                if Self.isFence(line) {
                    appendCollapsedBlock(label: codeLabel, lines: codeLines, to: &output)
                    output.append("\n")
                    insideCode = false
                    codeLines.removeAll(keepingCapacity: true)
                } else {
                    codeLines.append(line)
                }
            } else if Self.isFence(line) {
                insideCode = true
                codeLabel = Self.trimmed(Array(line.drop(while: { $0 == "`" })))
            } else {
                let stripped = MarkdownLineStripper.strip(line)
                if !stripped.isEmpty {
                    output.append(contentsOf: stripped)
                    output.append("\n")
                }
            }
        }
        if insideCode && !codeLines.isEmpty {
            appendCollapsedBlock(label: codeLabel, lines: codeLines, to: &output)
            output.append("\n")
        }
        return output
    }

    /// `[code]` or `[code: label]`, a newline, then the lines, or the first and last few around
    /// `[... K lines omitted ...]` when the block is longer than head + tail.
    private func appendCollapsedBlock(label: [Unicode.Scalar], lines: [ArraySlice<Unicode.Scalar>],
                                      to output: inout [Unicode.Scalar]) {
        output.append(contentsOf: "[code".unicodeScalars)
        if !label.isEmpty {
            output.append(contentsOf: ": ".unicodeScalars)
            output.append(contentsOf: label)
        }
        output.append(contentsOf: "]\n".unicodeScalars)

        func appendJoined(_ slice: ArraySlice<ArraySlice<Unicode.Scalar>>) {
            for (position, line) in slice.enumerated() {
                if position > 0 { output.append("\n") }
                output.append(contentsOf: line)
            }
        }
        if lines.count <= codeHeadLines + codeTailLines {
            appendJoined(lines[...])
        } else {
            let omitted = lines.count - codeHeadLines - codeTailLines
            appendJoined(lines.prefix(codeHeadLines))
            output.append(contentsOf: "\n[... \(omitted) lines omitted ...]\n".unicodeScalars)
            appendJoined(lines.suffix(codeTailLines))
        }
    }

    /// A fence starts with three backticks at column 0 (indented fences and `~~~` are ordinary text).
    static func isFence(_ line: ArraySlice<Unicode.Scalar>) -> Bool {
        line.count >= 3 && line.prefix(3).allSatisfy { $0 == "`" }
    }

    /// The reference's `str::lines()`: split on `\n`, drop one trailing `\r` from each piece, and no
    /// final empty line after a trailing `\n`. A lone `\r` is not a line break.
    static func lines(of text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var lines: [ArraySlice<Unicode.Scalar>] = []
        var start = text.startIndex
        while start < text.endIndex {
            let end = text[start...].firstIndex(of: "\n") ?? text.endIndex
            var line = text[start..<end]
            if line.last == "\r" { line = line.dropLast() }
            lines.append(line)
            start = end < text.endIndex ? end + 1 : end
        }
        return lines
    }

    // MARK: - Whitespace, low-signal filter

    /// Every run of White_Space scalars becomes one space; none at either end.
    static func collapseWhitespace(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var pendingSpace = false
        for scalar in text {
            if scalar.isWhiteSpace {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(" ") }
                pendingSpace = false
                output.append(scalar)
            }
        }
        return output
    }

    /// Bare acknowledgements carry no meaning worth a vector (compared ASCII-case-insensitively, exactly).
    static let lowSignalTexts: Set<String> = [
        "ok", "done", "done.", "got it", "got it.", "understood", "understood.", "sure", "sure.",
        "yes", "no", "thanks", "thanks.", "thank you", "thank you.",
    ]

    static func isLowSignal(_ text: [Unicode.Scalar]) -> Bool {
        guard text.count <= 11 else { return false }
        var lowered = String.UnicodeScalarView()
        for scalar in text {
            guard scalar.isASCII else { return false }  // every pattern is ASCII
            lowered.append(scalar.properties.isUppercase ? Unicode.Scalar(scalar.value + 32)! : scalar)
        }
        return lowSignalTexts.contains(String(lowered))
    }

    /// Trims White_Space scalars from both ends (the reference's `str::trim`).
    static func trimmed(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = text.firstIndex(where: { !$0.isWhiteSpace }) else { return [] }
        let last = text.lastIndex(where: { !$0.isWhiteSpace })!
        return Array(text[first...last])
    }
}

extension Unicode.Scalar {
    /// The White_Space property (the reference's `char::is_whitespace`), without a property lookup for ASCII.
    var isWhiteSpace: Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }
}
