// `semctl tokenize`: show the word pieces and ids a model's tokenizer gives a text or a pair.
import ArgumentParser
import Foundation
import SemanticCore

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show the tokens and ids the model sees for a text (or a query/document pair).",
        discussion: """
        The text is lower-cased, cleaned and split into WordPiece tokens exactly as the reference \
        tokenizer does, then framed as [CLS] text [SEP] and cut at the model's maximum length \
        (256 for all-MiniLM-L6-v2). With --pair it is encoded as [CLS] text [SEP] pair [SEP] with \
        token types 0 and 1 and longest-first truncation at 512, as a cross-encoder sees it.

        Examples:
          semctl tokenize "hello world"
          semctl tokenize --json "Café déjà vu"
          echo "text from a pipe" | semctl tokenize -
          semctl tokenize --pair "the passage to score" "the query"
          semctl tokenize --pair "- a passage may begin with a dash" -- "-a query that does comes after --"
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Option(name: .long, help: "Model whose tokenizer to use (an id or alias).") var model = "minilm"
    // Unconditional: the next argument is the passage even when it begins with "-" (a list item, a flag
    // in a shell transcript), which the default parsing would take for an option.
    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Encode TEXT with this second text as a pair.", valueName: "doc"))
    var pair: String?
    @Option(name: .long, help: "Truncate to this many tokens including [CLS]/[SEP] (default: the model's).")
    var maxLength: Int?
    @Flag(name: .long, help: "Print {\"input_ids\", \"token_type_ids\", \"tokens\"} as JSON.") var json = false
    @Argument(help: "The text to tokenize; - reads standard input.") var text: String

    func validate() throws {
        if let maxLength, maxLength < (pair == nil ? 2 : 3) {
            throw ValidationError("--max-length must leave room for the special tokens (at least \(pair == nil ? 2 : 3))")
        }
    }

    func run() throws {
        let descriptor = try resolveAnyKind(model)
        let folder = try location.root.installedDirectory(for: descriptor)
        let tokenizer = try BertTokenizer.load(directory: folder)
        let input = text == "-" ? readStandardInput() : text
        let encoding: TokenEncoding
        if let pair {
            encoding = tokenizer.encodePair(input, pair, maxLength: maxLength ?? 512)
        } else {
            encoding = tokenizer.encode(input, maxLength: maxLength)
        }
        if json {
            print(JSONValue.object([
                ("input_ids", .ints(encoding.ids)),
                ("token_type_ids", .ints(encoding.typeIds)),
                ("tokens", .strings(encoding.tokens)),
            ]).text)
            return
        }
        let limit = maxLength ?? (pair == nil ? tokenizer.maxLength : 512)
        var summary = "\(encoding.ids.count) tokens (\(descriptor.id), max length \(limit))"
        if encoding.untruncatedCount > encoding.ids.count {
            summary += ", truncated from \(encoding.untruncatedCount)"
        }
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
