// semd-bench: the developer's measuring tools, apart from the user's semctl: `bench` (the standard
// workloads on the engine, through a real semd, over HTTP, and the codec alone), `soak` (a real semd
// under mixed load for a bounded time) and `storm` (served clients beside clients that reconnect
// without backoff). It starts the semd built beside it. Nothing links this target,
// and it is the only program that calls OpenBLAS directly (the sgemm peak). Never used by a client.
import ArgumentParser
import Foundation
import SemanticCore
import SemanticTestSupport

@main
struct SemdBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semd-bench",
        abstract: "Benchmark the semd engine and daemon, and soak a daemon under mixed load.",
        discussion: """
        Build it in release (`make build-release`), beside the semd it starts.

        Examples:
          semd-bench bench                       # the engine workloads W1 W2 W3 W6 CE W4, as a table
          semd-bench bench --workload RT --json  # one JSON object per line
          semd-bench soak --seconds 60           # make soak SOAK_SECONDS=60
          semd-bench storm                       # make storm: served clients with and without a reconnect storm
          semd-bench goldens                     # make kernel-check: this build's panel tile against the goldens

        Exit codes: 0 success, 1 failure (or a soak that did not pass), 2 usage error.
        """,
        subcommands: [BenchCommand.self, SoakCommand.self, StormCommand.self, GoldensCommand.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as BenchmarkFailure {
            failure.report()
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            if code == .success || error is CleanExit || error is ExitCode { exit(withError: error) }
            BenchmarkFailure(String(describing: error)).report()
            Foundation.exit(1)
        }
    }
}

/// A failure to show: one line and an optional hint.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let message: String
    let hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    var description: String { message }

    func report() {
        var text = "semd-bench: error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// The options every command shares: where the models and the workload texts are.
struct BenchmarkLocations: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding one folder per model (default: $SEMD_MODELS_DIR, the Models/ of the repository, "
            + "then $XDG_DATA_HOME/semd/models).", valueName: "dir"))
    var modelsDir: String?

    @Option(help: ArgumentHelp("The workloads file (default: the repository's Tests/Fixtures/bench/bench_inputs.json).",
                               valueName: "path"))
    var inputs: String?

    var root: ModelsRoot { ModelsRoot.resolve(explicitDirectory: modelsDir) }

    var inputsURL: URL { inputs.map { URL(fileURLWithPath: $0) } ?? Fixtures.url("bench/bench_inputs.json") }

    /// The workload texts, or a failure saying what the file lacks.
    func loadInputs() throws -> BenchmarkInputs { try BenchmarkInputs(contentsOf: inputsURL) }

    /// The semd built beside this executable.
    static func semdExecutable() throws -> URL {
        let url = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("semd")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BenchmarkFailure("semd is not beside semd-bench (\(url.path))", hint: "build both: make build-release")
        }
        return url
    }
}
