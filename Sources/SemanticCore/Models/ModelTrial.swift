// The trial load: before a folder is served under a name (`semctl models add`, `semd --model`,
// `semctl models install --from`), load it as the daemon would — configuration, tokenizer, weights —
// run one embedding or one score, and check the values are finite and of the right shape. Returns
// what the folder serves as (ModelFolderDescription), or a ModelTrialError with the reason. The
// weights are mapped, not copied, and dropped when the trial ends. Never writes anything.
import Foundation

/// Why a folder cannot be served.
public struct ModelTrialError: Error, Equatable, Sendable, CustomStringConvertible {
    public let directory: String
    public let reason: String

    public init(directory: String, reason: String) {
        self.directory = directory
        self.reason = reason
    }

    public var description: String { "semd cannot serve the model in \(directory): \(reason)" }
}

extension EngineConfiguration {
    /// A trial's engine: one thread, and no weight panels packed for a model that runs once.
    public static var trial: EngineConfiguration {
        var configuration = EngineConfiguration(threads: 1)
        configuration.smallProductPanels = false
        return configuration
    }
}

public enum ModelTrial {
    /// The text the trial embeds or scores.
    static let sampleText = "semd trial load: is this model served?"

    /// Loads `directory` and runs it once. `expectedKind` refuses a folder of the other kind.
    public static func run(_ directory: URL, expectedKind: ModelKind? = nil,
                           configuration: EngineConfiguration = .trial) throws(ModelTrialError) -> ModelFolderDescription {
        let path = directory.standardizedFileURL.path
        func refuse(_ reason: String) -> ModelTrialError { ModelTrialError(directory: path, reason: reason) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw refuse("it is not a folder")
        }
        let has = { (file: String) in FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) }
        guard has("config.json") else { throw refuse("config.json is missing (a Hugging Face BERT folder has one)") }
        guard has("tokenizer.json") || has("vocab.txt") else {
            throw refuse("the tokenizer is missing: expected tokenizer.json, or vocab.txt with tokenizer_config.json")
        }
        guard has("model.safetensors") else {
            throw refuse("model.safetensors is missing (semd reads safetensors weights only; a pytorch_model.bin "
                         + "can be converted with the safetensors package)")
        }
        let description: ModelFolderDescription
        do {
            description = try ModelFolder.describe(directory)
        } catch {
            throw refuse(String(describing: error))
        }
        if let expectedKind, description.kind != expectedKind {
            throw refuse("it holds a \(description.kind), not a \(expectedKind)")
        }
        var engine = configuration
        engine.weightStorage = .mapped
        do {
            switch description.kind {
            case .embedder:
                let embedder = try Embedder.load(directory: directory, configuration: engine)
                let prompt = embedder.prompts.defaultPrompt
                let vectors = try embedder.embed([sampleText], prompt: prompt)
                guard vectors.count == 1, vectors[0].count == description.dimension else {
                    throw refuse("one text gave \(vectors.first?.count ?? 0) values, expected \(description.dimension ?? 0)")
                }
                guard vectors[0].allSatisfy(\.isFinite) else { throw refuse("the embedding of a sample text is not finite") }
            case .reranker:
                let crossEncoder = try CrossEncoder.load(directory: directory, configuration: engine)
                let scores = try crossEncoder.scores(query: sampleText, documents: ["a document"])
                guard scores.count == 1, scores[0].isFinite else { throw refuse("the score of a sample pair is not finite") }
            }
        } catch let error as ModelTrialError {
            throw error
        } catch {
            throw refuse(String(describing: error))
        }
        return description
    }
}
