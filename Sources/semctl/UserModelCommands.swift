// `semctl models add NAME DIR` and `semctl models remove NAME`: a user's own sentence-transformers or
// Hugging Face BERT folder served under a name, kept in the models file <models dir>/models.json.
// Adding trial-loads the folder first and writes nothing when semd cannot serve it. Thin: the checks
// and the file are SemanticCore's (UserModelName, ModelTrial, UserModelsFile).
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore

struct AddModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Serve a sentence-transformers or Hugging Face BERT folder of yours under NAME.",
        discussion: """
        DIR is a model folder: config.json (model_type bert), model.safetensors, tokenizer.json (a \\
        WordPiece tokenizer) or vocab.txt, and, for a sentence-transformers model, modules.json, \\
        1_Pooling/config.json, sentence_bert_config.json and config_sentence_transformers.json. Its kind \\
        (embedder or cross-encoder reranker) comes from config.json; pooling (cls, mean, max, \\
        mean_sqrt_len), the Normalize module, max_seq_length, do_lower_case and the prompts from the \\
        sentence-transformers files.

        The folder is trial-loaded first: its tokenizer, its weights, one embedding (or one score), \\
        finite values. A folder semd cannot serve (another model_type such as xlm-roberta, a tokenizer \\
        that is not WordPiece, a Dense module, a truncated model.safetensors, missing weights or \\
        tokenizer) is refused with the reason, and nothing is written.

        NAME may use letters, digits, '.', '_' and '-' and must not be one of semd's own model names. \\
        It is written to the models file <models dir>/models.json, which every later semd and \\
        in-process call reads; a semd already running serves it at once, without a restart. The \\
        folder stays where it is (it is not copied): keep it there.

        Prompts: sentence-transformers models such as bge or e5 expect a prompt before a query \\
        ("Represent this sentence for searching relevant passages: ", "query: "). Select one with the \\
        name form NAME:PROMPT — NAME:query for queries, NAME:document for documents; a plain NAME \\
        applies the model's default prompt, if it has one.

        Examples:
          semctl models add bge ~/hf/bge-small-en-v1.5
          semctl embed --model bge:query "how do I cancel a running job?"
          semctl embed --model bge:document "Jobs are cancelled with semctl jobs cancel."
          semctl models add e5 ~/hf/e5-small-v2 --models-dir /srv/semd/models
          semctl models add my-reranker ~/hf/bge-reranker-base
          semctl rerank --model my-reranker "query" "doc one" "doc two"
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Flag(name: .long, help: "Print one JSON object instead of a summary.") var json = false
    @Argument(help: "The name to serve the model under (e.g. bge).") var name: String
    @Argument(help: ArgumentHelp("The model folder.", valueName: "dir")) var directory: String

    func run() throws {
        let root = location.root
        let file = UserModelsFile(root: root)
        let existing: [UserModelEntry]
        do {
            existing = try file.read()
            try UserModelName.check(name, against: ModelRegistry.daemon)
        } catch {
            throw CommandFailure(String(describing: error), hint: "nothing was changed in \(file.url.path)", exitCode: 2)
        }
        if let taken = existing.first(where: { $0.name.lowercased() == name.lowercased() }) {
            throw CommandFailure("the user model \(taken.name) already serves \(taken.directory.path)",
                                 hint: "remove it first with `semctl models remove \(taken.name)`, or choose another name",
                                 exitCode: 2)
        }
        let folder = URL(fileURLWithPath: (directory as NSString).expandingTildeInPath,
                         relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let description: ModelFolderDescription
        do {
            description = try ModelTrial.run(folder)
        } catch {
            throw CommandFailure(String(describing: error), hint: "nothing was added; see Docs/MODELS.md for the folders semd serves")
        }
        let entry = UserModelEntry(name: name, directory: folder, kind: description.kind)
        do {
            try file.add(entry)
        } catch {
            throw CommandFailure(String(describing: error))
        }
        if json {
            print(JSONValue.object([
                ("name", .string(entry.name)), ("kind", .string(entry.kind.rawValue)),
                ("directory", .string(folder.path)), ("models_file", .string(file.url.path)),
                ("dimension", description.dimension.map { .int($0) } ?? .null),
                ("pooling", .strings(description.pooling.map(\.name))), ("normalizes", .bool(description.normalizes)),
                ("max_sequence_length", .int(description.maxSequenceLength)),
                ("prompts", .object(description.prompts.names.map { ($0, .string(description.prompts.prompts[$0] ?? "")) })),
                ("default_prompt_name", description.prompts.defaultPromptName.map { .string($0) } ?? .null),
            ]).text)
            return
        }
        print("added \(entry.name): \(Self.summary(description)), from \(folder.path)")
        print("written to \(file.url.path); a running semd serves it now (no restart needed)")
        let promptNames = description.prompts.names.filter { !(description.prompts.prompts[$0] ?? "").isEmpty }
        if description.kind == .embedder {
            print("use it: semctl embed --model \(entry.name) \"some text\"")
            for prompt in promptNames {
                print("   or: semctl embed --model \(entry.name):\(prompt) \"some text\"   "
                      + "(prompt \"\(description.prompts.prompts[prompt] ?? "")\")")
            }
        } else {
            print("use it: semctl rerank --model \(entry.name) \"query\" \"document\" …")
        }
    }

    /// "embedder, 384 dimensions, cls pooling, normalized, at most 512 tokens, default prompt passage"
    static func summary(_ description: ModelFolderDescription) -> String {
        var parts = [description.kind.rawValue]
        if let dimension = description.dimension { parts.append("\(dimension) dimensions") }
        if !description.pooling.isEmpty { parts.append(description.pooling.map(\.name).joined(separator: "+") + " pooling") }
        if description.normalizes { parts.append("normalized") }
        parts.append("at most \(description.maxSequenceLength) tokens")
        if description.lowercasesText { parts.append("lower-cased") }
        if let name = description.prompts.defaultPromptName { parts.append("default prompt \(name)") }
        return parts.joined(separator: ", ")
    }
}

struct RemoveModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop serving a user model (its folder is left as it is).",
        discussion: """
        Removes NAME from the models file <models dir>/models.json; a running semd stops serving it \\
        at its next look at the file. semd's own models cannot be removed this way.

        Examples:
          semctl models remove bge
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Argument(help: "The user model's name.") var name: String

    func run() throws {
        let file = UserModelsFile(root: location.root)
        do {
            let removed = try file.remove(name)
            print("removed \(removed.name) (\(removed.directory.path) is left as it is)")
        } catch {
            throw CommandFailure(String(describing: error), hint: "`semctl models list` shows the user models", exitCode: 2)
        }
    }
}
