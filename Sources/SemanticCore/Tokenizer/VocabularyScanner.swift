// VocabularyScanner: the fast path for the one large part of a tokenizer.json, `model.vocab` (30,000
// entries for BERT). It walks the JSON structure just far enough to find that object, reads its
// `"token": id` members straight from the UTF-8 bytes, and hands the rest of the document (with the
// vocabulary replaced by `{}`) to JSONSerialization. Anything unusual (no such object, an id that is
// not a plain non-negative integer, a repeated token or id, a malformed escape) returns nil, and the
// caller parses the whole file the ordinary way, which reports the problem. Pure: bytes in, values out.
import Foundation

enum VocabularyScanner {
    struct Result {
        /// The string of every id, 0..<count.
        let vocabulary: [String]
        /// The document with `model.vocab` replaced by an empty object.
        let remainder: Data
    }

    static func scan(_ data: Data) -> Result? {
        data.withUnsafeBytes { raw -> Result? in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return nil }
            var scanner = Scanner(bytes: base, count: raw.count)
            guard let (start, end, vocabulary) = scanner.findVocabulary() else { return nil }
            var remainder = Data(capacity: data.count - (end - start) + 2)
            remainder.append(base, count: start)
            remainder.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            remainder.append(base + end, count: raw.count - end)
            return Result(vocabulary: vocabulary, remainder: remainder)
        }
    }

    private struct Scanner {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        var position = 0

        init(bytes: UnsafePointer<UInt8>, count: Int) {
            self.bytes = bytes
            self.count = count
        }

        /// The byte range of `model.vocab`'s object and its entries ordered by id.
        mutating func findVocabulary() -> (Int, Int, [String])? {
            guard let model = findMember("model") else { return nil }
            position = model
            guard let vocab = findMember("vocab") else { return nil }
            position = vocab
            let start = position
            guard let vocabulary = readVocabularyObject() else { return nil }
            return (start, position, vocabulary)
        }

        /// With `position` at an object, finds `key` among its members; returns the value's offset.
        mutating func findMember(_ key: String) -> Int? {
            skipWhitespace()
            guard expect(UInt8(ascii: "{")) else { return nil }
            let wanted = Array(key.utf8)
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { return nil }
            while true {
                skipWhitespace()
                guard let name = readStringBytes() else { return nil }
                skipWhitespace()
                guard expect(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                if name == wanted { return position }
                guard skipValue() else { return nil }
                skipWhitespace()
                if expect(UInt8(ascii: ",")) { continue }
                return nil
            }
        }

        /// Reads `{"token": id, ...}` into an array indexed by id; nil unless the ids are exactly
        /// 0..<count with no token or id repeated.
        mutating func readVocabularyObject() -> [String]? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            var entries: [(String, Int)] = []
            entries.reserveCapacity(32_768)
            skipWhitespace()
            if expect(UInt8(ascii: "}")) { return nil }
            while true {
                skipWhitespace()
                guard let token = readStringBytes().flatMap({ String(validating: $0, as: UTF8.self) }) else { return nil }
                skipWhitespace()
                guard expect(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let id = readPlainInteger() else { return nil }
                entries.append((token, id))
                skipWhitespace()
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                break
            }
            var vocabulary = [String?](repeating: nil, count: entries.count)
            var seen = Set<String>(minimumCapacity: entries.count)
            for (token, id) in entries {
                guard id < entries.count, vocabulary[id] == nil, seen.insert(token).inserted else { return nil }
                vocabulary[id] = token
            }
            return vocabulary.map { $0! }
        }

        /// Digits only (no sign, fraction, exponent or leading zero), at most 9 of them.
        mutating func readPlainInteger() -> Int? {
            var value = 0
            var digits = 0
            while position < count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                value = value * 10 + Int(bytes[position] - 0x30)
                digits += 1
                position += 1
            }
            guard digits > 0, digits <= 9, digits == 1 || bytes[position - digits] != 0x30 else { return nil }
            if position < count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) { return nil }
            return value
        }

        /// A JSON string's content as UTF-8 bytes, escapes decoded.
        mutating func readStringBytes() -> [UInt8]? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            var output: [UInt8] = []
            while position < count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return output
                case UInt8(ascii: "\\"):
                    guard position < count else { return nil }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                    case UInt8(ascii: "b"): output.append(0x08)
                    case UInt8(ascii: "f"): output.append(0x0C)
                    case UInt8(ascii: "n"): output.append(0x0A)
                    case UInt8(ascii: "r"): output.append(0x0D)
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var unit = readHex4() else { return nil }
                        if (0xD800...0xDBFF).contains(unit) {
                            guard position + 1 < count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                            else { return nil }
                            position += 2
                            guard let low = readHex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(unit) {
                            return nil
                        }
                        guard let scalar = Unicode.Scalar(unit) else { return nil }
                        output.append(contentsOf: String(Character(scalar)).utf8)
                    default:
                        return nil
                    }
                default:
                    guard byte >= 0x20 else { return nil }
                    output.append(byte)
                }
            }
            return nil
        }

        mutating func readHex4() -> UInt32? {
            guard position + 4 <= count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                position += 1
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// Skips one value of any kind (strings are scanned, not decoded, except for escapes' length).
        mutating func skipValue() -> Bool {
            skipWhitespace()
            guard position < count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                return readStringBytes() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while position < count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        guard readStringBytes() != nil else { return false }
                        continue
                    }
                    position += 1
                    if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                    if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { return true }
                    }
                }
                return false
            default:
                // number, true, false, null
                let start = position
                while position < count, !Self.endsScalar(bytes[position]) { position += 1 }
                return position > start
            }
        }

        static func endsScalar(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || isWhitespace(byte)
        }

        static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

        mutating func skipWhitespace() {
            while position < count, Self.isWhitespace(bytes[position]) { position += 1 }
        }

        func peek() -> UInt8? { position < count ? bytes[position] : nil }

        mutating func expect(_ byte: UInt8) -> Bool {
            guard position < count, bytes[position] == byte else { return false }
            position += 1
            return true
        }
    }
}
