// semctl: the command line face of semd. Thin: parses arguments, calls SemanticClient/SemanticCore,
// prints. Every failure is one clear line plus a hint, with the exit codes documented in --help.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore

@main
struct Semctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semctl",
        abstract: "Embed, rerank and tokenize text with the semd engine, and manage its models.",
        discussion: """
        semctl runs the semd engine: sentence embeddings from all-MiniLM-L6-v2 (384-d, normalised) and \
        cross-encoder rerank scores.

        Examples:
          semctl models list                 # which models are known and installed, and where
          semctl models verify               # check installed files against published SHA-256 sums
          semctl tokenize "hello world"      # word pieces and ids, as the model sees the text
          semctl tokenize --json --pair "a passage" "a query"

        Models are looked up in, first hit wins: --models-dir, $SEMD_MODELS_DIR, the Models/ folder of \
        the repository semctl was built in, then $XDG_DATA_HOME/semd/models (~/.local/share/semd/models).

        Exit codes: 0 success, 1 failure, 2 usage error, 3 daemon required but unavailable.
        """,
        version: SemanticCoreInfo.version,
        subcommands: [ModelsCommand.self, TokenizeCommand.self, BenchCommand.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            failure.report()
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            if code == .success || code.rawValue == 0 || error is CleanExit {
                exit(withError: error)
            }
            if error is ExitCode { exit(withError: error) }
            CommandFailure(String(describing: error)).report()
            Foundation.exit(1)
        }
    }
}

/// A failure to show the user: one line, an optional hint, an exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let hint: String?
    let exitCode: Int32

    init(_ message: String, hint: String? = nil, exitCode: Int32 = 1) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }

    var description: String { message }

    func report() {
        var text = "semctl: error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Options every command that touches models shares.
struct ModelLocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding one folder per model (default: $SEMD_MODELS_DIR, the repository's Models/, "
            + "then ~/.local/share/semd/models).",
        valueName: "dir"))
    var modelsDir: String?

    var root: ModelsRoot { ModelsRoot.resolve(explicitDirectory: modelsDir) }
}
