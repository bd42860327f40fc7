// The models file and user model names on a real folder: a missing file is no models, entries round-
// trip through add and remove (written atomically, no temporary left behind), a corrupt file is an
// error naming it, names with ':' or taken by semd's own models are refused, and the catalog picks
// up a changed file and keeps the last good registry when it turns corrupt.
import Foundation
import Testing
import SemanticTestSupport
@testable import SemanticCore

@Suite struct UserModelsTests {
    @Test func theModelsFileRoundTrips() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-models-file")
        defer { scratch.remove() }
        let root = ModelsRoot(url: scratch.path("models"), source: .flag)
        let file = UserModelsFile(root: root)
        #expect(try file.read().isEmpty)
        let cls = UserModelEntry(name: "cls", directory: PromptedFolders.url("tiny_cls_prompted"), kind: .embedder)
        let reranker = UserModelEntry(name: "Tiny.Reranker", directory: Fixtures.tinyCrossEncoderDirectory, kind: .reranker)
        try file.add(cls)
        try file.add(reranker)
        #expect(try file.read() == [reranker, cls].sorted { $0.name < $1.name })
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.url.path) == ["models.json"])
        #expect(try file.remove("tiny.reranker") == reranker)
        #expect(try file.read() == [cls])
        #expect(throws: UserModelsError.unknownName(name: "absent", available: ["cls"])) { try file.remove("absent") }
        #expect(root.directory(for: cls.descriptor(source: "test")) == cls.directory)
    }

    @Test func aCorruptModelsFileIsAnErrorNamingIt() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-models-corrupt")
        defer { scratch.remove() }
        let file = UserModelsFile(url: scratch.path("models.json"))
        for (content, problem) in [
            ("{not json", "not a JSON object"),
            (#"{"models": {"x": {"directory": "relative", "kind": "embedder"}}}"#, "absolute"),
            (#"{"models": {"x": {"directory": "/abs", "kind": "painter"}}}"#, "kind"),
            (#"{"models": {"a:b": {"directory": "/abs", "kind": "embedder"}}}"#, "cannot be a model name"),
            (#"{"version": 2, "models": {}}"#, "version"),
        ] {
            try content.write(to: file.url, atomically: true, encoding: .utf8)
            do {
                _ = try file.read()
                Issue.record("read \(content)")
            } catch {
                #expect(error.description.contains(file.url.path) && error.description.contains(problem), "\(error)")
            }
        }
    }

    @Test func namesAreChecked() {
        #expect(UserModelName.problem(with: "bge-small.v1_5") == nil)
        for bad in ["", "bge:query", "a/b", "-x", "default", "Default", "with space", String(repeating: "x", count: 65)] {
            #expect(UserModelName.problem(with: bad) != nil, "\(bad)")
        }
        #expect(throws: UserModelsError.nameTaken(name: "MiniLM", by: "semd's model minilm-384")) {
            try UserModelName.check("MiniLM", against: .standard)
        }
        #expect(throws: UserModelsError.self) { try UserModelName.check("ms-marco", against: .standard) }
    }

    @Test func theCatalogFollowsTheFile() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-catalog")
        defer { scratch.remove() }
        let file = UserModelsFile(url: scratch.path("models.json"))
        let commandLine = UserModelEntry(name: "mean", directory: PromptedFolders.url("tiny_mean_prompted"), kind: .embedder)
        let catalog = try ModelCatalog(registry: .standard, commandLineModels: [commandLine], modelsFile: file)
        #expect(catalog.registry.models.map(\.id) == ["minilm-384", "ms-marco-minilm-l6-v2", "mean"])
        try file.add(UserModelEntry(name: "cls", directory: PromptedFolders.url("tiny_cls_prompted"), kind: .embedder))
        // the command line's "mean" wins over the file's
        try file.add(UserModelEntry(name: "mean", directory: PromptedFolders.url("tiny_cls_prompted"), kind: .embedder))
        let current = catalog.currentRegistry()
        #expect(current.models.map(\.id) == ["minilm-384", "ms-marco-minilm-l6-v2", "mean", "cls"])
        #expect(current.model(id: "mean")?.userFolder == commandLine.directory)
        try "{broken".write(to: file.url, atomically: true, encoding: .utf8)
        #expect(catalog.currentRegistry().models.map(\.id) == current.models.map(\.id))
        #expect(catalog.problem?.description.contains("corrupt") == true)
        try FileManager.default.removeItem(at: file.url)
        #expect(catalog.currentRegistry().models.map(\.id) == ["minilm-384", "ms-marco-minilm-l6-v2", "mean"] && catalog.problem == nil)
        #expect(throws: UserModelsError.self) {
            try ModelCatalog(registry: .standard, commandLineModels: [
                UserModelEntry(name: "minilm", directory: PromptedFolders.url("tiny_mean_prompted"), kind: .embedder),
            ], modelsFile: nil)
        }
    }
}
