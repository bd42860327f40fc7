// One rule for every door: an empty string (no characters at all) is refused, never embedded or
// scored. cass's own daemon refuses it (v1 answers ModelLoadFailed, v2 InvalidInput), OpenAI's API
// answers 400, and an empty string's vector ([CLS] [SEP] alone) means nothing a search could use. The
// service refuses it with InvalidInput (each door maps that to its own code) and the client refuses it
// before sending, with the same sentence (Docs/PROTOCOL.md §7). A string of spaces is not empty and is
// served. Pure: looks at the strings only; the engine itself would embed an empty string.
public enum EmptyTextRule {
    /// Why `texts` are refused (the first empty one, counted from 0), or nil.
    public static func refusal(texts: [String]) -> String? {
        texts.firstIndex(where: \.isEmpty).map { "text \($0) (counting from 0) is empty: \(reason)" }
    }

    /// Why a rerank of `documents` for `query` is refused (an empty query, else the first empty
    /// document, counted from 0), or nil.
    public static func refusal(query: String, documents: [String]) -> String? {
        if query.isEmpty { return "the query is empty: \(reason)" }
        return documents.firstIndex(where: \.isEmpty).map { "document \($0) (counting from 0) is empty: \(reason)" }
    }

    static let reason = "semd embeds and scores no empty string (leave it out; Docs/PROTOCOL.md §7)"
}
