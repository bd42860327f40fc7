// `semctl tokenize`: show the word pieces and ids a model's tokenizer gives a text (with the prompt the
// model would prepend) or a pair, read from the model folder in this process.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show the tokens and ids the model sees for a text (or a query/document pair).",
        discussion: """
        The text is lower-cased, cleaned and split into WordPiece tokens exactly as the reference \
        tokenizer does, then framed as [CLS] text [SEP] and cut at the model's maximum length \
        (256 for all-MiniLM-L6-v2), as `semctl embed` and the daemon feed it to the model. A prompt \
        is part of the text: the model's default prompt when it has one, or the one --query, \
        --document, --prompt-name or --prompt chooses (the prompt's tokens count against the \
        length). The ids are those the daemon's HTTP POST /tokenize answers. With --pair it is \
        encoded as [CLS] text [SEP] pair [SEP] with token types 0 and 1 and longest-first \
        truncation at 512, as a cross-encoder sees it.

        Examples:
          semctl tokenize "hello world"
          semctl tokenize --json "Café déjà vu"
          echo "text from a pipe" | semctl tokenize -
          semctl tokenize --model bge-small --query "how do I cancel a job?"
          semctl tokenize --model e5 --prompt-name passage --json "a passage to index"
          semctl tokenize --pair "the passage to score" "the query"
          semctl tokenize --pair "- a passage may begin with a dash" -- "-a query that does comes after --"
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Option(name: .long, help: "Model whose tokenizer to use (an id or alias, or NAME:PROMPT).") var model = "minilm"
    @OptionGroup var prompt: PromptOptions
    // Unconditional: the next argument is the passage even when it begins with "-" (a list item, a flag
    // in a shell transcript), which the default parsing would take for an option.
    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Encode TEXT with this second text as a pair.", valueName: "doc"))
    var pair: String?
    @Option(name: .long, help: "Truncate to this many tokens including [CLS]/[SEP] (default: the model's).")
    var maxLength: Int?
    @Flag(name: .long, help: "Print {\"input_ids\", \"token_type_ids\", \"tokens\", \"prompt\", \"truncated\", \"untruncated_count\"} as JSON.")
    var json = false
    @Argument(help: "The text to tokenize; - reads standard input.") var text: String

    func validate() throws {
        if let maxLength, maxLength < (pair == nil ? 2 : 3) {
            throw ValidationError("--max-length must leave room for the special tokens (at least \(pair == nil ? 2 : 3))")
        }
        try prompt.validate(model: model)
        if pair != nil && (prompt.choice != .modelDefault || model.contains(":")) {
            throw ValidationError("--pair encodes a cross-encoder's pair, which takes no prompt; drop the prompt")
        }
    }

    func run() throws {
        let (modelName, promptChoice) = EmbeddingPrompt.split(modelName: model, prompt: prompt.choice)
        let input = text == "-" ? readStandardInput() : text
        let tokenizer: ModelTokenizer
        do {
            // The models semd knows and those added with `semctl models add`, from this process alone.
            let configuration = try ClientConfiguration.resolve(modelsDirectory: location.modelsDir, noDaemon: true)
            tokenizer = try SemanticClient(configuration: configuration).tokenizer(for: modelName)
        } catch let error as ClientError {
            throw CommandFailure(error.description, hint: "see `semctl models list` for the models and their prompts",
                                 exitCode: 2)
        }
        if let pair {
            show(tokenizer.tokenizePair(input, pair, maxLength: maxLength ?? 512), prompt: nil, model: tokenizer.modelID,
                 limit: maxLength ?? 512)
            return
        }
        let tokenized: TokenizedInput
        let promptString: String?
        do {
            promptString = try tokenizer.promptString(for: promptChoice)
            tokenized = try tokenizer.tokenize([input], prompt: promptChoice, maxLength: maxLength)[0]
        } catch {
            throw CommandFailure(error.description, hint: "see `semctl models list` for the model's prompts", exitCode: 2)
        }
        show(tokenized.encoding, prompt: promptString, model: tokenizer.modelID,
             limit: maxLength ?? tokenizer.maxSequenceLength)
    }

    private func show(_ encoding: TokenEncoding, prompt: String?, model: String, limit: Int) {
        if json {
            print(JSONValue.object([
                ("input_ids", .ints(encoding.ids)),
                ("token_type_ids", .ints(encoding.typeIds)),
                ("tokens", .strings(encoding.tokens)),
                ("prompt", prompt.map(JSONValue.string) ?? .null),
                ("truncated", .bool(encoding.wasTruncated)),
                ("untruncated_count", .int(encoding.untruncatedCount)),
            ]).text)
            return
        }
        var summary = "\(encoding.ids.count) tokens (\(model), max length \(limit))"
        if encoding.untruncatedCount > encoding.ids.count {
            summary += ", truncated from \(encoding.untruncatedCount)"
        }
        if let prompt { summary += ", prompt \"\(prompt)\"" }
        print(summary)
        let table = TextTable(columns: ["#", "ID", "TYPE", "TOKEN"], rightAligned: [0, 1])
        for index in encoding.ids.indices {
            table.add([String(index), String(encoding.ids[index]), String(encoding.typeIds[index]),
                       encoding.tokens[index]])
        }
        print(table.render())
    }
}

/// All of standard input as UTF-8 text, without its final newline.
func readStandardInput() -> String {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    var text = String(decoding: data, as: UTF8.self)
    if text.unicodeScalars.last == "\n" {
        text.unicodeScalars.removeLast()
        if text.unicodeScalars.last == "\r" { text.unicodeScalars.removeLast() }
    }
    return text
}
