// ScalarTraits: what the BERT normaliser and pre-tokeniser need to know about one Unicode scalar,
// answered from the Swift runtime's Unicode data but pinned to the tables the reference tokenizer
// was built with, so a newer Swift runtime does not change a single token:
//   - general categories (control/format/private use, nonspacing mark, punctuation) as of Unicode 8.0;
//   - canonical decomposition and combining classes as of Unicode 9.0 (newer scalars are inert starters,
//     see CanonicalDecomposition.swift);
//   - white space and lowercase mappings as of the runtime (the reference uses its language's current ones).
// The few scalars whose category changed since Unicode 8.0 are listed by hand below; every code point's
// behaviour was checked against the reference tokenizer. Never looks at anything but the scalar it is given.

/// Per-scalar facts, one bit each.
struct ScalarTraits: OptionSet, Sendable {
    let rawValue: UInt8

    /// Removed by `clean_text`: NUL, U+FFFD, and control/format/private-use scalars except tab, LF and CR.
    static let removedByCleaning = ScalarTraits(rawValue: 1 << 0)
    /// White space (the White_Space property, which includes tab, LF, CR, U+0085, U+1680, U+2028, U+2029).
    static let whitespace = ScalarTraits(rawValue: 1 << 1)
    /// Isolated by the pre-tokeniser: ASCII punctuation (symbols such as `$` included) or a `P*` category.
    static let punctuation = ScalarTraits(rawValue: 1 << 2)
    /// A nonspacing mark (`Mn`), dropped after canonical decomposition when accents are stripped.
    static let nonspacingMark = ScalarTraits(rawValue: 1 << 3)
    /// Has a canonical decomposition in Unicode 9.0 (Hangul syllables included).
    static let decomposes = ScalarTraits(rawValue: 1 << 4)
    /// Has a nonzero canonical combining class in Unicode 9.0, so canonical ordering may move it.
    static let combining = ScalarTraits(rawValue: 1 << 5)
    /// Its lowercase mapping is not itself.
    static let changesWhenLowercased = ScalarTraits(rawValue: 1 << 6)
}

enum ReferenceUnicode {
    /// Nonspacing marks in Unicode 8.0 that are spacing marks today.
    static let formerNonspacingMarks: Set<UInt32> = [0x1734, 0x1171E]
    /// Nonspacing marks today that were other categories in Unicode 8.0 (letters or punctuation).
    static let laterNonspacingMarks: Set<UInt32> = [0x1885, 0x1886, 0xA9BD, 0x111C9]
    /// Punctuation in Unicode 8.0 that is a symbol or a mark today.
    static let formerPunctuation: Set<UInt32> = [0x166D, 0x111C9]

    /// The traits of `value`: from a table for the first two planes (letters, marks, punctuation, symbols
    /// and emoji of every living script), computed for the rare scalars above them.
    @inline(__always)
    static func traits(of value: UInt32) -> ScalarTraits {
        if value < tabulatedLimit {
            return ScalarTraits(rawValue: tabulatedTraits[Int(value)])
        }
        return computeTraits(of: value)
    }

    static let tabulatedLimit: UInt32 = 0x20000

    /// Expanded once, on first use, from the run-length table generated from `computeTraits` (well
    /// under a millisecond; computing it from the runtime's Unicode data took about 60 ms of every
    /// process start). A test keeps the generated runs equal to `computeTraits` on this runtime.
    static let tabulatedTraits: [UInt8] = {
        var table = [UInt8](repeating: 0, count: Int(tabulatedLimit))
        let runs = traitRuns
        for (index, run) in runs.enumerated() {
            let start = Int(run >> 8)
            let end = index + 1 < runs.count ? Int(runs[index + 1] >> 8) : Int(tabulatedLimit)
            let value = UInt8(truncatingIfNeeded: run)
            if value != 0 { for scalar in start..<end { table[scalar] = value } }
        }
        return table
    }()

    /// The runs of equal traits below `tabulatedLimit`, computed from the runtime's Unicode data, as
    /// `first scalar << 8 | traits`, ascending (the source of `traitRuns`).
    static func computeTraitRuns() -> [UInt32] {
        var runs: [UInt32] = []
        var previous: UInt8?
        for value in 0..<tabulatedLimit {
            let traits = computeTraits(of: value).rawValue
            if traits != previous {
                runs.append(value << 8 | UInt32(traits))
                previous = traits
            }
        }
        return runs
    }

    /// Whether the scalar is a CJK ideograph that the normaliser surrounds with spaces. These are the
    /// reference tokenizer's ranges exactly (its extension E range starts at U+2B920, not U+2B820).
    @inline(__always)
    static func isChineseIdeograph(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    static func computeTraits(of value: UInt32) -> ScalarTraits {
        guard let scalar = Unicode.Scalar(value) else { return [] }
        let properties = scalar.properties
        var traits: ScalarTraits = []
        let age = properties.age
        let assignedByUnicode8 = age.map { $0.major < 8 || ($0.major == 8 && $0.minor == 0) } ?? false
        let assignedByUnicode9 = age.map { $0.major < 9 || ($0.major == 9 && $0.minor == 0) } ?? false

        switch properties.generalCategory {
        case .control, .format, .privateUse:
            if assignedByUnicode8 && value != 0x09 && value != 0x0A && value != 0x0D {
                traits.insert(.removedByCleaning)
            }
        case .nonspacingMark:
            if assignedByUnicode8 && !laterNonspacingMarks.contains(value) { traits.insert(.nonspacingMark) }
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            if assignedByUnicode8 { traits.insert(.punctuation) }
        default:
            break
        }
        if value == 0 || value == 0xFFFD { traits.insert(.removedByCleaning) }
        if formerNonspacingMarks.contains(value) { traits.insert(.nonspacingMark) }
        if formerPunctuation.contains(value) { traits.insert(.punctuation) }
        if isASCIIPunctuation(value) { traits.insert(.punctuation) }
        if properties.isWhitespace { traits.insert(.whitespace) }
        if properties.isCased {
            let lowercase = properties.lowercaseMapping.unicodeScalars
            if lowercase.count != 1 || lowercase.first != scalar { traits.insert(.changesWhenLowercased) }
        }
        if assignedByUnicode9 {
            if properties.canonicalCombiningClass.rawValue != 0 { traits.insert(.combining) }
            if CanonicalDecomposition.isHangulSyllable(value) || CanonicalDecomposition.mappings[value] != nil {
                traits.insert(.decomposes)
            }
        }
        return traits
    }

    /// ASCII 33-47, 58-64, 91-96 and 123-126: the reference counts `$ + < = > ^ ` | ~` as punctuation too.
    @inline(__always)
    static func isASCIIPunctuation(_ value: UInt32) -> Bool {
        (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
    }
}
