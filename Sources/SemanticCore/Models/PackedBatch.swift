// Sequences of token ids packed end to end into one token axis, so every linear layer runs on a single
// [T, C] matrix without padding; attention then runs per sequence. Also the planner that cuts a long
// list of sequences into packed batches under a token budget, in arrival order.

/// Why a token sequence cannot be run through the encoder.
public enum EngineInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptySequence(index: Int)
    case sequenceTooLong(index: Int, length: Int, limit: Int)
    case tokenOutOfRange(index: Int, position: Int, id: Int, vocabularySize: Int)
    case typeOutOfRange(index: Int, position: Int, typeID: Int, typeVocabularySize: Int)
    case typeCountMismatch(index: Int, tokens: Int, types: Int)
    case sequenceCountMismatch(tokenSequences: Int, typeSequences: Int)
    case dimensionsOutOfRange(requested: Int, available: Int)

    public var description: String {
        switch self {
        case let .emptySequence(index):
            return "sequence \(index) has no tokens; expected at least [CLS] and [SEP]"
        case let .sequenceTooLong(index, length, limit):
            return "sequence \(index) has \(length) tokens; the model accepts at most \(limit) (truncate it first)"
        case let .tokenOutOfRange(index, position, id, size):
            return "sequence \(index), position \(position): token id \(id) is outside the vocabulary [0, \(size))"
        case let .typeOutOfRange(index, position, type, size):
            return "sequence \(index), position \(position): token type \(type) is outside [0, \(size))"
        case let .typeCountMismatch(index, tokens, types):
            return "sequence \(index) has \(tokens) token ids but \(types) token type ids"
        case let .sequenceCountMismatch(tokens, types):
            return "\(tokens) token sequences but \(types) token type sequences"
        case let .dimensionsOutOfRange(requested, available):
            return "dims \(requested) requested; expected 1...\(available) (the model's embedding size)"
        }
    }
}

/// B sequences laid end to end: sequence b owns token rows starts[b]..<starts[b+1].
struct PackedBatch: Sendable {
    let tokenIDs: [Int32]   // [T]
    let typeIDs: [Int32]    // [T]
    let starts: [Int]       // [B + 1]

    var sequenceCount: Int { starts.count - 1 }
    var tokenCount: Int { starts[starts.count - 1] }
    func length(_ b: Int) -> Int { starts[b + 1] - starts[b] }
    var maxLength: Int { (0..<sequenceCount).map(length).max() ?? 0 }

    /// Packs `sequences[range]` (type ids all 0 when `types` is nil), validating every id against `config`.
    /// `indexOffset` makes error messages name the caller's sequence numbers.
    init(sequences: ArraySlice<[Int]>, types: ArraySlice<[Int]>?, config: BertConfig, maxLength: Int) throws {
        var tokenIDs: [Int32] = []
        var typeIDs: [Int32] = []
        var starts: [Int] = [0]
        let total = sequences.reduce(0) { $0 + $1.count }
        tokenIDs.reserveCapacity(total)
        typeIDs.reserveCapacity(total)
        for index in sequences.indices {
            let ids = sequences[index]
            guard !ids.isEmpty else { throw EngineInputError.emptySequence(index: index) }
            guard ids.count <= maxLength else {
                throw EngineInputError.sequenceTooLong(index: index, length: ids.count, limit: maxLength)
            }
            for (position, id) in ids.enumerated() {
                guard id >= 0, id < config.vocabSize else {
                    throw EngineInputError.tokenOutOfRange(index: index, position: position, id: id, vocabularySize: config.vocabSize)
                }
                tokenIDs.append(Int32(id))
            }
            if let types {
                let typeRow = types[index]
                guard typeRow.count == ids.count else {
                    throw EngineInputError.typeCountMismatch(index: index, tokens: ids.count, types: typeRow.count)
                }
                for (position, type) in typeRow.enumerated() {
                    guard type >= 0, type < config.typeVocabSize else {
                        throw EngineInputError.typeOutOfRange(index: index, position: position, typeID: type, typeVocabularySize: config.typeVocabSize)
                    }
                    typeIDs.append(Int32(type))
                }
            } else {
                typeIDs.append(contentsOf: repeatElement(0, count: ids.count))
            }
            starts.append(tokenIDs.count)
        }
        self.tokenIDs = tokenIDs
        self.typeIDs = typeIDs
        self.starts = starts
    }
}

enum BatchPlanner {
    /// Cuts sequences of the given lengths into consecutive ranges of at most `tokenBudget` tokens each
    /// (a sequence longer than the budget gets a range of its own). Order is preserved.
    static func ranges(lengths: [Int], tokenBudget: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (index, length) in lengths.enumerated() {
            if index > start, tokens + length > tokenBudget {
                ranges.append(start..<index)
                start = index
                tokens = 0
            }
            tokens += length
        }
        if start < lengths.count { ranges.append(start..<lengths.count) }
        return ranges
    }
}
