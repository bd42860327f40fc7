// The test support's model builders: SafetensorsWriter's files read back tensor for tensor through
// SafetensorsFile and it refuses what would make a broken one; SeededCrossEncoder built from the tiny
// embedder (hidden size 16, not MiniLM's 384) loads as a CrossEncoder with a head of that width, keeps
// the encoder's tensors byte for byte, and draws the head's values from the peers' generator.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct ModelBuilderTests {
    @Test func aWrittenFileReadsBackTensorForTensor() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var writer = SafetensorsWriter()
        try writer.add("weights", shape: [2, 3], floats: [1, -2, 3.5, 4, 5, 6])
        let positions: [Int64] = [7, -8]
        try positions.withUnsafeBytes { try writer.add("positions", dtype: .i64, shape: [2], bytes: $0) }
        try writer.add("bias", shape: [1], floats: [0.25])
        let url = directory.path("model.safetensors")
        try writer.write(to: url)

        let file = try SafetensorsFile(url: url)
        #expect(file.tensorNames == ["bias", "positions", "weights"])
        #expect(try file.floats("weights", shape: [2, 3]).scalars == [1, -2, 3.5, 4, 5, 6])
        #expect(try file.floats("bias", shape: [1]).scalars == [0.25])
        let entry = try file.entry("positions")
        #expect(entry.dtype == .i64 && entry.shape == [2])
        #expect(Array(file.rawBytes(of: entry)) == positions.withUnsafeBytes { Array($0) })
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0, "the data section starts 8-byte aligned")
    }

    @Test func aTensorWhoseBytesDoNotFitItsShapeIsRefused() throws {
        var writer = SafetensorsWriter()
        let error = #expect(throws: FixtureError.self) { try writer.add("weights", shape: [2, 2], floats: [1, 2, 3]) }
        #expect("\(error!)".contains("weights of shape [2, 2] (F32) needs 16 bytes, given 12"), "\(error!)")
        try writer.add("weights", shape: [3], floats: [1, 2, 3])
        let twice = #expect(throws: FixtureError.self) { try writer.add("weights", shape: [1], floats: [1]) }
        #expect("\(twice!)".contains("weights added twice"))
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = directory.path("model.safetensors")
        try Data("keep".utf8).write(to: url)
        var writer = SafetensorsWriter()
        try writer.add("bias", shape: [1], floats: [1])
        #expect(throws: FixtureError.self) { try writer.write(to: url) }
        #expect(try Data(contentsOf: url) == Data("keep".utf8))
    }

    @Test func theCrossEncoderOfTheTinyEmbedderHasAHeadOfItsOwnWidth() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let destination = directory.path("cross-encoder")
        try SeededCrossEncoder.write(from: Fixtures.tinyEmbedderDirectory, to: destination)

        let crossEncoder = try CrossEncoder.load(directory: destination)
        #expect(crossEncoder.config.hiddenSize == 16 && crossEncoder.config.numLabels == 1)
        let scores = try crossEncoder.scores(query: "where is the daemon", documents: ["the daemon listens on a socket", "bread"])
        #expect(scores.count == 2 && scores.allSatisfy(\.isFinite) && scores[0] != scores[1], "\(scores)")

        let written = try SafetensorsFile(url: destination.appendingPathComponent("model.safetensors"))
        #expect(try written.entry("bert.pooler.dense.weight").shape == [16, 16])
        #expect(try written.floats("classifier.weight", shape: [1, 16]).scalars
                == SeededCrossEncoder.uniformFloats(seed: SeededCrossEncoder.classifierWeightSeed, count: 16))
        let source = try SafetensorsFile(url: Fixtures.tinyEmbedderDirectory.appendingPathComponent("model.safetensors"))
        for name in source.tensorNames where !name.hasPrefix("pooler.") {
            let original = try source.entry(name), copy = try written.entry("bert." + name)
            #expect(copy.dtype == original.dtype && copy.shape == original.shape, "\(name)")
            #expect(Array(written.rawBytes(of: copy)) == Array(source.rawBytes(of: original)), "\(name)")
        }
        for file in ["tokenizer.json", "vocab.txt"] {
            #expect(FileManager.default.contentsEqual(atPath: destination.appendingPathComponent(file).path,
                                                      andPath: Fixtures.tinyEmbedderDirectory.appendingPathComponent(file).path))
        }
    }

    /// The bit patterns of `lcg_floats(1, 3, 0.05)` and `lcg_floats(4, 1, 0.05)` in
    /// Benchmarks/peers/bench_peers.py, rounded to float32: both programs build the same weights.
    @Test func theHeadValuesAreThePeersScriptValues() {
        #expect(SeededCrossEncoder.uniformFloats(seed: 1, count: 3).map(\.bitPattern) == [3_153_830_106, 980_851_712, 1_014_174_317])
        #expect(SeededCrossEncoder.uniformFloats(seed: 4, count: 1).map(\.bitPattern) == [3_146_313_574])
    }

    @Test func aFolderWithoutAConfigIsRefusedNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let empty = directory.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let error = #expect(throws: ModelConfigurationError.self) {
            try SeededCrossEncoder.write(from: empty, to: directory.path("cross-encoder"))
        }
        #expect(error?.file.hasSuffix("empty/config.json") == true, "\(String(describing: error))")
    }
}
