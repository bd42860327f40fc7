// Numerical comparisons with the tolerances of Tests/Fixtures/goldens/README.md, and golden value
// decoding (floats are exact float32 values written as float64 reprs).
import Foundation

public enum Tolerance {
    /// Normalised embeddings: max abs per component.
    public static let embeddingMaxAbs: Float = 1e-5
    /// Normalised embeddings: 1 - cosine.
    public static let embeddingOneMinusCosine: Double = 1e-6
    /// Cross-encoder logits: abs <= 1e-4 + 1e-4 * |logit|.
    public static func logitBound(_ reference: Float) -> Float { 1e-4 + 1e-4 * abs(reference) }
}

public struct VectorDifference: CustomStringConvertible, Sendable {
    public let maxAbs: Float
    public let maxAbsIndex: Int
    public let oneMinusCosine: Double

    public var description: String {
        "max abs \(maxAbs) (component \(maxAbsIndex)), 1 - cos \(oneMinusCosine)"
    }

    public var withinEmbeddingTolerance: Bool {
        maxAbs <= Tolerance.embeddingMaxAbs && oneMinusCosine <= Tolerance.embeddingOneMinusCosine
    }
}

public func compare(_ actual: [Float], _ expected: [Float]) -> VectorDifference {
    precondition(actual.count == expected.count, "length \(actual.count) != \(expected.count)")
    var maxAbs: Float = 0
    var maxIndex = 0
    var dot = 0.0, na = 0.0, nb = 0.0
    for i in 0..<actual.count {
        let d = abs(actual[i] - expected[i])
        if d > maxAbs || d.isNaN { maxAbs = d; maxIndex = i }
        dot += Double(actual[i]) * Double(expected[i])
        na += Double(actual[i]) * Double(actual[i])
        nb += Double(expected[i]) * Double(expected[i])
    }
    let cosine = (na == 0 || nb == 0) ? (na == nb ? 1 : 0) : dot / (na.squareRoot() * nb.squareRoot())
    return VectorDifference(maxAbs: maxAbs, maxAbsIndex: maxIndex, oneMinusCosine: 1 - cosine)
}

/// Golden JSON helpers: `[Any]` of numbers to typed arrays.
public enum Golden {
    public static func floats(_ value: Any?) throws -> [Float] {
        guard let array = value as? [Any] else { throw FixtureError.malformed("expected a number array") }
        return try array.map {
            guard let n = $0 as? NSNumber else { throw FixtureError.malformed("expected a number") }
            return Float(n.doubleValue)
        }
    }

    public static func doubles(_ value: Any?) throws -> [Double] {
        guard let array = value as? [Any] else { throw FixtureError.malformed("expected a number array") }
        return try array.map {
            guard let n = $0 as? NSNumber else { throw FixtureError.malformed("expected a number") }
            return n.doubleValue
        }
    }

    public static func ints(_ value: Any?) throws -> [Int] {
        guard let array = value as? [Any] else { throw FixtureError.malformed("expected an integer array") }
        return try array.map {
            guard let n = $0 as? NSNumber else { throw FixtureError.malformed("expected an integer") }
            return n.intValue
        }
    }

    public static func cases(_ relativePath: String, key: String = "cases") throws -> [[String: Any]] {
        let root = try Fixtures.json(relativePath)
        if let dictionary = root as? [String: Any], let cases = dictionary[key] as? [[String: Any]] { return cases }
        if let cases = root as? [[String: Any]] { return cases }
        throw FixtureError.malformed("\(relativePath) has no '\(key)' array")
    }
}
