// CanonicalizerTests: the canonicaliser against every exact example of the specification (§2.7), the
// upstream behaviour facts (§2.6), the italic-underscore rule and the SHA-256 checks of canonical text.
import Testing
@testable import SemanticIndex

/// Canonical text compared scalar by scalar (Swift's `String ==` treats canonically equivalent
/// strings as equal, which would hide a missing NFC step).
struct ExactText: CustomStringConvertible {
    let text: String
    var description: String { text.debugDescription }
    var unicodeScalars: String.UnicodeScalarView { text.unicodeScalars }
    var utf8: String.UTF8View { text.utf8 }
    var count: Int { text.count }
    func hasSuffix(_ suffix: String) -> Bool { text.hasSuffix(suffix) }
    func contains(_ part: String) -> Bool { text.contains(part) }

    static func == (left: ExactText, right: String) -> Bool {
        left.text.unicodeScalars.elementsEqual(right.unicodeScalars)
    }
}

@Suite("Canonicalizer")
struct CanonicalizerTests {
    func canon(_ text: String) -> ExactText { ExactText(text: Canonicalizer.canonicalize(text)) }
    func canon(_ text: ExactText) -> ExactText { canon(text.text) }

    @Test("exact examples 1-7, 13-16, 19-20")
    func exactExamples() {
        #expect(canon("**Hello** world!\n\n```rust\nfn main() {}\n```") == "Hello world! [code: rust] fn main() {}")
        #expect(canon("# Welcome\n\n**Bold** and *italic* text.\n\n```rust\nfn hello() {\n    println!(\"Hello!\");\n}\n```\n\nSee [docs](http://docs.rs) for more.\n")
                == "Welcome Bold and italic text. [code: rust] fn hello() { println!(\"Hello!\"); } See docs for more.")
        #expect(canon("C# and #hashtag\n## Heading") == "C# and #hashtag Heading")
        #expect(canon("1. First item\n2. Second item\n10. Tenth item") == "First item Second item Tenth item")
        #expect(canon("mixed snake_case and _italic_ together") == "mixed snake_case and italic together")
        #expect(canon("[one](a) [two [nested]](b(c)) [three](d)") == "one two [nested] three")
        #expect(canon("Check [link](url( unbalanced. Next sentence.") == "Check [link](url( unbalanced. Next sentence.")
        #expect(canon("text\n```\n```\nafter") == "text [code] after")
        #expect(canon("  ```python\nx = 1\n  ```") == "python x = 1")
        #expect(canon("cafe\u{301}") == "caf\u{E9}")
        #expect(Array(canon("cafe\u{301}").utf8) == [0x63, 0x61, 0x66, 0xc3, 0xa9])
        #expect(canon("x\u{a0}y\u{3000}z") == "x y z")
        #expect(canon("a\r\nb\rc") == "a b c")
        #expect(canon("-not a list\n-\tnor this") == "-not a list - nor this")
        #expect(canon("1.5x faster\n2.Not a list") == "1.5x faster 2.Not a list")
        #expect(canon("__init__ and __main__") == "init and main")
        #expect(canon("* bullet star\n* second") == "bullet star second")
    }

    @Test("example 13: a 35-line block keeps 20 + 10 lines around an omission marker")
    func longCodeBlock() {
        let code = (0..<35).map { "l\($0)\n" }.joined()
        let expected = "before [code: py] " + (0..<20).map { "l\($0)" }.joined(separator: " ")
            + " [... 5 lines omitted ...] " + (25..<35).map { "l\($0)" }.joined(separator: " ") + " after"
        #expect(canon("before\n```py\n" + code + "```\nafter") == expected)
    }

    @Test("examples 8-9: bare acknowledgements vanish, anything else stays")
    func lowSignal() {
        for text in ["  Done.  ", "thank you.", "  thank   you  ", "No", "OK", "Got it.", "understood."] {
            #expect(canon(text) == "", "\(text)")
        }
        for text in ["Thanks!", "OK.", "Got it!", "Yes!"] {
            #expect(canon(text) == text)
        }
    }

    @Test("examples 10-12 and 17: canonicalising twice differs; we canonicalise once")
    func notIdempotent() {
        let python = canon("```python\ndef f(*args, **kwargs):\n    return __name__\n```")
        #expect(python == "[code: python] def f(*args, **kwargs): return __name__")
        #expect(canon(python) == "[code: python] def f(args, kwargs): return name")
        #expect(canon("# # ok") == "# ok")
        #expect(canon(canon("# # ok")) == "")
        #expect(canon("> # heading") == "# heading")
        #expect(canon(canon("> # heading")) == "heading")
        let spaced = canon(String(repeating: "a ", count: 1500))
        #expect(spaced.unicodeScalars.count == 2000 && spaced.hasSuffix(" "))
        #expect(canon(spaced).unicodeScalars.count == 1999)
    }

    @Test("example 18: truncation counts scalars, not bytes")
    func truncation() {
        #expect(canon(String(repeating: "é", count: 2001)) == String(repeating: "é", count: 2000))
        #expect(canon(String(repeating: "é", count: 2001)).utf8.count == 4000)
        let mixed = canon(String(repeating: "x", count: 1999) + "éé")
        #expect(mixed == String(repeating: "x", count: 1999) + "é" && mixed.utf8.count == 2001)
        #expect(canon(String(repeating: "a", count: 5000)).count == 2000)
        #expect(canon(String(repeating: "a ", count: 2000)).unicodeScalars.count <= 2000)
        #expect(Canonicalizer(maxLength: 50).canonicalize(String(repeating: "a", count: 100)).count == 50)
    }

    @Test("upstream facts: headings, emphasis, links, inline code, quotes, lists, code blocks")
    func upstreamFacts() {
        #expect(canon("## Heading\nText") == "Heading Text")
        let emphasis = canon("**bold** and *italic* and __underline__")
        #expect(!emphasis.contains("**") && !emphasis.contains("__"))
        #expect(canon("See [the docs](https://example.com/path) for details") == "See the docs for details")
        #expect(canon("Use `fn main()` to start.") == "Use fn main() to start.")
        #expect(canon("> This is a quote\n> spanning multiple lines") == "This is a quote spanning multiple lines")
        #expect(canon("- First\n+ Second") == "First Second")
        #expect(canon("3.14159 is pi") == "3.14159 is pi")
        #expect(canon("text\n```\nline1\nline2\nline3\n```\nmore text") == "text [code] line1 line2 line3 more text")
        let fifty = canon("```\n" + (0..<50).map { "code line \($0)" }.joined(separator: "\n") + "\n```")
        for kept in ["code line 0 ", "code line 19 ", "code line 40 ", "code line 49", "lines omitted"] {
            #expect(fifty.contains(kept))
        }
        #expect(!fifty.contains("code line 25"))
        #expect(canon("") == "")
        #expect(canon("```\nunclosed\nblock") == "[code] unclosed block")
        #expect(canon("```rust\n```") == "[code: rust]")
        #expect(canon("```\n```") == "[code]")
        #expect(canon("```") == "", "an unclosed block without lines adds nothing")
        #expect(canon("```a\n1\n```\n```b\n2\n```") == "[code: a] 1 [code: b] 2")
        #expect(canon("See [**important** docs](https://example.com) here") == "See important docs here")
        #expect(canon("See [link with (parens)](http://example.com/path(1))") == "See link with (parens)")
        #expect(canon("emoji 😀 stays") == "emoji 😀 stays")
        #expect(canon("***x***") == "x")
        #expect(canon("> # x") == "# x")
        #expect(canon("# > quote") == "quote")
        #expect(canon("#hashtag first") == "hashtag first")
        #expect(canon("~~~\ncode\n~~~") == "~~~ code ~~~")
    }

    @Test("italic underscores: removed when exactly one neighbour is a word scalar")
    func italicUnderscores() {
        let cases: [(String, String)] = [
            ("snake_case_variable", "snake_case_variable"), ("_italic_", "italic"), ("a _b_ c", "a b c"),
            ("x_1_2_y", "x_1_2_y"), ("_a_b_c_", "a_b_c"), ("a _ b", "a _ b"), ("__dunder__", "dunder"),
            ("_é_", "é"),
        ]
        for (input, expected) in cases {
            #expect(canon(input) == expected, "\(input)")
        }
    }

    @Test("whitespace: White_Space collapses; U+200B and U+FEFF are not white space")
    func whitespace() {
        #expect(canon("a\u{85}b\u{2028}c\u{2029}d\u{202F}e\u{205F}f\u{1680}g") == "a b c d e f g")
        #expect(canon("a\u{200B}b\u{FEFF}c") == "a\u{200B}b\u{FEFF}c")
        #expect(canon("a\u{1C}b") == "a\u{1C}b")
    }

    @Test("SHA-256 of canonical text (rows 1, 3, 10 twice, 13)")
    func contentHashes() {
        #expect(DocumentIdentity.contentHash(of: Canonicalizer.canonicalize("**Hello** world!\n\n```rust\nfn main() {}\n```"))
                == "ac68f263a25e1b37dc927bec2862992f0d9891c2804e65f04f656a63b72d0597")
        #expect(DocumentIdentity.contentHash(of: Canonicalizer.canonicalize("C# and #hashtag\n## Heading"))
                == "7b110fe130080f8061b04049c9a9e0fe51025e3eee738ebd219c19b53499863f")
        #expect(DocumentIdentity.contentHash(of: Canonicalizer.canonicalize(Canonicalizer.canonicalize("```python\ndef f(*args, **kwargs):\n    return __name__\n```")))
                == "9f6a2a85208914edf4ae29264478b295ef6da4968e2ff2e11f9276fc28cc9d59")
        let code = (0..<35).map { "l\($0)\n" }.joined()
        #expect(DocumentIdentity.contentHash(of: Canonicalizer.canonicalize("before\n```py\n" + code + "```\nafter"))
                == "326a56e9a676af1896daf40fe01fe591d7c98703dfcce615a711454faf8c503b")
    }
}
