// The model registry's names and the models-directory resolution order.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticCore

@Suite struct ModelRegistryTests {
    let registry = ModelRegistry.standard

    @Test(arguments: ["minilm-384", "all-MiniLM-L6-v2", "all-minilm-l6-v2", "minilm", "fastembed", "default",
                      "MINILM", "  Default ", "FastEmbed"])
    func embedderNamesResolveToMiniLM(name: String) throws {
        #expect(try registry.resolve(name, kind: .embedder).id == "minilm-384")
    }

    @Test(arguments: ["ms-marco-minilm-l6-v2", "ms-marco-MiniLM-L-6-v2", "ms-marco", "default", "MS-MARCO"])
    func rerankerNamesResolveToMsMarco(name: String) throws {
        #expect(try registry.resolve(name, kind: .reranker).id == "ms-marco-minilm-l6-v2")
    }

    @Test func unknownNamesListWhatIsAvailable() {
        #expect(throws: ModelRegistryError.unknownModel(name: "bge-small", kind: .embedder, available: ["minilm-384"])) {
            try registry.resolve("bge-small", kind: .embedder)
        }
        // A reranker alias is not an embedder name.
        #expect(throws: ModelRegistryError.self) { try registry.resolve("ms-marco", kind: .embedder) }
        do {
            _ = try registry.resolve("nope", kind: .reranker)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("ms-marco-minilm-l6-v2"))
        }
    }

    /// The checksums compiled into the registry are the ones `make models` verifies with.
    @Test func registryChecksumsMatchTheRepositorySumsFile() throws {
        let sums = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Models/all-MiniLM-L6-v2.sha256"),
                              encoding: .utf8)
        var fromFile: [String: String] = [:]
        for line in sums.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            fromFile[String(parts[1])] = String(parts[0])
        }
        #expect(fromFile == ModelDescriptor.miniLM.checksums)
        for file in ModelDescriptor.miniLM.requiredFiles { #expect(fromFile[file] != nil, "\(file) has no checksum") }
    }
}

@Suite struct ModelsRootTests {
    let environment = ["HOME": "/home/alice", "SEMD_MODELS_DIR": "/srv/models", "XDG_DATA_HOME": "/xdg"]

    @Test func flagWinsOverEverything() {
        let root = ModelsRoot.resolve(explicitDirectory: "/opt/m", environment: environment, executablePath: "/usr/bin/semctl")
        #expect(root == ModelsRoot(url: URL(fileURLWithPath: "/opt/m"), source: .flag))
    }

    @Test func environmentComesNext() {
        let root = ModelsRoot.resolve(explicitDirectory: nil, environment: environment, executablePath: "/usr/bin/semctl")
        #expect(root.source == .environment && root.url.path == "/srv/models")
    }

    @Test func tildeIsExpanded() {
        let root = ModelsRoot.resolve(explicitDirectory: "~/m", environment: environment, executablePath: nil)
        #expect(root.url.path == "/home/alice/m")
    }

    @Test func repositoryOfTheBinaryComesBeforeUserData() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let binary = scratch.path("repo/.build/debug/semctl")
        try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.path("repo/Models"), withIntermediateDirectories: true)
        try Data().write(to: scratch.path("repo/Package.swift"))
        try Data().write(to: binary)
        let root = ModelsRoot.resolve(explicitDirectory: nil, environment: ["HOME": "/home/alice"],
                                      executablePath: binary.path)
        #expect(root.source == .repository)
        #expect(root.url.resolvingSymlinksInPath().path
            == scratch.path("repo/Models").resolvingSymlinksInPath().path)
    }

    @Test func userDataIsTheLastResort() {
        let withXDG = ModelsRoot.resolve(environment: ["HOME": "/home/alice", "XDG_DATA_HOME": "/xdg"],
                                         executablePath: "/nonexistent/bin/semctl")
        #expect(withXDG == ModelsRoot(url: URL(fileURLWithPath: "/xdg/semd/models"), source: .userData))
        let withoutXDG = ModelsRoot.resolve(environment: ["HOME": "/home/alice"], executablePath: "/nonexistent/bin/semctl")
        #expect(withoutXDG.url.path == "/home/alice/.local/share/semd/models")
        // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
        let relative = ModelsRoot.resolve(environment: ["HOME": "/h", "XDG_DATA_HOME": "rel"], executablePath: nil)
        #expect(relative.url.path == "/h/.local/share/semd/models")
    }

    @Test func missingModelNamesEveryMissingFileAndTheInstallCommand() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let root = ModelsRoot(url: scratch.url, source: .flag)
        let folder = root.directory(for: .miniLM)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
        do {
            _ = try root.installedDirectory(for: .miniLM)
            Issue.record("expected an error")
        } catch {
            #expect(error == .notInstalled(model: "minilm-384", directory: folder.path,
                                           missingFiles: ["model.safetensors", "tokenizer.json (or vocab.txt and tokenizer_config.json)",
                                                          "sentence_bert_config.json", "modules.json", "1_Pooling/config.json"],
                                           installHint: ModelDescriptor.miniLM.installHint))
            #expect(error.description.contains("make models") && error.description.contains("semctl models install minilm"))
        }
    }

    /// A MiniLM folder without its sentence-transformers files would load as a plain BertModel (no
    /// normalisation, 512 tokens) and give other vectors, so it is not installed; vocab.txt with
    /// tokenizer_config.json stands in for tokenizer.json.
    @Test func aMiniLMFolderNeedsItsPoolingFilesAndEitherTokenizerForm() throws {
        let real = try Fixtures.requireRealEmbedder()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let root = ModelsRoot(url: scratch.url, source: .flag)
        let folder = root.directory(for: .miniLM)
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            try manager.createSymbolicLink(at: folder.appendingPathComponent(file), withDestinationURL: real.appendingPathComponent(file))
        }
        #expect(ModelsRoot.missingFiles(of: .miniLM, in: folder) == ["sentence_bert_config.json", "modules.json", "1_Pooling/config.json"])
        for file in ["sentence_bert_config.json", "modules.json", "1_Pooling/config.json", "vocab.txt"] {
            try manager.createSymbolicLink(at: folder.appendingPathComponent(file), withDestinationURL: real.appendingPathComponent(file))
        }
        #expect(try root.installedDirectory(for: .miniLM) == folder)

        try manager.removeItem(at: folder.appendingPathComponent("tokenizer.json"))
        #expect(ModelsRoot.missingFiles(of: .miniLM, in: folder).isEmpty, "vocab.txt and tokenizer_config.json stand in")
        #expect(ModelsRoot.isReplaced("tokenizer.json", of: .miniLM, in: folder))
        try manager.removeItem(at: folder.appendingPathComponent("vocab.txt"))
        #expect(ModelsRoot.missingFiles(of: .miniLM, in: folder) == ["tokenizer.json (or vocab.txt and tokenizer_config.json)"])
        #expect(!ModelsRoot.isReplaced("tokenizer.json", of: .miniLM, in: folder))
    }

    @Test func installedRealModelIsFound() throws {
        let directory = try Fixtures.requireRealEmbedder()
        let root = ModelsRoot(url: directory.deletingLastPathComponent(), source: .flag)
        #expect(try root.installedDirectory(for: .miniLM).standardizedFileURL == directory.standardizedFileURL)
    }
}
