// The golden conformance corpus (the four texts every frankensearch producer certifies, spec §5.8),
// the certificate over a producer's vectors for it, and semd's start-up check that its engine still
// produces the space it publishes: the vectors must match the pinned reference (PinnedGoldenVectors)
// within 1 − cos ≤ 1e-6 per vector. Bit equality is not required, because the OpenBLAS kernel chosen
// for the CPU changes the last bits; the advertised certificate is always the SHA-256 of the vectors
// actually produced, never of the reference. Pure: vectors in, verdict out.
import SemanticWire

public enum GoldenConformanceCorpus {
    /// frankensearch `MODEL_CONFORMANCE_TEXTS_V1`, in order.
    public static let texts = ["hello world", "semantic search finds related ideas", "identifier fsvi_v2", "naive cafe Tokyo"]

    /// `c78d82e7…`: the golden corpus digest of `texts` (§4.2).
    public static var corpusSHA256: String { DaemonDigests.goldenCorpusSHA256(texts: texts) }

    /// The certificate of `vectors`, one per text of the corpus, each `dimension` finite values.
    public static func certificate(for vectors: [[Float]], dimension: UInt32) throws(SemdIdentityError) -> GoldenVectorCertificateV1 {
        do {
            try GoldenCertificateCheck.checkShape(vectors, dimension: Int(dimension))
        } catch {
            throw SemdIdentityError.goldenVectors(error)
        }
        let vectorsSHA256: String
        do {
            vectorsSHA256 = try DaemonDigests.goldenVectorsSHA256(vectors)
        } catch {
            throw SemdIdentityError.goldenVectors(.wrongCount(expected: texts.count, found: vectors.count))
        }
        return GoldenVectorCertificateV1(corpusSHA256: corpusSHA256, vectorsSHA256: vectorsSHA256,
                                         vectorCount: UInt32(vectors.count), dimension: dimension)
    }
}

public enum GoldenCertificateCheck {
    /// The largest 1 − cos(produced, reference) accepted per vector.
    public static let maximumOneMinusCosine = 1e-6

    /// semd's MiniLM output for `GoldenConformanceCorpus.texts`, pinned when the identity was
    /// introduced (see PinnedGoldenVectors.swift).
    public static let referenceVectors: [[Float]] = pinnedReferenceHex.map(decodeBitPatterns)

    /// The daemon's start-up check: four finite 384-long vectors, each within the tolerance of its
    /// pinned reference. Throws the first vector that is not.
    public static func verify(vectors: [[Float]]) throws(GoldenCertificateError) {
        try checkShape(vectors, dimension: 384)
        guard referenceVectors.count == vectors.count, referenceVectors.allSatisfy({ $0.count == 384 }) else {
            throw GoldenCertificateError.malformedReference
        }
        for (row, (vector, reference)) in zip(vectors, referenceVectors).enumerated() {
            let distance = oneMinusCosine(vector, reference)
            guard distance <= maximumOneMinusCosine else {
                throw GoldenCertificateError.driftedFromReference(row: row, text: GoldenConformanceCorpus.texts[row],
                                                                  oneMinusCosine: distance, tolerance: maximumOneMinusCosine)
            }
        }
    }

    /// 1 − cos(a, b), accumulated in f64.
    public static func oneMinusCosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            aa += Double(x) * Double(x)
            bb += Double(y) * Double(y)
        }
        guard aa > 0, bb > 0 else { return 1 }
        return 1 - dot / (aa.squareRoot() * bb.squareRoot())
    }

    static func checkShape(_ vectors: [[Float]], dimension: Int) throws(GoldenCertificateError) {
        guard vectors.count == GoldenConformanceCorpus.texts.count else {
            throw GoldenCertificateError.wrongCount(expected: GoldenConformanceCorpus.texts.count, found: vectors.count)
        }
        for (row, vector) in vectors.enumerated() {
            guard vector.count == dimension else {
                throw GoldenCertificateError.wrongDimension(row: row, expected: dimension, found: vector.count)
            }
            guard vector.allSatisfy(\.isFinite) else { throw GoldenCertificateError.nonFinite(row: row) }
            guard vector.contains(where: { $0 != 0 }) else { throw GoldenCertificateError.allZero(row: row) }
        }
    }

    /// Eight hex digits per value (the f32 bit pattern, most significant first); whitespace ignored.
    static func decodeBitPatterns(_ text: String) -> [Float] {
        let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)
        return stride(from: 0, to: digits.count, by: 8).map { start in
            Float(bitPattern: UInt32(String(digits[start..<start + 8]), radix: 16)!)
        }
    }
}

/// Why golden vectors cannot be certified or do not match the pinned reference.
public enum GoldenCertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongCount(expected: Int, found: Int)
    case wrongDimension(row: Int, expected: Int, found: Int)
    case nonFinite(row: Int)
    case allZero(row: Int)
    /// PinnedGoldenVectors.swift does not hold four 384-value vectors.
    case malformedReference
    /// The engine's vector for `text` is no longer the space semd publishes.
    case driftedFromReference(row: Int, text: String, oneMinusCosine: Double, tolerance: Double)

    public var description: String {
        switch self {
        case .wrongCount(let expected, let found):
            return "expected \(expected) golden vectors (one per conformance text), found \(found)"
        case .wrongDimension(let row, let expected, let found):
            return "golden vector \(row) has \(found) values, expected \(expected)"
        case .nonFinite(let row):
            return "golden vector \(row) holds a non-finite value"
        case .allZero(let row):
            return "golden vector \(row) is all zeros"
        case .malformedReference:
            return "the pinned golden reference is not four vectors of 384 values; regenerate PinnedGoldenVectors.swift"
        case .driftedFromReference(let row, let text, let distance, let tolerance):
            return "golden vector \(row) ('\(text)') differs from the pinned reference: 1 - cos = \(distance) > \(tolerance); "
                + "the engine no longer produces the published embedding space"
        }
    }
}
