// The registry a process serves from: semd's own models, the models given on its command line
// (`semd --model NAME=DIR`), and the models file of the models root, re-read when the file changes
// (its inode, size or modification time), so a model added by `semctl models add` is served without
// a restart. A corrupt file keeps the last good registry and is reported by `problem`. Thread-safe;
// reads one small file at most, and only when it changed.
import Foundation
import Synchronization

public final class ModelCatalog: Sendable {
    /// semd's own models plus the command line's.
    public let baseRegistry: ModelRegistry
    /// The models file this catalog follows (nil: none).
    public let modelsFile: UserModelsFile?
    private let state: Mutex<State>

    private struct State {
        var registry: ModelRegistry
        var signature: FileSignature?
        var problem: UserModelsError?
    }

    /// `commandLineModels` are served before the models file's (a file entry of the same name is skipped).
    /// Throws when a command-line name is taken; a corrupt or clashing models file is not thrown but kept
    /// in `problem` (the registry then has no models from it).
    public init(registry: ModelRegistry, commandLineModels: [UserModelEntry] = [], modelsFile: UserModelsFile?)
        throws(UserModelsError) {
        baseRegistry = try registry.addingUserModels(commandLineModels, source: "semd --model")
        self.modelsFile = modelsFile
        state = Mutex(State(registry: baseRegistry, signature: nil, problem: nil))
        try? refresh()
    }

    /// A catalog that serves `registry` alone (no models file).
    public convenience init(fixed registry: ModelRegistry) {
        // A registry without user models and without a file cannot fail.
        try! self.init(registry: registry, modelsFile: nil)
    }

    /// The registry as last read, without looking at the file.
    public var registry: ModelRegistry { state.withLock { $0.registry } }

    /// The registry now: re-reads the models file first when it changed since the last look.
    public func currentRegistry() -> ModelRegistry {
        try? refresh()
        return registry
    }

    /// Why the models file was not taken last time it was read (nil: it was, or there is none).
    public var problem: UserModelsError? { state.withLock { $0.problem } }

    /// Re-reads the models file if it changed. On a corrupt or clashing file the previous registry stays
    /// and the error is thrown (and kept in `problem`).
    public func refresh() throws(UserModelsError) {
        guard let modelsFile else { return }
        let signature = FileSignature(path: modelsFile.url.path)
        if state.withLock({ $0.signature == signature && $0.signature != nil }) {
            if let problem = state.withLock({ $0.problem }) { throw problem }
            return
        }
        do {
            let overridden = Set(baseRegistry.models.filter(\.isUserDefined).map { $0.id.lowercased() })
            let entries = try modelsFile.read().filter { !overridden.contains($0.name.lowercased()) }
            let registry = try baseRegistry.addingUserModels(entries, source: "models file \(modelsFile.url.path)")
            state.withLock { $0 = State(registry: registry, signature: signature, problem: nil) }
        } catch {
            state.withLock { $0.signature = signature; $0.problem = error }
            throw error
        }
    }
}

/// What identifies one version of a file without reading it: inode, size and modification time.
/// A missing file has one too (all zero), so its appearance is noticed.
struct FileSignature: Equatable, Sendable {
    let inode: UInt64
    let size: UInt64
    let modified: Double

    init(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            inode = 0; size = 0; modified = 0
            return
        }
        inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }
}
