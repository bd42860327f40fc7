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
        abstract: "Embed, rerank and tokenize text with the semd engine, run its daemon, manage its models.",
        discussion: """
        semctl is daemon-first: embed and rerank ask the warm daemon, start one when none runs, and \
        compute in this process (same models, same vectors) when no daemon can answer. JSON output and \
        -v say which path served each call.

        Examples:
          semctl embed "hello world"         # a 384-d vector (the daemon is started if needed)
          semctl embed --json "a" "b"        # {"model", "dimension", "served_by", "elapsed_ms", "embeddings"}
          semctl rerank "query" "doc one" "doc two"
          semctl status                      # socket, pid, uptime, models, memory, requests
          semctl ping                        # round trip to the daemon
          semctl start | stop | restart | logs
          semctl models list                 # which models are known and installed, and where
          semctl models verify               # check installed files against published SHA-256 sums
          semctl tokenize "hello world"      # word pieces and ids, as the model sees the text
          semctl bench                       # how fast embedding is on this machine

        Every daemon command takes --socket; without it $SEMD_SOCKET, then \
        $TMPDIR/semantic-daemon-$USER.sock (/tmp without TMPDIR).

        Environment:
          SEMD_SOCKET          socket path
          SEMD_MODELS_DIR      models folder
          SEMD_NO_DAEMON=1     compute in-process only, never touch the daemon
          SEMD_NO_SPAWN=1      use a running daemon but never start one
          SEMD_DAEMON_BINARY   the semd to start (default: beside semctl, then PATH)

        Models are looked up in, first hit wins: --models-dir, $SEMD_MODELS_DIR, the Models/ folder of \
        the repository semctl was built in, then $XDG_DATA_HOME/semd/models (~/.local/share/semd/models).

        Exit codes: 0 success, 1 failure, 2 usage error, 3 daemon required but unavailable.
        """,
        version: SemanticCoreInfo.version,
        subcommands: [
            EmbedCommand.self, RerankCommand.self,
            StatusCommand.self, PingCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self,
            LogsCommand.self,
            JobsCommand.self, ModelsCommand.self, TokenizeCommand.self, BenchCommand.self,
        ]
    )

    static func main() {
        BLASThreadPool.stopIdleWorkers()
        do {
            var command = try parseAsRoot(attachingDashedOptionValues(Array(CommandLine.arguments.dropFirst())))
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

/// The value of an option that takes any text (`--pair`) attached as `--pair=VALUE` when it begins with
/// "---": ArgumentParser rejects such an argument as an invalid option before it reaches an option
/// declared with `.unconditional` parsing, but takes the attached form. (The attached form is not used
/// for every value because a value that begins with a combining mark fuses with the "=" into one
/// Character and is then not split off.) Everything after a bare "--" is left alone.
func attachingDashedOptionValues(_ arguments: [String], options: Set<String> = ["--pair"]) -> [String] {
    var result: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--" {
            result.append(contentsOf: arguments[index...])
            break
        }
        if options.contains(argument), index + 1 < arguments.count, arguments[index + 1].hasPrefix("---") {
            result.append(argument + "=" + arguments[index + 1])
            index += 2
            continue
        }
        result.append(argument)
        index += 1
    }
    return result
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
        "Folder holding one folder per model (default: $SEMD_MODELS_DIR, the Models/ of the repository "
            + "semctl was built in, then $XDG_DATA_HOME/semd/models, i.e. ~/.local/share/semd/models).",
        valueName: "dir"))
    var modelsDir: String?

    var root: ModelsRoot { ModelsRoot.resolve(explicitDirectory: modelsDir) }
}
