// `semctl embed`: sentence embeddings of texts given as arguments or one per stdin line, served by
// the daemon (started when needed) or in-process, as a short human view, one JSON object, or JSON lines;
// with a prompt of the model's (--query, --document, --prompt-name) or a literal one (--prompt), and
// over-long texts cut (the JSON says which, with each text's token count) or refused (--no-truncate).
import ArgumentParser
import Foundation
import SemanticClient

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, jsonl
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts as sentence vectors (all-MiniLM-L6-v2, 384-d and normalised, unless --model says otherwise).",
        discussion: """
        Texts come from the arguments, or one per line from standard input when there are none (or the \
        only argument is -). The daemon answers when one runs; when none does, one is started and \
        answers. When no daemon can answer, the vectors are computed in this process with the same \
        model, so they are the same; --json says which path served ("served_by": "daemon" or \
        "in-process") and -v says why on stderr.

        Prompts: retrieval models such as bge, e5 and gte expect a prompt before a query or a passage \
        ("query: ", "Represent this sentence for searching relevant passages: "), kept in the model \
        folder's config_sentence_transformers.json. Without a flag a text gets the model's default \
        prompt, if it has one, as sentence-transformers' encode does. --query and --document choose \
        the prompts sentence-transformers' encode_query and encode_document choose; --prompt-name \
        any prompt of the model (semctl models list shows them); --prompt a literal one. One of the \
        four at most. --model NAME:PROMPT names a prompt too, as the sockets accept it.

        Length: a text over the model's token limit (the prompt and [CLS]/[SEP] count) is cut there, \
        as sentence-transformers cuts it; the JSON formats give each text's token count and say \
        whether it was cut. --no-truncate refuses such a text instead (exit status 2, naming it, its \
        token count and the limit). The counts come from the model folder's tokenizer in this \
        process; they are null when this process cannot read it (a model only the daemon serves).

        Formats:
          human   the text and the first components of its vector
          json    {"model", "dimension", "served_by", "elapsed_ms", "prompt",
                   "tokens": [...], "truncated": [...], "embeddings": [[...], ...]}
          jsonl   one {"index", "text", "tokens", "truncated", "embedding"} per text

        Examples:
          semctl embed "hello world"
          semctl embed --json "first text" "second text" | jq '.embeddings[0][:4]'
          cut -f2 titles.tsv | semctl embed --format jsonl > vectors.jsonl
          semctl embed --model bge-small --query --json "how do I cancel a job?"
          semctl embed --model bge-small --document --format jsonl < passages.txt
          semctl embed --model e5 --prompt-name passage "a passage to index"
          semctl embed --model e5 --prompt "query: " "a literal prompt, no default"
          semctl embed --no-truncate --json "refused (exit status 2) if over the limit"
          semctl embed --dims 128 --no-daemon -v "computed here, never by the daemon"
          semctl embed --no-fallback "fails with exit status 3 when no daemon can answer"
          semctl embed --json -- "- a text that begins with a dash goes after --"
        """
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Embedding model (an id or alias, a model added with `semctl models add`, or NAME:PROMPT; default: minilm).")
    var model = "default"
    @Option(name: .long, help: ArgumentHelp("Keep the first N components and re-normalise.", valueName: "n"))
    var dims: Int?
    @OptionGroup var prompt: PromptOptions
    @Flag(name: .long, help: "Refuse a text over the model's token limit instead of cutting it (exit status 2).")
    var noTruncate = false
    @Option(name: .long, help: "Output format: human, json or jsonl.") var format: OutputFormat = .human
    @Flag(name: .long, help: "Same as --format json.") var json = false
    @Argument(help: "Texts to embed; none or - reads one text per line from standard input.") var texts: [String] = []

    func validate() throws {
        if let dims, dims < 1 { throw ValidationError("--dims must be at least 1") }
        if json && format != .human && format != .json {
            throw ValidationError("--json and --format \(format.rawValue) contradict each other")
        }
        try prompt.validate(model: model)
    }

    func run() throws {
        let client = try client.makeClient()
        let inputs = texts.isEmpty || texts == ["-"] ? readStandardInputLines() : texts
        let progress = ProgressBar(label: "texts", total: inputs.count, threshold: client.configuration.batchSize)
        let result: EmbeddingResult
        do {
            result = try client.embed(inputs, model: model, dims: dims, prompt: prompt.choice,
                                      truncation: noTruncate ? .refuse : .truncate) { progress.update(done: $0, total: $1) }
        } catch {
            progress.finish()
            throw CommandFailure(error, socket: client.configuration.paths.socket)
        }
        progress.finish()
        if self.client.verbose {
            printError(servedByLine(result.servedBy, socket: client.configuration.paths.socket, elapsed: result.elapsed))
        }
        let outputFormat = json ? .json : format
        let counts = outputFormat == .human ? nil : tokenCounts(inputs, client: client)
        switch outputFormat {
        case .json:
            print(JSONValue.object([
                ("model", .string(result.model)),
                ("dimension", .int(result.dimension)),
                ("served_by", .string(result.servedBy.name)),
                ("elapsed_ms", .double(milliseconds(result.elapsed))),
                ("prompt", counts?.prompt.map(JSONValue.string) ?? JSONValue.null),
                ("tokens", counts.map { JSONValue.ints($0.texts.map(\.tokenCount)) } ?? JSONValue.null),
                ("truncated", counts.map { JSONValue.array($0.texts.map { JSONValue.bool($0.truncated) }) } ?? JSONValue.null),
                ("embeddings", .array(result.embeddings.map { .floats($0) })),
            ]).text)
        case .jsonl:
            var output = ""
            for (index, vector) in result.embeddings.enumerated() {
                let tokenized = counts?.texts[index]
                JSONValue.object([
                    ("index", .int(index)), ("text", .string(inputs[index])),
                    ("tokens", tokenized.map { JSONValue.int($0.tokenCount) } ?? JSONValue.null),
                    ("truncated", tokenized.map { JSONValue.bool($0.truncated) } ?? JSONValue.null),
                    ("embedding", .floats(vector)),
                ]).write(to: &output)
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

extension EmbedCommand {
    /// Each text's token count and cut, and the prompt string, from the model folder's tokenizer in
    /// this process (nil, said with -v, when this process cannot read it).
    func tokenCounts(_ inputs: [String], client: SemanticClient) -> (prompt: String?, texts: [TokenizedInput])? {
        do {
            let texts = try client.tokenize(inputs, model: model, prompt: prompt.choice)
            return (try client.promptString(model: model, prompt: prompt.choice), texts)
        } catch {
            if self.client.verbose { printError("semctl: no token counts: \(error)") }
            return nil
        }
    }
}

/// `"text"`, cut with an ellipsis past `limit` characters.
func quoted(_ text: String, limit: Int) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: " ")
    return "\"" + (flat.count > limit ? flat.prefix(limit - 1) + "…" : flat) + "\""
}
