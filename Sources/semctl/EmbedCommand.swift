// `semctl embed`: sentence embeddings of texts given as arguments or one per stdin line, served by
// the daemon (started when needed) or in-process, as a short human view, one JSON object, or JSON lines.
import ArgumentParser
import Foundation
import SemanticClient

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, jsonl
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts as 384-dimension sentence vectors (all-MiniLM-L6-v2, normalised).",
        discussion: """
        Texts come from the arguments, or one per line from standard input when there are none (or the \
        only argument is -). The daemon answers when one runs; when none does, one is started and \
        answers. When no daemon can answer, the vectors are computed in this process with the same \
        model, so they are the same; --json says which path served ("served_by": "daemon" or \
        "in-process") and -v says why on stderr.

        Formats:
          human   the text and the first components of its vector
          json    {"model", "dimension", "served_by", "elapsed_ms", "embeddings": [[...], ...]}
          jsonl   one {"index", "text", "embedding"} object per text

        Examples:
          semctl embed "hello world"
          semctl embed --json "first text" "second text" | jq '.embeddings[0][:4]'
          cut -f2 titles.tsv | semctl embed --format jsonl > vectors.jsonl
          semctl embed --dims 128 --no-daemon -v "computed here, never by the daemon"
          semctl embed --no-fallback "fails with exit status 3 when no daemon can answer"
          semctl embed --json -- "- a text that begins with a dash goes after --"
        """
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Embedding model (an id or alias; default: minilm).") var model = "default"
    @Option(name: .long, help: ArgumentHelp("Keep the first N components and re-normalise.", valueName: "n"))
    var dims: Int?
    @Option(name: .long, help: "Output format: human, json or jsonl.") var format: OutputFormat = .human
    @Flag(name: .long, help: "Same as --format json.") var json = false
    @Argument(help: "Texts to embed; none or - reads one text per line from standard input.") var texts: [String] = []

    func validate() throws {
        if let dims, dims < 1 { throw ValidationError("--dims must be at least 1") }
        if json && format != .human && format != .json {
            throw ValidationError("--json and --format \(format.rawValue) contradict each other")
        }
    }

    func run() throws {
        let client = try client.makeClient()
        let inputs = texts.isEmpty || texts == ["-"] ? readStandardInputLines() : texts
        let progress = ProgressBar(label: "texts", total: inputs.count, threshold: client.configuration.batchSize)
        let result: EmbeddingResult
        do {
            result = try client.embed(inputs, model: model, dims: dims) { progress.update(done: $0, total: $1) }
        } catch {
            progress.finish()
            throw CommandFailure(error, socket: client.configuration.paths.socket)
        }
        progress.finish()
        if self.client.verbose {
            printError(servedByLine(result.servedBy, socket: client.configuration.paths.socket, elapsed: result.elapsed))
        }
        switch json ? .json : format {
        case .json:
            print(JSONValue.object([
                ("model", .string(result.model)),
                ("dimension", .int(result.dimension)),
                ("served_by", .string(result.servedBy.name)),
                ("elapsed_ms", .double(milliseconds(result.elapsed))),
                ("embeddings", .array(result.embeddings.map { .floats($0) })),
            ]).text)
        case .jsonl:
            var output = ""
            for (index, vector) in result.embeddings.enumerated() {
                JSONValue.object([("index", .int(index)), ("text", .string(inputs[index])), ("embedding", .floats(vector))])
                    .write(to: &output)
                output += "\n"
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        case .human:
            for (text, vector) in zip(inputs, result.embeddings) {
                let shown = vector.prefix(6).map { String(format: "%.4f", $0) }.joined(separator: ", ")
                print("\(quoted(text, limit: 40))  [\(shown)\(vector.count > 6 ? ", …" : "")]  \(vector.count)-d")
            }
        }
    }
}

/// `"text"`, cut with an ellipsis past `limit` characters.
func quoted(_ text: String, limit: Int) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: " ")
    return "\"" + (flat.count > limit ? flat.prefix(limit - 1) + "…" : flat) + "\""
}
