// Embedder parity: every golden text of the tiny model and of the real all-MiniLM-L6-v2 from the goldens'
// token ids, batching invariance, `dims` truncation and pooling modes. Max differences are printed.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

/// One golden embedding case: ids and the reference vector.
struct EmbeddingCase {
    let id: Int
    let inputIDs: [Int]
    let embedding: [Float]

    static func load(_ path: String) throws -> [EmbeddingCase] {
        try Golden.cases(path).map {
            EmbeddingCase(
                id: ($0["id"] as? NSNumber)?.intValue ?? -1,
                inputIDs: try Golden.ints($0["input_ids"]),
                embedding: try Golden.floats($0["embedding"]))
        }
    }
}

/// Compares embeddings with their goldens, prints the worst case, and expects every one within tolerance.
func expectEmbeddingsMatch(_ actual: [[Float]], _ cases: [EmbeddingCase], label: String) {
    #expect(actual.count == cases.count)
    var worstAbs: Float = 0, worstAbsCase = -1
    var worstCosine = 0.0
    for (vector, golden) in zip(actual, cases) {
        let difference = compare(vector, golden.embedding)
        if difference.maxAbs >= worstAbs { worstAbs = difference.maxAbs; worstAbsCase = golden.id }
        worstCosine = max(worstCosine, difference.oneMinusCosine)
        #expect(difference.withinEmbeddingTolerance, "\(label) case \(golden.id): \(difference)")
    }
    print("\(label): \(cases.count) embeddings, max abs \(worstAbs) (case \(worstAbsCase)), max 1-cos \(worstCosine)")
}

/// Largest component-wise difference between two lists of vectors.
func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    zip(a, b).map { compare($0, $1).maxAbs }.max() ?? 0
}

extension Embedder {
    /// The same model with products of up to `limit` rows on the panel kernel (0: all on OpenBLAS), the
    /// panels packed before it returns unless `packNow` is false (then the engine packs them itself, in the
    /// background after its first pass with such a product). `smallMatrixKernels` as BertEncoder's.
    func withPanelRowLimit(
        _ limit: Int, threads: Int = 2, packNow: Bool = true, smallMatrixKernels: Bool? = nil
    ) throws -> Embedder {
        let encoder = BertEncoder(
            config: config, weights: self.encoder.weights, configuration: .init(threads: threads), panelRowLimit: limit,
            smallMatrixKernels: smallMatrixKernels)
        if limit > 0, packNow { encoder.weights.packPanels() }
        return Embedder(directory: directory, encoder: encoder, tokenizer: tokenizer, pooling: pooling,
                        maxSequenceLength: maxSequenceLength, configuration: .init(threads: threads))
    }
}

@Suite struct TinyEmbedderTests {
    let embedder: Embedder
    let cases: [EmbeddingCase]

    init() throws {
        embedder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 2))
        cases = try EmbeddingCase.load("goldens/tiny_embedder_embeddings.json")
    }

    @Test func loadsConfiguration() {
        #expect(embedder.dimension == 16)
        #expect(embedder.maxSequenceLength == 64)
        #expect(embedder.pooling == EmbeddingPooling(modes: [.mean], normalizes: true))
        #expect(embedder.encoder.weights.prefix == "")
    }

    @Test func allGoldenEmbeddings() throws {
        let vectors = try embedder.embed(tokenIDs: cases.map(\.inputIDs))
        expectEmbeddingsMatch(vectors, cases, label: "tiny embedder")
    }

    @Test func embedsTextsThroughTheTokenizer() throws {
        let texts = try Golden.cases("goldens/tiny_embedder_embeddings.json").map { $0["text"] as! String }
        #expect(embedder.tokenizer.encode(texts, maxLength: 64).map(\.ids) == cases.map(\.inputIDs))
        expectEmbeddingsMatch(try embedder.embed(texts), cases, label: "tiny embedder from text")
    }

    @Test func batchingInvariance() throws {
        let ids = cases.map(\.inputIDs)
        let together = try embedder.embed(tokenIDs: ids)
        let alone = try ids.map { try embedder.embed(tokenIDs: [$0])[0] }
        let small = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 1, tokensPerBatch: 100))
        let chunked = try small.embed(tokenIDs: ids)
        let reversed = Array(try embedder.embed(tokenIDs: ids.reversed()).reversed())
        print("tiny batching: alone vs together \(maxDifference(alone, together)), 100-token chunks \(maxDifference(chunked, together)), reversed \(maxDifference(reversed, together))")
        #expect(maxDifference(alone, together) <= 1e-6)
        #expect(maxDifference(chunked, together) <= 1e-6)
        #expect(maxDifference(reversed, together) <= 1e-6)
    }

    /// Every product on the panel kernel (both schedules; C = 16 and I = 48 leave partial panels)
    /// matches the goldens, the all-OpenBLAS path, and itself alone against batched.
    @Test func panelKernelForEveryProduct() throws {
        let ids = cases.map(\.inputIDs)
        let panels = try embedder.withPanelRowLimit(1 << 20)
        let viaPanels = try panels.embed(tokenIDs: ids)
        expectEmbeddingsMatch(viaPanels, cases, label: "tiny embedder, every product on the panel kernel")
        let viaBLAS = try embedder.withPanelRowLimit(0).embed(tokenIDs: ids)
        let alone = try ids.map { try panels.embed(tokenIDs: [$0])[0] }
        print("tiny panel kernel (\(PanelKernelTarget.name) tile): vs OpenBLAS \(maxDifference(viaPanels, viaBLAS)), alone vs together \(maxDifference(alone, viaPanels))")
        #expect(maxDifference(viaPanels, viaBLAS) <= 1e-6)
        #expect(maxDifference(alone, viaPanels) <= 1e-6)
    }

    /// The engine packs the panels itself: not at load, not for a pass whose products are all larger
    /// than the limit, and after the first pass with a product within it, in the background; until a
    /// layer's panels are published its products run on OpenBLAS, and both give the goldens.
    @Test func panelsArePackedInTheBackgroundAfterTheFirstSmallPass() async throws {
        let fresh = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 2))
        let ids = cases.map(\.inputIDs)
        let longest = ids.map(\.count).max()!
        let engine = try fresh.withPanelRowLimit(longest - 1, packNow: false)
        #expect(!engine.encoder.weights.panelsPacked)
        let longText = ids.first { $0.count == longest }!
        _ = try engine.embed(tokenIDs: [longText])  // one product of `longest` rows: above the limit
        #expect(engine.encoder.weights.layers.allSatisfy { $0.panels == nil })
        #expect(engine.encoder.weights.panelPacking.claim(), "a pass of large products started no packing")

        let other = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 2))
            .withPanelRowLimit(longest - 1, packNow: false)
        let shortCases = cases.filter { $0.inputIDs.count < longest }
        let before = try shortCases.map { try other.embed(tokenIDs: [$0.inputIDs])[0] }
        try await eventually("every layer's panels published", within: .seconds(120)) { other.encoder.weights.panelsPacked }
        let after = try shortCases.map { try other.embed(tokenIDs: [$0.inputIDs])[0] }
        expectEmbeddingsMatch(before, shortCases, label: "tiny embedder, before the panels (OpenBLAS)")
        expectEmbeddingsMatch(after, shortCases, label: "tiny embedder, after the background packing")
        #expect(maxDifference(before, after) <= 1e-6)
    }

    /// A configuration can keep every product on OpenBLAS (a trial load does: its model runs once).
    @Test func aConfigurationCanTurnThePanelsOff() {
        var configuration = EngineConfiguration(threads: 2)
        #expect(BertEncoder.panelRowLimit(for: configuration, standard: 512) == 512)
        configuration.smallProductPanels = false
        #expect(BertEncoder.panelRowLimit(for: configuration, standard: 512) == 0)
        #expect(!EngineConfiguration.trial.smallProductPanels && EngineConfiguration.trial.threads == 1)
    }

    @Test func dimsTruncateAndRenormalise() throws {
        let ids = Array(cases.map(\.inputIDs).prefix(5))
        let full = try embedder.embed(tokenIDs: ids)
        let short = try embedder.embed(tokenIDs: ids, dims: 8)
        for (f, s) in zip(full, short) {
            #expect(s.count == 8)
            let head = Array(f.prefix(8))
            let norm = head.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(compare(s, head.map { $0 / norm }).maxAbs <= 1e-6)
            #expect(abs(s.reduce(0) { $0 + $1 * $1 } - 1) <= 1e-5)
        }
        #expect(try embedder.embed(tokenIDs: ids, dims: 16) == full)
        #expect(throws: EngineInputError.dimensionsOutOfRange(requested: 17, available: 16)) {
            try embedder.embed(tokenIDs: ids, dims: 17)
        }
        #expect(throws: EngineInputError.dimensionsOutOfRange(requested: 0, available: 16)) {
            try embedder.embed(tokenIDs: ids, dims: 0)
        }
    }

    @Test func rejectsBadInput() throws {
        #expect(throws: EngineInputError.emptySequence(index: 1)) { try embedder.embed(tokenIDs: [[101, 102], []]) }
        #expect(throws: EngineInputError.tokenOutOfRange(index: 0, position: 1, id: 30522, vocabularySize: 30522)) {
            try embedder.embed(tokenIDs: [[101, 30522, 102]])
        }
        #expect(throws: EngineInputError.sequenceTooLong(index: 0, length: 65, limit: 64)) {
            try embedder.embed(tokenIDs: [Array(repeating: 1000, count: 65)])
        }
        #expect(try embedder.embed(tokenIDs: []).isEmpty)
    }

    /// Pooling modes against the golden final hidden states of the trace texts.
    @Test func poolingModes() throws {
        let trace = try #require((try Fixtures.json("goldens/tiny_embedder_embeddings.json") as? [String: Any])?["trace"] as? [String: Any])
        let ids = try (trace["input_ids"] as! [Any]).map { try Golden.ints($0) }
        let hidden = try nestedFloats3((trace["hidden_states"] as! [Any]).last)  // final layer: [B][L][C]
        for (modes, normalizes) in [([PoolingMode.cls], false), ([.max], true), ([.meanSqrtLength], false), ([.cls, .mean], true)] {
            let pooling = EmbeddingPooling(modes: modes, normalizes: normalizes)
            let custom = Embedder(
                directory: embedder.directory, encoder: embedder.encoder, tokenizer: embedder.tokenizer, pooling: pooling,
                maxSequenceLength: 64, configuration: embedder.configuration)
            let vectors = try custom.embed(tokenIDs: ids)
            for (vector, rows) in zip(vectors, hidden) {
                var expected: [Float] = []
                for mode in modes {
                    switch mode {
                    case .cls: expected += rows[0]
                    case .max: expected += (0..<16).map { c in rows.map { $0[c] }.max()! }
                    case .mean: expected += (0..<16).map { c in rows.reduce(0) { $0 + $1[c] } / Float(rows.count) }
                    case .meanSqrtLength: expected += (0..<16).map { c in rows.reduce(0) { $0 + $1[c] } / Float(rows.count).squareRoot() }
                    }
                }
                if normalizes {
                    let norm = expected.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    expected = expected.map { $0 / norm }
                }
                let difference = compare(vector, expected)
                print("pooling \(modes) normalize \(normalizes): \(difference)")
                #expect(vector.count == 16 * modes.count)
                #expect(difference.maxAbs <= 1e-5)
            }
        }
    }

    @Test func readsPoolingConfigurations() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func write(_ path: String, _ text: String) throws {
            let url = directory.path(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        // no modules.json: a plain BertModel, mean pooling without normalisation
        #expect(try EmbeddingPooling.load(directory: directory.url) == EmbeddingPooling(modes: [.mean], normalizes: false))
        try write("modules.json", #"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"pool","type":"sentence_transformers.models.Pooling"}]"#)
        try write("pool/config.json", #"{"word_embedding_dimension":16,"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":false}"#)
        #expect(try EmbeddingPooling.load(directory: directory.url) == EmbeddingPooling(modes: [.cls], normalizes: false))
        try write("pool/config.json", #"{"pooling_mode_lasttoken":true}"#)
        #expect(throws: ModelConfigurationError.self) { try EmbeddingPooling.load(directory: directory.url) }
        try write("modules.json", #"[{"idx":0,"type":"sentence_transformers.models.Transformer"},{"idx":1,"path":"2_Dense","type":"sentence_transformers.models.Dense"}]"#)
        #expect(throws: ModelConfigurationError.self) { try EmbeddingPooling.load(directory: directory.url) }
    }
}

@Suite struct RealEmbedderTests {
    @Test func allGoldenEmbeddingsFromIDs() throws {
        let embedder = try Embedder.load(directory: try Fixtures.requireRealEmbedder())
        #expect(embedder.dimension == 384)
        #expect(embedder.maxSequenceLength == 256)
        let cases = try EmbeddingCase.load("goldens/minilm_embeddings.json")
        let vectors = try embedder.embed(tokenIDs: cases.map(\.inputIDs))
        expectEmbeddingsMatch(vectors, cases, label: "all-MiniLM-L6-v2")
    }

    @Test func allGoldenEmbeddingsFromText() throws {
        let embedder = try Embedder.load(directory: try Fixtures.requireRealEmbedder())
        let cases = try EmbeddingCase.load("goldens/minilm_embeddings.json")
        let texts = try Golden.cases("goldens/minilm_embeddings.json").map { $0["text"] as! String }
        let encodings = embedder.tokenizer.encode(texts, maxLength: embedder.maxSequenceLength)
        for (encoding, golden) in zip(encodings, cases) {
            #expect(encoding.ids == golden.inputIDs, "case \(golden.id): token ids differ")
        }
        // the ids are the goldens', so embedding them is the ids test; here the text path end to end on a sample
        let sample = cases.indices.filter { $0 % 5 == 0 }
        expectEmbeddingsMatch(try embedder.embed(sample.map { texts[$0] }), sample.map { cases[$0] }, label: "all-MiniLM-L6-v2 from text (every 5th)")
    }

    @Test func batchingInvariance() throws {
        let directory = try Fixtures.requireRealEmbedder()
        let embedder = try Embedder.load(directory: directory)
        // a third of the golden texts (debug builds are slow), the longest included
        let all = try EmbeddingCase.load("goldens/minilm_embeddings.json").map(\.inputIDs)
        let longest = all.indices.max { all[$0].count < all[$1].count }!
        let ids = all.indices.filter { $0 % 3 == 0 || $0 == longest }.map { all[$0] }
        let together = try embedder.embed(tokenIDs: ids)
        let alone = try ids.map { try embedder.embed(tokenIDs: [$0])[0] }
        let single = try Embedder.load(directory: directory, configuration: .init(threads: 1, tokensPerBatch: 300))
        let chunked = try single.embed(tokenIDs: ids)
        print("MiniLM batching: alone vs together \(maxDifference(alone, together)), 1 thread 300-token chunks vs together \(maxDifference(chunked, together))")
        #expect(maxDifference(alone, together) <= 1e-6)
        #expect(maxDifference(chunked, together) <= 1e-6)
    }

    /// Products of few rows run on the panel kernel from the pre-packed weights, larger ones on OpenBLAS;
    /// results must not depend on which path ran. MiniLM: short golden texts alone and together with
    /// every product on OpenBLAS against every product on the panels (a few texts: an unoptimised
    /// build runs the tile at ~0.1 GFLOP/s).
    @Test func panelPathMatchesOpenBLAS() throws {
        let directory = try Fixtures.requireRealEmbedder()
        let embedder = try Embedder.load(directory: directory)
        let ids = Array(try EmbeddingCase.load("goldens/minilm_embeddings.json").map(\.inputIDs).filter { $0.count <= 16 }.prefix(4))
        let results = try [0, 1 << 20].map { limit in
            let variant = try embedder.withPanelRowLimit(limit)
            #expect(variant.encoder.panelRowLimit == limit)
            return try ids.map { try variant.embed(tokenIDs: [$0])[0] } + variant.embed(tokenIDs: ids)
        }
        print("MiniLM panel kernel (\(PanelKernelTarget.name) tile) vs OpenBLAS: \(maxDifference(results[0], results[1]))")
        #expect(maxDifference(results[0], results[1]) <= 1e-6)
    }

    /// Before the panels are published, few-token products run in output blocks sized for OpenBLAS's
    /// small-matrix kernels when the selected kernel has them; results must not depend on which path ran.
    @Test func smallRowBlocksMatchTheWholeProduct() throws {
        let directory = try Fixtures.requireRealEmbedder()
        let embedder = try Embedder.load(directory: directory)
        let ids = try EmbeddingCase.load("goldens/minilm_embeddings.json").map(\.inputIDs).filter { $0.count <= 32 }.prefix(12)
        let results = try [false, true].map { small in
            let variant = try embedder.withPanelRowLimit(0, smallMatrixKernels: small)
            #expect((variant.encoder.smallMatrixBlock(rows: 10, outputs: 1536, inputs: 384) != nil) == small)
            return try ids.map { try variant.embed(tokenIDs: [$0])[0] }
        }
        print("MiniLM small-row blocks vs whole products: \(maxDifference(results[0], results[1]))")
        #expect(maxDifference(results[0], results[1]) <= 1e-6)
    }

    @Test func flopCountMatchesTheBenchmarkFormula() throws {
        let embedder = try Embedder.load(directory: try Fixtures.requireRealEmbedder())
        let flops = embedder.forwardFLOPs(tokenCounts: [128])
        let formula = 128 * (21.23e6 + 9216 * 128)
        #expect(abs(flops - formula) / formula < 1e-3)
    }
}
