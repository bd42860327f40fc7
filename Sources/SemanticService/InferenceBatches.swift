// What the inference scheduler queues and runs: token sequences of one model, merged into batches,
// each answered with one row of floats — an embedding, or a cross-encoder's one logit. The runner
// checks that every batch holds what its model takes and that every row has the model's shape, so a
// mismatch fails loudly instead of becoming an empty vector or a NaN score.
import SemanticCore

/// Which model a batch runs, and how: requests merge only with requests of the same kind.
enum BatchKind: Hashable, Sendable {
    case embed(modelID: String, dims: Int?)
    case rerank(modelID: String)
}

/// One tokenized input: a text (no type ids), or a query-document pair with its token types.
struct TokenSequence: Sendable {
    let ids: [Int]
    let typeIDs: [Int]?

    var count: Int { ids.count }
}

typealias ServiceScheduler = InferenceScheduler<BatchKind, TokenSequence, [Float]>

enum BatchRunner {
    /// Runs one batch on the models resident in `store`: one row per sequence, in order.
    static func run(_ kind: BatchKind, _ sequences: [TokenSequence], store: ModelStore, threads: Int?,
                    pausePoint: (@Sendable () -> Void)?) throws -> [[Float]] {
        switch kind {
        case .embed(let modelID, let dims):
            guard let embedder = store.embedders.loaded(modelID) else {
                throw ServiceError.modelLoadFailed(model: modelID, message: "not loaded")
            }
            guard sequences.allSatisfy({ $0.typeIDs == nil }) else {
                throw ServiceError.internalFailure("an embedding batch of \(modelID) holds a sentence pair")
            }
            return try embedder.embed(tokenIDs: sequences.map(\.ids), dims: dims, threads: threads, pausePoint: pausePoint)
        case .rerank(let modelID):
            guard let crossEncoder = store.rerankers.loaded(modelID) else {
                throw ServiceError.modelLoadFailed(model: modelID, message: "not loaded")
            }
            var typeIDs: [[Int]] = []
            typeIDs.reserveCapacity(sequences.count)
            for sequence in sequences {
                guard let types = sequence.typeIDs else {
                    throw ServiceError.internalFailure("a rerank batch of \(modelID) holds a sequence without token types")
                }
                typeIDs.append(types)
            }
            return try crossEncoder.logits(tokenIDs: sequences.map(\.ids), typeIDs: typeIDs).map { [$0] }
        }
    }
}

/// Lets the background lane's engine calls reach the scheduler that runs them (which is built with
/// the closure that makes those calls, so it is set just after).
final class PauseForwarder: @unchecked Sendable {
    /// Set once, right after the scheduler is built, before any batch runs (weak: the scheduler owns
    /// the closure that owns this).
    weak var scheduler: ServiceScheduler?

    func pause() { scheduler?.pauseForInteractiveWork() }
}
