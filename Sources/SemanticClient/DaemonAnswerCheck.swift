// What the client checks in a daemon's Embed and Rerank answers before returning them, so a daemon
// that answers wrongly (an older build, a different program on the socket, a bug) can never hand a
// caller vectors that do not belong to its texts: the model is the one asked for (its id or a known
// alias), one vector per text, every vector as long as the model's dimension or the `dims` asked for,
// every value finite (cass's own client checks count, dimension and finiteness the same way). A failed
// check is a typed `DaemonAnswerProblem`; the serving policy decides whether the in-process engine
// answers instead. Pure: looks at values, never at the socket.
import SemanticCore

/// How a daemon's answer broke what the request asked for.
public enum DaemonAnswerProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The answer names another model than the one asked for (`asked` resolves to `expected`).
    case wrongModel(asked: String, expected: String, answered: String)
    /// Not one vector (or score) per text (or document).
    case wrongCount(expected: Int, answered: Int)
    /// A vector of another length than the model's dimension, or the `dims` asked for.
    case wrongDimension(text: Int, expected: Int, answered: Int)
    /// A vector component that is NaN or infinite.
    case nonFiniteValue(text: Int, component: Int)
    /// A rerank score that is NaN or infinite.
    case nonFiniteScore(document: Int)

    public var description: String {
        switch self {
        case .wrongModel(let asked, let expected, let answered):
            return "the daemon answered with model '\(answered)' for '\(asked)', which is \(expected)"
        case .wrongCount(let expected, let answered):
            return "the daemon answered \(answered) results for \(expected) inputs"
        case .wrongDimension(let text, let expected, let answered):
            return "the daemon's vector for text \(text) has \(answered) values, expected \(expected)"
        case .nonFiniteValue(let text, let component):
            return "the daemon's vector for text \(text) has a value that is not finite (component \(component))"
        case .nonFiniteScore(let document):
            return "the daemon's score for document \(document) is not finite"
        }
    }
}

enum DaemonAnswerCheck {
    /// Checks an Embed answer for `textCount` texts asked of `model` with `dims`; returns the vectors'
    /// dimension. A model the client's registry does not know (a daemon may serve more) is taken by its
    /// answered id, and its vectors need only agree with each other and with `dims`.
    static func embed(vectors: [[Float]], answeredModel: String, textCount: Int, model: String, dims: Int?,
                      registry: ModelRegistry) throws(DaemonAnswerProblem) -> Int {
        let asked = model.isEmpty ? "default" : model
        let descriptor = try? registry.resolve(asked, kind: .embedder)
        if let descriptor, !descriptor.answers(to: answeredModel) {
            throw .wrongModel(asked: asked, expected: descriptor.id, answered: answeredModel)
        }
        guard vectors.count == textCount else { throw .wrongCount(expected: textCount, answered: vectors.count) }
        let expected = dims ?? descriptor?.dimension ?? vectors.first?.count ?? 0
        for (text, vector) in vectors.enumerated() {
            guard vector.count == expected else {
                throw .wrongDimension(text: text, expected: expected, answered: vector.count)
            }
            if let component = vector.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteValue(text: text, component: component)
            }
        }
        return expected
    }

    /// Checks a Rerank answer for `documentCount` documents asked of `model`.
    static func rerank(scores: [Float], answeredModel: String, documentCount: Int, model: String,
                       registry: ModelRegistry) throws(DaemonAnswerProblem) {
        let asked = model.isEmpty ? "default" : model
        if let descriptor = try? registry.resolve(asked, kind: .reranker), !descriptor.answers(to: answeredModel) {
            throw .wrongModel(asked: asked, expected: descriptor.id, answered: answeredModel)
        }
        guard scores.count == documentCount else { throw .wrongCount(expected: documentCount, answered: scores.count) }
        if let document = scores.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteScore(document: document) }
    }
}

extension ModelDescriptor {
    /// Whether a daemon answering as `name` served this model: its id or one of its aliases.
    func answers(to name: String) -> Bool {
        let name = name.lowercased()
        return id.lowercased() == name || aliases.contains { $0.lowercased() == name }
    }
}
