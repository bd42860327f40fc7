// A model's tokenizer applied the way the model applies it, from its folder alone (no weights): the
// prompt and the text as one string, lower-cased when sentence_bert_config.json says so, framed as
// [CLS] … [SEP] and cut at the model's token limit (max_seq_length; prompt tokens count against it).
// The client counts tokens and checks lengths with it for calls the daemon serves (the cass socket
// carries neither), and `semctl tokenize` shows it; the daemon's engine tokenizes by the same rules, so
// the numbers agree. Reads the folder's small files once; never embeds, never talks to a daemon.
import Foundation
import SemanticCore

/// One text as the model reads it.
public struct TokenizedInput: Sendable, Equatable {
    /// The text the tokenizer saw: the prompt and the text as one string, lower-cased when the model does.
    public let input: String
    /// `[CLS] … [SEP]`, after truncation.
    public let encoding: TokenEncoding

    /// Tokens fed to the model (prompt and [CLS]/[SEP] included, after truncation).
    public var tokenCount: Int { encoding.ids.count }
    /// Whether the text was cut at the model's limit.
    public var truncated: Bool { encoding.wasTruncated }
    /// Tokens the whole text comes to before any cut.
    public var untruncatedCount: Int { encoding.untruncatedCount }
}

public struct ModelTokenizer: Sendable {
    /// The model's id (not the alias it was asked for).
    public let modelID: String
    public let kind: ModelKind
    /// Most tokens per text, [CLS]/[SEP] and prompt included.
    public let maxSequenceLength: Int
    /// The model's prompts, with sentence-transformers' rules.
    public let prompts: ModelPrompts
    let lowercasesText: Bool
    let tokenizer: BertTokenizer

    /// Reads the tokenizer and the configuration of the model folder `directory` (model `modelID`).
    public static func load(directory: URL, modelID: String) throws(ClientError) -> ModelTokenizer {
        do {
            let folder = try ModelFolder.describe(directory)
            return ModelTokenizer(modelID: modelID, kind: folder.kind, maxSequenceLength: folder.maxSequenceLength,
                                  prompts: folder.prompts, lowercasesText: folder.lowercasesText,
                                  tokenizer: try BertTokenizer.load(directory: directory))
        } catch {
            throw .engine("cannot read the tokenizer of \(modelID) in \(directory.path): \(error)")
        }
    }

    /// The prompt string `prompt` applies with this model (nil: none). A reranker takes no prompt.
    public func promptString(for prompt: EmbeddingPrompt) throws(ClientError) -> String? {
        if kind == .reranker, prompt != .modelDefault, prompt != .none {
            throw .invalidRequest("\(modelID) is a reranker: it takes no prompt")
        }
        return try prompt.promptString(with: prompts, model: modelID)
    }

    /// Each text with the prompt, as the model reads it: cut at `maxSequenceLength`, or at `maxLength`
    /// tokens when given.
    public func tokenize(_ texts: [String], prompt: EmbeddingPrompt = .modelDefault, maxLength: Int? = nil)
        throws(ClientError) -> [TokenizedInput] {
        let prompt = try promptString(for: prompt)
        let inputs = texts.map { text in
            let joined = (prompt ?? "") + text
            return lowercasesText ? joined.lowercased() : joined
        }
        return zip(inputs, tokenizer.encode(inputs, maxLength: maxLength ?? maxSequenceLength)).map {
            TokenizedInput(input: $0, encoding: $1)
        }
    }

    /// The pair `first`, `second` as a cross-encoder reads it: `[CLS] first [SEP] second [SEP]`, token
    /// types 0 and 1, cut longest-first at `maxLength` tokens.
    public func tokenizePair(_ first: String, _ second: String, maxLength: Int) -> TokenEncoding {
        tokenizer.encodePair(first, second, maxLength: maxLength)
    }

    /// Throws `textTooLong` for the first of `texts` over the limit with `prompt`, naming it, its
    /// token count and the limit.
    public func refuseOverlongTexts(_ texts: [String], prompt: EmbeddingPrompt) throws(ClientError) {
        let tokenized = try tokenize(texts, prompt: prompt)
        guard let index = tokenized.firstIndex(where: \.truncated) else { return }
        throw .textTooLong(index: index, text: texts[index], tokens: tokenized[index].untruncatedCount,
                           limit: maxSequenceLength, model: modelID)
    }
}
