// BertNormalizer: the reference BERT normaliser from UTF-8 bytes to UTF-8 bytes, in the reference's order:
// clean text, space out CJK ideographs, strip accents (NFD, then drop nonspacing marks), lowercase one
// code point at a time (so a final capital sigma becomes σ, never ς). Pure-ASCII text takes a byte-table
// path. Never splits words, never looks at the vocabulary, never keeps state between calls.

/// Reusable buffers for the non-ASCII path, owned by one encoding call or one batch worker.
struct NormalizerScratch {
    var scalars: [UInt32] = []
    var stripped: [UInt32] = []
}

struct BertNormalizer: Sendable {
    let cleansText: Bool
    let spacesChineseCharacters: Bool
    let stripsAccents: Bool
    let lowercases: Bool
    /// For every ASCII byte: its normalised byte, or `droppedByte` when cleaning removes it.
    private let asciiReplacements: [UInt8]
    private static let droppedByte: UInt8 = 0xFF

    init(configuration: BertTokenizerConfiguration) {
        cleansText = configuration.cleanText
        spacesChineseCharacters = configuration.tokenizeChineseCharacters
        stripsAccents = configuration.stripsAccents
        lowercases = configuration.lowercase
        var replacements = [UInt8](repeating: 0, count: 128)
        for byte in 0..<UInt8(128) {
            let traits = ReferenceUnicode.traits(of: UInt32(byte))
            var replacement = byte
            if configuration.cleanText && traits.contains(.removedByCleaning) {
                replacement = Self.droppedByte
            } else if configuration.cleanText && traits.contains(.whitespace) {
                replacement = 0x20
            } else if configuration.lowercase && byte >= 0x41 && byte <= 0x5A {
                replacement = byte + 0x20
            }
            replacements[Int(byte)] = replacement
        }
        asciiReplacements = replacements
    }

    /// Appends the normalised form of `text` (valid UTF-8) to `output`.
    func normalize(_ text: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], scratch: inout NormalizerScratch) {
        if Self.isASCII(text) {
            asciiReplacements.withUnsafeBufferPointer { table in
                for byte in text {
                    let replacement = table[Int(byte)]
                    if replacement != Self.droppedByte { output.append(replacement) }
                }
            }
            return
        }
        cleanAndSpace(text, into: &scratch.scalars)
        if stripsAccents {
            decomposeDroppingMarks(scratch.scalars, into: &scratch.stripped)
            swap(&scratch.scalars, &scratch.stripped)
        }
        appendLowercasedUTF8(scratch.scalars, to: &output)
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        var accumulated: UInt64 = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            accumulated |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            accumulated |= UInt64(base[index])
            index += 1
        }
        return accumulated & 0x8080_8080_8080_8080 == 0
    }

    /// clean_text and the CJK spacing, decoding UTF-8 to scalars on the way.
    private func cleanAndSpace(_ text: UnsafeBufferPointer<UInt8>, into scalars: inout [UInt32]) {
        scalars.removeAll(keepingCapacity: true)
        var index = 0
        while index < text.count {
            let value = UTF8Scalars.decode(text, at: &index)
            if cleansText {
                let traits = ReferenceUnicode.traits(of: value)
                if traits.contains(.removedByCleaning) { continue }
                if traits.contains(.whitespace) {
                    scalars.append(0x20)
                    continue
                }
            }
            if spacesChineseCharacters && ReferenceUnicode.isChineseIdeograph(value) {
                scalars.append(0x20)
                scalars.append(value)
                scalars.append(0x20)
            } else {
                scalars.append(value)
            }
        }
    }

    /// NFD as the reference computes it (Unicode 9.0 data), then every nonspacing mark dropped.
    private func decomposeDroppingMarks(_ scalars: [UInt32], into output: inout [UInt32]) {
        output.removeAll(keepingCapacity: true)
        CanonicalDecomposition.append(decompositionOf: scalars, to: &output)
        output.removeAll { ReferenceUnicode.traits(of: $0).contains(.nonspacingMark) }
    }

    /// Lowercase per scalar (full mappings, no context) and encode back to UTF-8.
    private func appendLowercasedUTF8(_ scalars: [UInt32], to output: inout [UInt8]) {
        for value in scalars {
            if value < 0x80 {
                let byte = UInt8(value)
                output.append(lowercases && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            } else if lowercases && ReferenceUnicode.traits(of: value).contains(.changesWhenLowercased),
                let scalar = Unicode.Scalar(value)
            {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars {
                    UTF8Scalars.append(lowered.value, to: &output)
                }
            } else {
                UTF8Scalars.append(value, to: &output)
            }
        }
    }
}

/// UTF-8 decoding of text already known to be valid (it comes from a Swift `String`), and encoding.
enum UTF8Scalars {
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> UInt32 {
        let lead = UInt32(bytes[index])
        if lead < 0x80 {
            index += 1
            return lead
        }
        if lead < 0xE0 {
            let value = (lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            index += 2
            return value
        }
        if lead < 0xF0 {
            let value = (lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
            index += 3
            return value
        }
        let value = (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
            | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
        index += 4
        return value
    }

    @inline(__always)
    static func append(_ value: UInt32, to output: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            output.append(UInt8(value))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | value >> 6))
            output.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | value >> 12))
            output.append(UInt8(0x80 | value >> 6 & 0x3F))
            output.append(UInt8(0x80 | value & 0x3F))
        default:
            output.append(UInt8(0xF0 | value >> 18))
            output.append(UInt8(0x80 | value >> 12 & 0x3F))
            output.append(UInt8(0x80 | value >> 6 & 0x3F))
            output.append(UInt8(0x80 | value & 0x3F))
        }
    }

    /// Whether the byte starts a scalar (is not a continuation byte).
    @inline(__always)
    static func startsScalar(_ byte: UInt8) -> Bool { byte & 0xC0 != 0x80 }
}
