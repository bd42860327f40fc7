// Installs a model from a Hugging Face style folder into the models root: copies the files semd uses
// into a staging folder beside the destination, verifies them, then swaps the folder in, so a failed
// install never leaves a half-written model. Never downloads anything.
import Foundation
import SemanticCore

public enum ModelInstallError: Error, Equatable, CustomStringConvertible {
    case sourceNotADirectory(String)
    case sourceMissingFiles(source: String, missing: [String])
    case checksumMismatch(files: [String])
    case fileSystem(String)

    public var description: String {
        switch self {
        case .sourceNotADirectory(let path):
            return "\(path) is not a folder; pass the folder that holds config.json, model.safetensors and tokenizer.json"
        case .sourceMissingFiles(let source, let missing):
            return "\(source) lacks \(missing.joined(separator: ", ")), which the model needs"
        case .checksumMismatch(let files):
            return "\(files.joined(separator: ", ")) differ from the published release of this model; refusing to "
                + "install other weights under its name"
        case .fileSystem(let message):
            return message
        }
    }
}

public enum ModelInstaller {
    /// Files copied when present besides the model's required and checksummed ones.
    public static let companionFiles = [
        "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "sentence_bert_config.json",
        "modules.json", "1_Pooling/config.json", "config_sentence_transformers.json",
    ]

    /// Copies `model` from `source` into `root`, verifies it, and returns the installed folder.
    @discardableResult
    public static func install(_ model: ModelDescriptor, from source: URL, into root: ModelsRoot) throws -> URL {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: source.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelInstallError.sourceNotADirectory(source.path)
        }
        let missing = ModelsRoot.missingFiles(of: model, in: source)
        guard missing.isEmpty else { throw ModelInstallError.sourceMissingFiles(source: source.path, missing: missing) }

        let destination = root.directory(for: model)
        let staging = root.url.appendingPathComponent(".\(model.directoryName).installing-\(getpid())")
        let previous = root.url.appendingPathComponent(".\(model.directoryName).previous-\(getpid())")
        do {
            try fileManager.createDirectory(at: root.url, withIntermediateDirectories: true)
            try? fileManager.removeItem(at: staging)
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            let files = Set(model.requiredFiles).union(model.checksums.keys).union(companionFiles).sorted()
            for file in files {
                let from = source.appendingPathComponent(file)
                guard fileManager.fileExists(atPath: from.path) else { continue }
                let to = staging.appendingPathComponent(file)
                try fileManager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fileManager.copyItem(at: from.resolvingSymlinksInPath(), to: to)
            }
        } catch {
            try? fileManager.removeItem(at: staging)
            throw ModelInstallError.fileSystem("cannot copy \(source.path) into \(root.url.path): \(error.localizedDescription)")
        }

        let verification = ModelVerifier.verify(model, in: staging)
        let mismatched = verification.files.filter { $0.status == .mismatch }.map(\.file)
        guard mismatched.isEmpty else {
            try? fileManager.removeItem(at: staging)
            throw ModelInstallError.checksumMismatch(files: mismatched)
        }

        do {
            if fileManager.fileExists(atPath: destination.path) {
                try fileManager.moveItem(at: destination, to: previous)
            }
            try fileManager.moveItem(at: staging, to: destination)
            try? fileManager.removeItem(at: previous)
        } catch {
            if fileManager.fileExists(atPath: previous.path), !fileManager.fileExists(atPath: destination.path) {
                try? fileManager.moveItem(at: previous, to: destination)
            }
            try? fileManager.removeItem(at: staging)
            throw ModelInstallError.fileSystem("cannot publish \(destination.path): \(error.localizedDescription)")
        }
        return destination
    }
}
