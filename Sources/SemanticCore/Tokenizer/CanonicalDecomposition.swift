// CanonicalDecomposition: NFD as the reference tokenizer computes it, with Unicode 9.0 data: full canonical
// decomposition (Hangul syllables algorithmically), then canonical ordering of combining marks. Scalars
// assigned after Unicode 9.0 are starters without a decomposition, as they are to the reference.
// The mappings come from the runtime's own normaliser, one scalar at a time, once per process;
// decomposing text never calls it and never allocates beyond the caller's buffer.
import Foundation

enum CanonicalDecomposition {
    /// Full canonical decompositions of the scalars assigned by Unicode 9.0, Hangul syllables excluded.
    static let mappings: [UInt32: [UInt32]] = {
        var mappings: [UInt32: [UInt32]] = [:]
        for range in candidateRanges {
            for value in range where !isHangulSyllable(value) {
                guard let scalar = Unicode.Scalar(value), let age = scalar.properties.age,
                    age.major < 9 || (age.major == 9 && age.minor == 0)
                else { continue }
                let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
                if decomposed != [value] { mappings[value] = decomposed }
            }
        }
        return mappings
    }()

    /// The blocks that hold every canonical decomposition of Unicode 9.0 (a superset, scanned once).
    private static let candidateRanges: [ClosedRange<UInt32>] = [
        0x00C0...0x30FF, 0xF900...0xFB4F, 0x11000...0x115FF, 0x1D15E...0x1D1C0, 0x2F800...0x2FA1D,
    ]

    @inline(__always)
    static func isHangulSyllable(_ value: UInt32) -> Bool { value >= 0xAC00 && value <= 0xD7A3 }

    /// Appends the canonical decomposition of `scalars` (NFD, Unicode 9.0) to `output`.
    static func append(decompositionOf scalars: [UInt32], to output: inout [UInt32]) {
        let start = output.count
        var hasCombiningMarks = false
        for value in scalars {
            let traits = ReferenceUnicode.traits(of: value)
            if traits.contains(.combining) { hasCombiningMarks = true }
            guard traits.contains(.decomposes) else {
                output.append(value)
                continue
            }
            if isHangulSyllable(value) {
                let index = value - 0xAC00
                output.append(0x1100 + index / 588)
                output.append(0x1161 + (index % 588) / 28)
                if index % 28 != 0 { output.append(0x11A7 + index % 28) }
            } else if let decomposition = mappings[value] {
                output.append(contentsOf: decomposition)
                hasCombiningMarks = true
            }
        }
        if hasCombiningMarks { orderCombiningMarks(&output, from: start) }
    }

    /// Canonical ordering: every run of combining marks sorted, stably, by combining class.
    private static func orderCombiningMarks(_ scalars: inout [UInt32], from start: Int) {
        var index = start
        while index < scalars.count {
            guard combiningClass(scalars[index]) != 0 else {
                index += 1
                continue
            }
            var runEnd = index + 1
            while runEnd < scalars.count && combiningClass(scalars[runEnd]) != 0 { runEnd += 1 }
            if runEnd - index > 1 {
                // Insertion sort: runs are short and it is stable.
                for position in (index + 1)..<runEnd {
                    let moving = scalars[position]
                    let movingClass = combiningClass(moving)
                    var target = position
                    while target > index && combiningClass(scalars[target - 1]) > movingClass {
                        scalars[target] = scalars[target - 1]
                        target -= 1
                    }
                    scalars[target] = moving
                }
            }
            index = runEnd
        }
    }

    /// The Unicode 9.0 canonical combining class (0 for scalars assigned later).
    @inline(__always)
    static func combiningClass(_ value: UInt32) -> UInt8 {
        guard ReferenceUnicode.traits(of: value).contains(.combining), let scalar = Unicode.Scalar(value) else { return 0 }
        return scalar.properties.canonicalCombiningClass.rawValue
    }
}
