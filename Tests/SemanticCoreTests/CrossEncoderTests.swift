// Cross-encoder parity on the tiny BertForSequenceClassification: all 60 golden pairs alone and batched,
// the pair-0 trace (hidden states, pooler), and the sigmoid helper. Max differences are printed.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct TinyCrossEncoderTests {
    struct PairCase {
        let id: Int
        let inputIDs: [Int]
        let typeIDs: [Int]
        let logit: Float
        let logitBatched: Float
        let predictDefault: Float
        let query: String
        let document: String
    }

    let model: CrossEncoder
    let cases: [PairCase]

    init() throws {
        model = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory, configuration: .init(threads: 2))
        cases = try Golden.cases("goldens/tiny_cross_encoder_logits.json").map {
            PairCase(
                id: ($0["id"] as? NSNumber)?.intValue ?? -1,
                inputIDs: try Golden.ints($0["input_ids"]), typeIDs: try Golden.ints($0["token_type_ids"]),
                logit: Float(($0["logit"] as! NSNumber).doubleValue),
                logitBatched: Float(($0["logit_batched"] as! NSNumber).doubleValue),
                predictDefault: Float(($0["crossencoder_predict_default"] as! NSNumber).doubleValue),
                query: $0["query"] as! String, document: $0["document"] as! String)
        }
    }

    func expectLogits(_ actual: [Float], _ expected: [Float], label: String) {
        #expect(actual.count == expected.count)
        var worst: Float = 0, worstCase = -1
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            let d = abs(a - e)
            if !(d <= worst) { worst = d; worstCase = cases[index].id }
            #expect(d <= Tolerance.logitBound(e), "\(label) case \(cases[index].id): \(a) vs \(e)")
        }
        print("tiny cross-encoder \(label): \(actual.count) logits, max abs \(worst) (case \(worstCase))")
    }

    @Test func loadsConfiguration() {
        #expect(model.maxSequenceLength == 512)
        #expect(model.predictActivation == .sigmoid)
        #expect(model.encoder.weights.prefix == "bert.")
    }

    @Test func logitsOnePairAtATime() throws {
        let logits = try cases.map { try model.logits(tokenIDs: [$0.inputIDs], typeIDs: [$0.typeIDs])[0] }
        expectLogits(logits, cases.map(\.logit), label: "single")
    }

    @Test func logitsBatched() throws {
        let logits = try model.logits(tokenIDs: cases.map(\.inputIDs), typeIDs: cases.map(\.typeIDs))
        expectLogits(logits, cases.map(\.logitBatched), label: "batched")
        let chunked = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory, configuration: .init(threads: 1, tokensPerBatch: 600))
            .logits(tokenIDs: cases.map(\.inputIDs), typeIDs: cases.map(\.typeIDs))
        let spread = zip(logits, chunked).map { abs($0 - $1) }.max() ?? 0
        print("tiny cross-encoder: one batch vs 600-token chunks on 1 thread \(spread)")
        // logits are O(1) un-normalised values (the goldens' own batched-vs-single spread is 1.2e-6)
        #expect(spread <= 1e-5)
    }

    @Test func scoresFromText() throws {
        var scores = [Float](repeating: .nan, count: cases.count)
        // one rerank call per query, documents in golden order
        var byQuery: [String: [Int]] = [:]
        for (index, pair) in cases.enumerated() { byQuery[pair.query, default: []].append(index) }
        for (query, indices) in byQuery {
            let logits = try model.scores(query: query, documents: indices.map { cases[$0].document })
            for (index, logit) in zip(indices, logits) { scores[index] = logit }
        }
        for pair in cases {
            let encoding = model.tokenizer.encodePair(pair.query, pair.document, maxLength: model.maxSequenceLength)
            #expect(encoding.ids == pair.inputIDs && encoding.typeIds == pair.typeIDs, "case \(pair.id): token ids differ")
        }
        expectLogits(scores, cases.map(\.logitBatched), label: "from text, \(byQuery.count) queries")
    }

    @Test func sigmoidMatchesPredictDefault() throws {
        let scores = CrossEncoder.sigmoid(try model.logits(tokenIDs: cases.map(\.inputIDs), typeIDs: cases.map(\.typeIDs)))
        let worst = zip(scores, cases.map(\.predictDefault)).map { abs($0 - $1) }.max() ?? 0
        print("tiny cross-encoder sigmoid vs predict(): max abs \(worst)")
        #expect(worst <= 1e-5)
        #expect(CrossEncoder.sigmoid([.nan, .infinity, -.infinity, 0]) == [0, 0, 0, 0.5])
    }

    @Test func pairZeroTrace() throws {
        let root = try #require(try Fixtures.json("goldens/tiny_cross_encoder_logits.json") as? [String: Any])
        let trace = try #require(root["trace_pair0"] as? [String: Any])
        let golden = try (trace["hidden_states"] as! [Any]).map { [try nestedFloats2($0)] }  // [layer][B=1][L][C]
        let traced = try traceEncoder(model.encoder, ids: [cases[0].inputIDs], types: [cases[0].typeIDs])
        let drift = compareLayers(golden: golden, lengths: [cases[0].inputIDs.count], traced: traced, hiddenSize: 16, tolerance: 1e-5, label: "tiny cross-encoder pair 0")
        #expect(drift == nil, "tiny cross-encoder drifts first at layer \(drift?.layer ?? -1): \(drift?.difference ?? 0) at \(drift?.where ?? "")")
    }

    @Test func rejectsMismatchedTypes() throws {
        #expect(throws: EngineInputError.typeCountMismatch(index: 0, tokens: 3, types: 2)) {
            try model.logits(tokenIDs: [[101, 7592, 102]], typeIDs: [[0, 0]])
        }
        #expect(throws: EngineInputError.sequenceCountMismatch(tokenSequences: 1, typeSequences: 0)) {
            try model.logits(tokenIDs: [[101, 102]], typeIDs: [])
        }
        #expect(throws: EngineInputError.typeOutOfRange(index: 0, position: 1, typeID: 2, typeVocabularySize: 2)) {
            try model.logits(tokenIDs: [[101, 102]], typeIDs: [[0, 2]])
        }
    }

    @Test func embedderFolderIsNotACrossEncoder() throws {
        #expect(throws: ModelConfigurationError.self) { try CrossEncoder.load(directory: Fixtures.tinyEmbedderDirectory) }
    }
}
