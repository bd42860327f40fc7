// AttestedResponseShape: what an attested answer must look like for its challenge (spec §5.3):
// how many rows, how long each row is, and that every value is finite and no embedding row is all
// zeros. Both the signer (which refuses to sign anything else) and the verifier (which refuses to
// accept anything else) apply it. Pure arithmetic over the vectors; never modifies them.
import SemanticWire

public enum AttestedResponseShape {
    /// Rows an answer carries: none for handshake and health, one for embed and rerank (the score
    /// row), one per input for embed_batch.
    public static func expectedVectorCount(for challenge: DaemonChallengeV1) -> UInt32 {
        switch challenge.operation {
        case .handshake, .health: return 0
        case .embed, .rerank: return 1
        case .embedBatch: return challenge.inputCount
        }
    }

    /// The `vector_dimension` an attestation states: the space's dimension, except for rerank, whose
    /// single row holds one score per document (input count − 1). Nil for a rerank challenge without
    /// inputs, which has no dimension.
    public static func expectedDimension(for challenge: DaemonChallengeV1, spaceDimension: UInt32) -> UInt32? {
        switch challenge.operation {
        case .rerank: return challenge.inputCount == 0 ? nil : challenge.inputCount - 1
        case .handshake, .health, .embed, .embedBatch: return spaceDimension
        }
    }

    /// Throws unless `vectors` has the expected rows, each of the expected length, all finite, and
    /// (except for rerank scores) each with at least one non-zero value.
    public static func check(_ vectors: [[Float]], for challenge: DaemonChallengeV1,
                             spaceDimension: UInt32) throws(ResponseShapeError) {
        let expectedCount = expectedVectorCount(for: challenge)
        guard vectors.count == Int(expectedCount) else {
            throw ResponseShapeError.wrongVectorCount(expected: Int(expectedCount), found: vectors.count)
        }
        guard let dimension = expectedDimension(for: challenge, spaceDimension: spaceDimension) else {
            throw ResponseShapeError.noDimension
        }
        let requiresSignal = challenge.operation != .rerank
        for (row, vector) in vectors.enumerated() {
            guard vector.count == Int(dimension) else {
                throw ResponseShapeError.wrongRowLength(row: row, expected: Int(dimension), found: vector.count)
            }
            if let column = vector.firstIndex(where: { !$0.isFinite }) {
                throw ResponseShapeError.nonFiniteValue(row: row, column: column)
            }
            if requiresSignal && vector.allSatisfy({ $0 == 0 }) {
                throw ResponseShapeError.allZeroRow(row: row)
            }
        }
    }
}

/// How an answer's vectors differ from what its challenge allows.
public enum ResponseShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongVectorCount(expected: Int, found: Int)
    case wrongRowLength(row: Int, expected: Int, found: Int)
    case nonFiniteValue(row: Int, column: Int)
    /// An embedding row of zeros only (a rerank row may be all zeros).
    case allZeroRow(row: Int)
    /// A rerank challenge without inputs: its score row has no length.
    case noDimension

    public var description: String {
        switch self {
        case .wrongVectorCount(let expected, let found): return "expected \(expected) row(s), found \(found)"
        case .wrongRowLength(let row, let expected, let found): return "row \(row) has \(found) values, expected \(expected)"
        case .nonFiniteValue(let row, let column): return "row \(row) holds a non-finite value at \(column)"
        case .allZeroRow(let row): return "embedding row \(row) is all zeros"
        case .noDimension: return "a rerank challenge without inputs has no score row length"
        }
    }
}
