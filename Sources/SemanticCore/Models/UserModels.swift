// Models a user added by name: the models file `<models root>/models.json` (name → folder and kind),
// read tolerantly (no file means no user models) and strictly (a corrupt file is an error naming it),
// written atomically (a temporary file renamed over it), and the registry descriptors these entries
// become. Checks that a name can be added (no `:`, no clash with the models semd knows). Never loads
// a model; the trial load (ModelTrial) decides whether a folder may be added.
import Foundation

/// One user model: a name, the absolute folder it lives in, and its kind.
public struct UserModelEntry: Sendable, Equatable {
    public var name: String
    public var directory: URL
    public var kind: ModelKind

    public init(name: String, directory: URL, kind: ModelKind) {
        self.name = name
        self.directory = directory.standardizedFileURL
        self.kind = kind
    }

    /// The registry entry semd serves this model under.
    public func descriptor(source: String) -> ModelDescriptor {
        ModelDescriptor(
            id: name, kind: kind, displayName: name, directoryName: directory.lastPathComponent, aliases: [],
            dimension: nil, requiredFiles: ["config.json", "model.safetensors", "tokenizer.json"],
            requiredFileAlternatives: ["tokenizer.json": ["vocab.txt", "tokenizer_config.json"]], checksums: [:],
            source: source,
            installHint: "\(name) is the user model in \(directory.path): put the folder back, or remove the model "
                + "with `semctl models remove \(name)`",
            userFolder: directory)
    }
}

public enum UserModelsError: Error, Equatable, CustomStringConvertible {
    /// The models file exists but cannot be read or is not the expected JSON.
    case corruptFile(path: String, problem: String)
    /// The models file could not be written.
    case cannotWrite(path: String, reason: String)
    /// The name cannot be a model name (empty, too long, `:`, `/`, other characters).
    case invalidName(name: String, reason: String)
    /// The name is already one of semd's own model ids or aliases, or another user model.
    case nameTaken(name: String, by: String)
    /// No user model has this name.
    case unknownName(name: String, available: [String])

    public var description: String {
        switch self {
        case .corruptFile(let path, let problem):
            return "the models file \(path) is corrupt: \(problem); fix it or remove it (it lists the models added "
                + "with `semctl models add`)"
        case .cannotWrite(let path, let reason):
            return "cannot write the models file \(path): \(reason)"
        case .invalidName(let name, let reason):
            return "'\(name)' cannot be a model name: \(reason)"
        case .nameTaken(let name, let owner):
            return "the name '\(name)' is taken by \(owner); choose another"
        case .unknownName(let name, let available):
            return "no user model is named '\(name)'; user models: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        }
    }
}

/// `<models root>/models.json`:
/// `{"version": 1, "models": {"NAME": {"directory": "/abs/folder", "kind": "embedder"}}}`.
public struct UserModelsFile: Sendable, Equatable {
    public static let fileName = "models.json"
    public let url: URL

    public init(url: URL) {
        self.url = url.standardizedFileURL
    }

    /// The models file of `root`.
    public init(root: ModelsRoot) {
        self.init(url: root.url.appendingPathComponent(Self.fileName))
    }

    /// The entries, sorted by name; none when the file does not exist.
    public func read() throws(UserModelsError) -> [UserModelEntry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .corruptFile(path: url.path, problem: "cannot read it (\(error.localizedDescription))")
        }
        return try Self.entries(from: data, path: url.path)
    }

    /// Parses the file's bytes.
    static func entries(from data: Data, path: String) throws(UserModelsError) -> [UserModelEntry] {
        guard let parsed = try? JSONSerialization.jsonObject(with: data), let document = parsed as? [String: Any] else {
            throw .corruptFile(path: path, problem: "not a JSON object")
        }
        if let version = document["version"], JSONValues.integer(version) != 1 {
            throw .corruptFile(path: path, problem: "version \(version) is not 1")
        }
        guard let models = document["models"] as? [String: Any] else {
            throw .corruptFile(path: path, problem: "no \"models\" object")
        }
        var entries: [UserModelEntry] = []
        for (name, value) in models {
            guard let entry = value as? [String: Any], let directory = entry["directory"] as? String, directory.hasPrefix("/") else {
                throw .corruptFile(path: path, problem: "model '\(name)' has no absolute \"directory\"")
            }
            guard let kindName = entry["kind"] as? String, let kind = ModelKind(rawValue: kindName) else {
                throw .corruptFile(path: path, problem: "model '\(name)' has no \"kind\" (embedder or reranker)")
            }
            if let reason = UserModelName.problem(with: name) {
                throw .corruptFile(path: path, problem: "'\(name)' cannot be a model name: \(reason)")
            }
            entries.append(UserModelEntry(name: name, directory: URL(fileURLWithPath: directory), kind: kind))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// Replaces the file with `entries`: written to a temporary file beside it, then renamed over it,
    /// so a reader sees the old file or the new one, never a part. Creates the models root if needed.
    public func write(_ entries: [UserModelEntry]) throws(UserModelsError) {
        var models: [String: Any] = [:]
        for entry in entries {
            models[entry.name] = ["directory": entry.directory.path, "kind": entry.kind.rawValue]
        }
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(Self.fileName).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        do {
            let data = try JSONSerialization.data(withJSONObject: ["version": 1, "models": models],
                                                  options: [.prettyPrinted, .sortedKeys])
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try (data + Data("\n".utf8)).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .cannotWrite(path: url.path, reason: String(describing: error))
        }
    }

    /// Adds (or replaces) `entry` and writes the file.
    public func add(_ entry: UserModelEntry) throws(UserModelsError) {
        var entries = try read().filter { $0.name.lowercased() != entry.name.lowercased() }
        entries.append(entry)
        try write(entries.sorted { $0.name < $1.name })
    }

    /// Removes the model `name` (case-insensitively) and writes the file; returns the removed entry.
    @discardableResult
    public func remove(_ name: String) throws(UserModelsError) -> UserModelEntry {
        let entries = try read()
        guard let removed = entries.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw .unknownName(name: name, available: entries.map(\.name))
        }
        try write(entries.filter { $0 != removed })
        return removed
    }
}

/// What a user model may be called.
public enum UserModelName {
    /// Why `name` cannot be a model name, or nil when it can: 1 to 64 of A-Z a-z 0-9 `.` `_` `-`, starting
    /// with a letter or digit (so never `:` — `NAME:PROMPT` selects a prompt — nor `/`), and not `default`.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty, name.count <= 64 else { return "a name has 1 to 64 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard name.allSatisfy(allowed.contains) else {
            return "use letters, digits, '.', '_' and '-' only (':' selects a prompt, as in NAME:query)"
        }
        guard let first = name.first, first.isLetter || first.isNumber else { return "it must start with a letter or a digit" }
        guard name.lowercased() != "default" else { return "'default' names each kind's default model" }
        return nil
    }

    /// Checks that `name` can be added beside the models of `registry` (ids and aliases of every kind,
    /// compared case-insensitively).
    public static func check(_ name: String, against registry: ModelRegistry) throws(UserModelsError) {
        if let reason = problem(with: name) { throw .invalidName(name: name, reason: reason) }
        let wanted = name.lowercased()
        for model in registry.models where model.id.lowercased() == wanted || model.aliases.contains(where: { $0.lowercased() == wanted }) {
            throw .nameTaken(name: name, by: model.isUserDefined ? "the user model \(model.id)" : "semd's model \(model.id)")
        }
    }
}

extension ModelRegistry {
    /// This registry with `entries` appended (after every model it has, so `default` is unchanged).
    /// Throws when an entry's name is taken by a model already in it.
    public func addingUserModels(_ entries: [UserModelEntry], source: String) throws(UserModelsError) -> ModelRegistry {
        var registry = self
        for entry in entries {
            try UserModelName.check(entry.name, against: registry)
            registry = ModelRegistry(models: registry.models + [entry.descriptor(source: source)])
        }
        return registry
    }
}
