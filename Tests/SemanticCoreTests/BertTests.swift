// BERT encoder: config decoding, weight loading errors, and per-layer parity with the goldens' traces
// (tiny embedder, real all-MiniLM-L6-v2). A drift is reported at the first layer where it appears.
import Foundation
import Synchronization
import Testing
import SemanticTestSupport
@testable import SemanticCore

func nestedFloats2(_ value: Any?) throws -> [[Float]] {
    guard let rows = value as? [Any] else { throw FixtureError.malformed("expected a 2-D array") }
    return try rows.map { try Golden.floats($0) }
}

func nestedFloats3(_ value: Any?) throws -> [[[Float]]] {
    guard let items = value as? [Any] else { throw FixtureError.malformed("expected a 3-D array") }
    return try items.map { try nestedFloats2($0) }
}

/// Captures the encoder's trace points for one packed batch.
func traceEncoder(_ encoder: BertEncoder, ids: [[Int]], types: [[Int]]? = nil) throws -> [BertTracePoint: [Float]] {
    let batch = try PackedBatch(
        sequences: ids[...], types: types.map { $0[...] }, config: encoder.config, maxLength: encoder.config.maxPositionEmbeddings)
    var captured: [BertTracePoint: [Float]] = [:]
    encoder.workspaces.withWorkspace { workspace in
        _ = encoder.forward(batch, workspace: workspace) { point, values in captured[point] = Array(values) }
    }
    return captured
}

/// Compares golden per-layer states [layer][B][Lpadded][C] with the packed trace, row by row for the
/// unpadded tokens of each sequence. Prints every layer's max difference and returns the first layer
/// whose difference exceeds `tolerance`, with that difference.
func compareLayers(
    golden: [[[[Float]]]], lengths: [Int], traced: [BertTracePoint: [Float]], hiddenSize c: Int, tolerance: Float, label: String
) -> (layer: Int, difference: Float, where: String)? {
    var firstDrift: (Int, Float, String)?
    for (layer, states) in golden.enumerated() {
        let point: BertTracePoint = layer == 0 ? .embeddings : .layerOutput(layer: layer - 1)
        guard let ours = traced[point] else { Issue.record("no trace for \(point)"); return nil }
        var worst: Float = 0, worstAt = ""
        var row = 0
        for (b, sequence) in states.enumerated() {
            for position in 0..<lengths[b] {
                for column in 0..<c {
                    let d = abs(ours[(row + position) * c + column] - sequence[position][column])
                    if !(d <= worst) { worst = d; worstAt = "sequence \(b), token \(position), component \(column)" }
                }
            }
            row += lengths[b]
        }
        let name = layer == 0 ? "embeddings" : "layer \(layer)"
        print("\(label) \(name): max abs \(worst) at \(worstAt)")
        if firstDrift == nil, !(worst <= tolerance) { firstDrift = (layer, worst, worstAt) }
    }
    return firstDrift
}

@Suite struct BertConfigTests {
    @Test func decodesMiniLMShapedConfig() throws {
        let config = try BertConfig.load(from: Fixtures.tinyEmbedderDirectory.appendingPathComponent("config.json"))
        #expect(config.hiddenSize == 16)
        #expect(config.numHiddenLayers == 3)
        #expect(config.numAttentionHeads == 2)
        #expect(config.headSize == 8)
        #expect(config.intermediateSize == 48)
        #expect(config.layerNormEps == 1e-12)
        #expect(config.hiddenActivation == .geluErf)
        let crossConfig = try BertConfig.load(from: Fixtures.tinyCrossEncoderDirectory.appendingPathComponent("config.json"))
        #expect(crossConfig.numLabels == 1)
    }

    @Test func defaultsAbsentKeysLikeTransformers() throws {
        let config = try BertConfig(json: ["hidden_size": 64, "num_attention_heads": 4])
        #expect(config.numHiddenLayers == 12)
        #expect(config.intermediateSize == 3072)
        #expect(config.maxPositionEmbeddings == 512)
        #expect(config.typeVocabSize == 2)
        #expect(config.layerNormEps == 1e-12)
    }

    @Test func rejectsWhatTheEngineDoesNotImplement() throws {
        #expect(throws: ModelConfigurationError.self) { try BertConfig(json: ["hidden_act": "relu"]) }
        #expect(throws: ModelConfigurationError.self) { try BertConfig(json: ["hidden_size": 100, "num_attention_heads": 12]) }
        #expect(throws: ModelConfigurationError.self) { try BertConfig(json: ["position_embedding_type": "relative_key"]) }
        #expect(throws: ModelConfigurationError.self) { try BertConfig(json: ["model_type": "roberta"]) }
        #expect(throws: ModelConfigurationError.self) { try BertConfig(json: ["num_hidden_layers": -1]) }
        #expect(try BertConfig(json: ["hidden_act": "gelu_new"]).hiddenActivation == .geluTanh)
        do {
            _ = try BertConfig(json: ["hidden_act": "swish"])
        } catch {
            print("as the user sees it: \(error)")
            #expect("\(error)".contains("swish"))
        }
    }
}

@Suite struct BertWeightLoadingTests {
    @Test func missingTensorIsNamedWithTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try SafetensorsFixture.corruptedTinyCopy(in: directory) { $0["encoder.layer.2.output.LayerNorm.bias"] = nil }
        let config = try BertConfig.load(from: Fixtures.tinyEmbedderDirectory.appendingPathComponent("config.json"))
        let error = expectSafetensorsError { _ = try BertWeights(file: SafetensorsFile(url: url), config: config) }
        #expect(error == .missingTensor(path: url.path, tensor: "encoder.layer.2.output.LayerNorm.bias"))
    }

    @Test func configAndWeightsDisagree() throws {
        var config = try BertConfig.load(from: Fixtures.tinyEmbedderDirectory.appendingPathComponent("config.json"))
        config.intermediateSize = 64
        let url = Fixtures.tinyEmbedderDirectory.appendingPathComponent("model.safetensors")
        let error = expectSafetensorsError { _ = try BertWeights(file: SafetensorsFile(url: url), config: config) }
        #expect(error == .wrongShape(path: url.path, tensor: "encoder.layer.0.intermediate.dense.weight", expected: [64, 16], found: [48, 16]))
    }

    @Test func notABertFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("model.safetensors")
        try SafetensorsFixture.write(header: ["x": ["dtype": "F32", "shape": [1], "data_offsets": [0, 4]]], data: [0, 0, 0, 0], to: url)
        let error = expectSafetensorsError { _ = try BertWeights(file: SafetensorsFile(url: url), config: BertConfig()) }
        #expect(error == .missingTensor(path: url.path, tensor: "embeddings.word_embeddings.weight"))
    }

    @Test func prefixedWeightsAndPackedProjections() throws {
        let file = try SafetensorsFile(url: Fixtures.tinyCrossEncoderDirectory.appendingPathComponent("model.safetensors"))
        let config = try BertConfig.load(from: Fixtures.tinyCrossEncoderDirectory.appendingPathComponent("config.json"))
        let weights = try BertWeights(file: file, config: config)
        #expect(weights.prefix == "bert.")
        #expect(weights.pooler != nil)
        #expect(weights.embeddings.word.isViewOfFile)
        let packed = weights.layers[1].qkvWeight.scalars
        let key = try file.floats("bert.encoder.layer.1.attention.self.key.weight").scalars
        #expect(Array(packed[256..<512]) == key)
    }

    @Test func modelFolderWithoutWeights() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.copyItem(
            at: Fixtures.tinyEmbedderDirectory.appendingPathComponent("config.json"), to: directory.path("config.json"))
        do {
            _ = try Embedder.load(directory: directory.url)
            Issue.record("expected an error")
        } catch {
            print("as the user sees it: \(error)")
            #expect("\(error)".contains("model.safetensors"))
            #expect("\(error)".contains("make models"))
        }
    }
}

@Suite struct BertTraceTests {
    @Test func tinyEmbedderLayers() throws {
        let root = try #require(try Fixtures.json("goldens/tiny_embedder_embeddings.json") as? [String: Any])
        let trace = try #require(root["trace"] as? [String: Any])
        let ids = try (trace["input_ids"] as! [Any]).map { try Golden.ints($0) }
        let masks = try (trace["attention_mask"] as! [Any]).map { try Golden.ints($0) }
        let golden = try (trace["hidden_states"] as! [Any]).map { try nestedFloats3($0) }
        let encoder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).encoder
        let traced = try traceEncoder(encoder, ids: ids)
        let drift = compareLayers(
            golden: golden, lengths: masks.map { $0.reduce(0, +) }, traced: traced, hiddenSize: 16, tolerance: 1e-5, label: "tiny")
        #expect(drift == nil, "tiny embedder drifts first at layer \(drift?.layer ?? -1): max abs \(drift?.difference ?? 0) at \(drift?.where ?? "")")
    }

    @Test func realMiniLMLayers() throws {
        let directory = try Fixtures.requireRealEmbedder()
        let trace = try #require(try Fixtures.json("goldens/minilm_trace.json") as? [String: Any])
        let masks = try (trace["attention_mask"] as! [Any]).map { try Golden.ints($0) }
        let lengths = masks.map { $0.reduce(0, +) }
        let ids = try (trace["input_ids"] as! [Any]).enumerated().map { try Array(Golden.ints($1).prefix(lengths[$0])) }
        let golden = try (trace["hidden_states"] as! [Any]).map { try nestedFloats3($0) }
        let encoder = try Embedder.load(directory: directory).encoder
        let traced = try traceEncoder(encoder, ids: ids)

        // layer 0 projections of sequence 0 (before the head split)
        let projections = try #require(traced[.projections(layer: 0)])
        let c = 384
        for (offset, key) in [(0, "layer0_q"), (c, "layer0_k"), (2 * c, "layer0_v")] {
            let expected = try nestedFloats2(trace[key])
            var worst: Float = 0
            for (row, values) in expected.enumerated() {
                for column in 0..<c { worst = max(worst, abs(projections[row * 3 * c + offset + column] - values[column])) }
            }
            print("MiniLM \(key): max abs \(worst)")
            #expect(worst <= 1e-4, "\(key) differs by \(worst)")
        }

        let drift = compareLayers(golden: golden, lengths: lengths, traced: traced, hiddenSize: c, tolerance: 1e-4, label: "MiniLM")
        #expect(drift == nil, "all-MiniLM-L6-v2 drifts first at \(drift.map { $0.layer == 0 ? "the embeddings" : "layer \($0.layer)" } ?? ""): max abs \(drift?.difference ?? 0) at \(drift?.where ?? "") (tolerance 1e-4); earlier layers agree, so look at that block")
    }
}

@Suite struct BertScheduleTests {
    /// The group schedule (threads carry whole groups of sequences through all layers) and the layer
    /// schedule (threads share each product) compute the same hidden states.
    @Test func groupAndLayerSchedulesAgree() throws {
        for directory in [Fixtures.tinyEmbedderDirectory, try Fixtures.requireRealEmbedder()] {
            let embedder = try Embedder.load(directory: directory, configuration: .init(threads: 2))
            let ids = try EmbeddingCase.load("goldens/minilm_embeddings.json").map { Array($0.inputIDs.prefix(embedder.maxSequenceLength)) }
            let batch = try PackedBatch(sequences: ids[...], types: nil, config: embedder.config, maxLength: embedder.maxSequenceLength)
            let encoder = embedder.encoder
            #expect(encoder.groupPlan(batch, threads: encoder.parallel.threads).count >= 2)
            var byGroups: [Float] = [], byLayers: [Float] = []
            encoder.workspaces.withWorkspace { workspace in
                let hidden = encoder.forward(batch, workspace: workspace)
                byGroups = Array(UnsafeBufferPointer(start: hidden, count: batch.tokenCount * embedder.config.hiddenSize))
                let traced = encoder.forward(batch, workspace: workspace) { _, _ in }
                byLayers = Array(UnsafeBufferPointer(start: traced, count: batch.tokenCount * embedder.config.hiddenSize))
            }
            let difference = zip(byGroups, byLayers).map { abs($0 - $1) }.max() ?? 0
            print("\(directory.lastPathComponent): group vs layer schedule, \(batch.tokenCount) tokens in \(encoder.groupPlan(batch, threads: encoder.parallel.threads).count) groups: max abs \(difference)")
            #expect(difference <= 1e-5)
        }
    }

    @Test func groupPlanKeepsSequencesWholeAndInOrder() throws {
        let config = try BertConfig.load(from: Fixtures.tinyEmbedderDirectory.appendingPathComponent("config.json"))
        let encoder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 2)).encoder
        let lengths = [10, 300, 20, 20, 20, 500, 3, 3, 3, 3, 64, 64, 64, 64, 64]
        let batch = try PackedBatch(sequences: lengths.map { Array(repeating: 1000, count: $0) }[...], types: nil, config: config, maxLength: 512)
        let groups = encoder.groupPlan(batch, threads: encoder.parallel.threads)
        #expect(groups.flatMap { Array($0) } == Array(0..<lengths.count))
        #expect(groups.allSatisfy { $0.count == 1 || $0.map { lengths[$0] }.reduce(0, +) <= 512 })
        let one = try PackedBatch(sequences: [[101, 102]][...], types: nil, config: config, maxLength: 512)
        #expect(encoder.groupPlan(one, threads: encoder.parallel.threads).isEmpty)
    }

    /// The pause point runs four times a layer (before each block and after its first product), and
    /// a caller that pauses there changes nothing in the vectors.
    @Test func thePausePointRunsFourTimesALayerAndChangesNothing() throws {
        let embedder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 1))
        let ids = [[101, 2000, 2001, 102], [101, 2002, 102]]
        let calls = Mutex(0)
        let paused = try embedder.embed(tokenIDs: ids, threads: 1, pausePoint: {
            calls.withLock { $0 += 1 }
            usleep(1_000)  // the pause itself, the thing under test (not a synchronisation)
        })
        #expect(calls.withLock { $0 } == 4 * embedder.config.numHiddenLayers)
        #expect(try embedder.embed(tokenIDs: ids, threads: 1) == paused)
    }

    /// A few short texts (a merged batch of queries) take the layer schedule: groups would be too small
    /// to balance (seven 10-token texts made groups of 60 and 10 tokens, twice as slow as sharing each
    /// product). A batch worth two groups of 64 tokens per thread takes the group schedule, with one
    /// group per thread until two per thread would each keep `preferredGroupTokens`.
    @Test func fewShortTextsShareEachProduct() throws {
        let config = try BertConfig.load(from: Fixtures.tinyEmbedderDirectory.appendingPathComponent("config.json"))
        let encoder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory, configuration: .init(threads: 2)).encoder
        func plan(_ count: Int, length: Int) throws -> [Range<Int>] {
            let batch = try PackedBatch(sequences: Array(repeating: Array(repeating: 1000, count: length), count: count)[...],
                                        types: nil, config: config, maxLength: 512)
            return encoder.groupPlan(batch, threads: 2)
        }
        for count in 1...8 { #expect(try plan(count, length: 10).isEmpty) }
        #expect(try plan(3, length: 200).isEmpty)  // three sequences cannot make two groups per thread
        // two groups per thread only when each keeps `preferredGroupTokens`: otherwise one per thread
        #expect(try plan(32, length: 10).map(\.count) == [16, 16])
        #expect(try plan(32, length: 20).map(\.count) == [16, 16])
        #expect(try plan(64, length: 20).map(\.count) == [16, 16, 16, 16])
    }
}

