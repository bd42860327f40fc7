// A cross-encoder built from an embedder's folder: every encoder tensor under a `bert.` prefix, plus a
// pooler ([C, C] + [C]) and a one-logit classifier ([1, C] + [1]) of seeded uniform values, C being the
// folder's hidden size; config.json marked BertForSequenceClassification with one label, the tokenizer
// files copied. semd-bench's CE workload builds it from MiniLM, the peers' script builds the same
// weights (same generator), and the tests build it from the tiny embedder. Writes only `destination`.
import Foundation
import SemanticCore

public enum SeededCrossEncoder {
    /// The seeds of the head's four tensors, in the order the peers' script uses them.
    public static let poolerWeightSeed: UInt64 = 1, poolerBiasSeed: UInt64 = 2
    public static let classifierWeightSeed: UInt64 = 3, classifierBiasSeed: UInt64 = 4
    /// Half-width of the uniform range of every head value.
    public static let scale = 0.05

    /// Writes the cross-encoder of `encoderDirectory` into `destination` (created when missing; its
    /// model.safetensors and config.json must not exist yet).
    public static func write(from encoderDirectory: URL, to destination: URL) throws {
        let config = try BertConfig.load(from: encoderDirectory.appendingPathComponent("config.json"))
        let encoder = try SafetensorsFile(url: encoderDirectory.appendingPathComponent("model.safetensors"), storage: .mapped)
        let hidden = config.hiddenSize
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)

        var writer = SafetensorsWriter()
        try writer.addTensors(of: encoder, renamed: { "bert." + $0 }, where: { !$0.hasPrefix("pooler.") && !$0.hasPrefix("bert.") })
        guard writer.isEmpty == false else {
            throw FixtureError.malformed("\(encoderDirectory.path) holds no un-prefixed encoder tensors to build a cross-encoder from")
        }
        try writer.add("bert.pooler.dense.weight", shape: [hidden, hidden],
                       floats: uniformFloats(seed: poolerWeightSeed, count: hidden * hidden))
        try writer.add("bert.pooler.dense.bias", shape: [hidden], floats: uniformFloats(seed: poolerBiasSeed, count: hidden))
        try writer.add("classifier.weight", shape: [1, hidden], floats: uniformFloats(seed: classifierWeightSeed, count: hidden))
        try writer.add("classifier.bias", shape: [1], floats: uniformFloats(seed: classifierBiasSeed, count: 1))
        try writer.write(to: destination.appendingPathComponent("model.safetensors"))

        let configData = try Data(contentsOf: encoderDirectory.appendingPathComponent("config.json"))
        guard var json = try JSONSerialization.jsonObject(with: configData) as? [String: Any] else {
            throw FixtureError.malformed("\(encoderDirectory.path)/config.json is not a JSON object")
        }
        json["architectures"] = ["BertForSequenceClassification"]
        json["num_labels"] = 1
        json["id2label"] = ["0": "LABEL_0"]
        json["label2id"] = ["LABEL_0": 0]
        let configURL = destination.appendingPathComponent("config.json")
        guard !FileManager.default.fileExists(atPath: configURL.path) else {
            throw FixtureError.malformed("\(configURL.path) exists; a cross-encoder is written to a fresh folder")
        }
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: configURL)
        for file in ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            let from = encoderDirectory.appendingPathComponent(file), to = destination.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: from.path) && !FileManager.default.fileExists(atPath: to.path) {
                try FileManager.default.copyItem(at: from, to: to)
            }
        }
    }

    /// `count` uniform floats in [-scale, scale): a 64-bit LCG (Knuth's constants), its top 24 bits as
    /// the unit value, computed in double precision and rounded once, as the peers' script does.
    public static func uniformFloats(seed: UInt64, count: Int) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(state >> 40) / Double(1 << 24)
            return Float((unit * 2 - 1) * scale)
        }
    }
}
