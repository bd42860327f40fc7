// The prompt flags `semctl embed` and `semctl tokenize` share: --query, --document, --prompt-name NAME
// and --prompt TEXT, at most one of them, turned into the client's `EmbeddingPrompt` in one place.
import ArgumentParser
import SemanticClient

struct PromptOptions: ParsableArguments {
    @Flag(name: .long, help: "Apply the model's query prompt (sentence-transformers' encode_query).")
    var query = false
    @Flag(name: .long, help: "Apply the model's document prompt (encode_document: document, passage or corpus).")
    var document = false
    @Option(name: .long, help: ArgumentHelp("Apply the model's prompt of this name (see `semctl models list`).",
                                            valueName: "name"))
    var promptName: String?
    @Option(name: .long, help: ArgumentHelp("Prepend this literal prompt to every text, in place of any default.",
                                            valueName: "text"))
    var prompt: String?

    /// The flags given, as the user typed them.
    private var given: [String] {
        (query ? ["--query"] : []) + (document ? ["--document"] : []) + (promptName != nil ? ["--prompt-name"] : [])
            + (prompt != nil ? ["--prompt"] : [])
    }

    /// Refuses two prompt flags at once, an empty prompt name, and a flag beside a `NAME:PROMPT` model.
    func validate(model: String) throws {
        if given.count > 1 {
            throw ValidationError("\(given.joined(separator: " and ")) each choose the prompt; give only one of "
                + "--query, --document, --prompt-name and --prompt")
        }
        if let promptName, promptName.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--prompt-name needs a prompt's name, such as query or passage (see `semctl models list`)")
        }
        if let flag = given.first, model.contains(":") {
            throw ValidationError("--model \(model) already names a prompt after its ':'; drop \(flag), or give the "
                + "model's plain name")
        }
    }

    /// The client's prompt for these flags (the model's default when none is given).
    var choice: EmbeddingPrompt {
        if query { return .query }
        if document { return .document }
        if let promptName { return .named(promptName) }
        if let prompt { return .text(prompt) }
        return .modelDefault
    }
}
