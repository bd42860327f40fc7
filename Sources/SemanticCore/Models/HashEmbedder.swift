// HashEmbedder: the model-free `fnv1a-384` embedder, bit-identical to the reference implementation's
// hash tier (cass tokenisation, then the FNV-1a modular projection, then f32 L2 normalisation), so the
// fast-tier indexes it feeds are interchangeable with cass's own. Also served to clients as an embedder.
// Pure arithmetic on strings: it never touches a file, never allocates beyond its output, never logs.

/// Embeds text by hashing its words into `dimension` buckets.
///
/// The recipe, step by step (every step is part of the bit-exact contract):
/// 1. empty text is an error;
/// 2. lowercase with full Unicode mappings, including the context-sensitive final sigma;
/// 3. split on every scalar that is not alphanumeric and keep the pieces of at least two scalars;
/// 4. no pieces left: return the uniform vector, every element `1 / sqrt(dimension)`;
/// 5. otherwise, for each piece `h = FNV-1a-64(utf8)`, and `vector[h % dimension] += ±1`, `+1` when
///    bit 63 of `h` is set;
/// 6. L2-normalise in f32; a squared norm below `Float.ulpOfOne` (only reachable when tokens cancel
///    exactly) gives the all-zero vector, which callers writing an index must not store.
public struct HashEmbedder: Sendable, Equatable {
    /// Output length (384 for the `fnv1a-384` tier).
    public let dimension: Int

    public init(dimension: Int = 384) {
        precondition(dimension > 0, "a hash embedder needs a positive dimension")
        self.dimension = dimension
    }

    /// The embedder id on the wire and in index files: `fnv1a-<dimension>`.
    public var id: String { "fnv1a-\(dimension)" }

    /// The vector-space revision label the index files carry for this embedder.
    public static let revision = "hash-fnv1a-modular-v1"

    /// One text's vector. Throws for empty text.
    public func embed(_ text: String) throws(HashEmbedderError) -> [Float] {
        if text.isEmpty { throw HashEmbedderError.emptyText(index: 0) }
        var accumulator = [Float](repeating: 0, count: dimension)
        var tokenCount = 0
        Self.forEachToken(in: text) { token in
            let hash = FNV1a64.hash(token)
            let bucket = Int(hash % UInt64(dimension))
            accumulator[bucket] += (hash >> 63) == 1 ? 1 : -1
            tokenCount += 1
        }
        if tokenCount == 0 {
            return [Float](repeating: 1.0 / Float(dimension).squareRoot(), count: dimension)
        }
        Self.normalizeInPlace(&accumulator)
        return accumulator
    }

    /// Every text's vector, in order. Throws for the first empty text, naming its position.
    public func embed(_ texts: [String]) throws(HashEmbedderError) -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for (index, text) in texts.enumerated() {
            if text.isEmpty { throw HashEmbedderError.emptyText(index: index) }
            vectors.append(try embed(text))
        }
        return vectors
    }

    /// The words the embedder hashes: lowercased, split on non-alphanumerics, at least two scalars each.
    public static func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(in: text) { tokens.append(String(decoding: $0, as: UTF8.self)) }
        return tokens
    }

    /// Calls `body` with the UTF-8 bytes of every token, in order, lowercasing and splitting in one
    /// pass (ASCII without any Unicode property lookups).
    static func forEachToken(in text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var token: [UInt8] = []
        token.reserveCapacity(64)
        var scalarsInToken = 0
        func flush() {
            if scalarsInToken >= 2 { token.withUnsafeBufferPointer(body) }
            token.removeAll(keepingCapacity: true)
            scalarsInToken = 0
        }
        func add(_ lowered: Unicode.Scalar) {
            if isAlphanumeric(lowered) {
                UTF8.encode(lowered) { token.append($0) }
                scalarsInToken += 1
            } else {
                flush()
            }
        }
        // Final sigma needs the neighbours in the original text; only materialised when a Σ occurs.
        var originalScalars: [Unicode.Scalar]?
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if scalar.value < 0x80 {
                var byte = UInt8(scalar.value)
                if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
                    token.append(byte)
                    scalarsInToken += 1
                } else {
                    flush()
                }
            } else if scalar == "\u{03A3}" {
                if originalScalars == nil { originalScalars = Array(text.unicodeScalars) }
                add(lowercaseSigma(at: index, in: originalScalars!))
            } else if scalar.properties.changesWhenLowercased {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { add(lowered) }
            } else {
                add(scalar)
            }
        }
        flush()
    }

    /// The reference's `char::is_alphanumeric`: Alphabetic, or a decimal, letter or other number.
    /// (Not `numericType != nil`, which is broader, and not `Character.isLetter`.)
    public static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let value = scalar.value | 0x20  // ASCII letters fold to lowercase; digits are unchanged
            return (value >= 0x61 && value <= 0x7A) || (scalar.value >= 0x30 && scalar.value <= 0x39)
        }
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Full Unicode lowercasing as the reference does it. Swift's `lowercased()` maps every capital
    /// sigma to `σ`; the reference maps a word-final one to `ς` (Unicode's Final_Sigma condition).
    static func lowercasedLikeReference(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        result.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\u{03A3}" {
                result.append(lowercaseSigma(at: index, in: scalars))
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(result)
    }

    /// `ς` for a capital sigma that ends a word (a cased letter before it and none after it, skipping
    /// Case_Ignorable scalars both ways), `σ` otherwise.
    static func lowercaseSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Unicode.Scalar {
        let finalSigma = casedLetterFollowsSkippingIgnorables(scalars[..<index].reversed())
            && !casedLetterFollowsSkippingIgnorables(scalars[(index + 1)...])
        return finalSigma ? "\u{03C2}" : "\u{03C3}"
    }

    /// Whether the first scalar that is not Case_Ignorable is Cased (false when there is none).
    private static func casedLetterFollowsSkippingIgnorables<S: Sequence>(_ scalars: S) -> Bool
    where S.Element == Unicode.Scalar {
        for scalar in scalars where !scalar.properties.isCaseIgnorable {
            return scalar.properties.isCased
        }
        return false
    }

    /// f32 L2 normalisation, summing squares in order; below `Float.ulpOfOne` everything becomes 0.
    static func normalizeInPlace(_ vector: inout [Float]) {
        var sumOfSquares: Float = 0
        for value in vector { sumOfSquares += value * value }
        if !sumOfSquares.isFinite || sumOfSquares < Float.ulpOfOne {
            for index in vector.indices { vector[index] = 0 }
            return
        }
        let inverse = 1.0 / sumOfSquares.squareRoot()
        for index in vector.indices { vector[index] *= inverse }
    }
}

/// 64-bit FNV-1a: start at `0xcbf29ce484222325`; for each byte, xor it in and multiply by
/// `0x100000001b3` modulo 2^64. Used for hash-embedder buckets and for FSVI record hashes.
public enum FNV1a64 {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return hash
    }
}

public enum HashEmbedderError: Error, Equatable, CustomStringConvertible {
    /// The text at `index` of the batch (0 for a single text) is empty; the hash embedder has no vector
    /// for nothing at all. Canonicalised archive text is never empty: skip the row instead.
    case emptyText(index: Int)

    public var description: String {
        switch self {
        case .emptyText(let index):
            return "the hash embedder cannot embed an empty text (text \(index) of the batch); "
                + "send at least one character"
        }
    }
}
