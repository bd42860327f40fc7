// What `sentence_bert_config.json` says about the Transformer module of a sentence-transformers folder:
// `max_seq_length` (tokens fed, prompt and [CLS]/[SEP] included) and `do_lower_case` (sentence-transformers
// lower-cases the text itself before tokenizing). A folder without the file has neither. Reads one small
// JSON file; never tokenizes.
import Foundation

public struct SentenceBertSettings: Sendable, Equatable {
    /// `max_seq_length`, nil when the folder states none (the position table then limits).
    public var maxSequenceLength: Int?
    /// `do_lower_case`: lower-case the text before the tokenizer sees it.
    public var lowercasesText: Bool

    public init(maxSequenceLength: Int? = nil, lowercasesText: Bool = false) {
        self.maxSequenceLength = maxSequenceLength
        self.lowercasesText = lowercasesText
    }

    /// Reads `sentence_bert_config.json` in `directory`.
    public static func load(directory: URL) throws -> SentenceBertSettings {
        let url = directory.appendingPathComponent("sentence_bert_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return SentenceBertSettings() }
        guard let json = try readJSON(url) as? [String: Any] else {
            throw ModelConfigurationError(file: url.path, problem: "expected a JSON object")
        }
        var settings = SentenceBertSettings()
        if let value = json["max_seq_length"], !(value is NSNull) {
            guard let limit = JSONValues.integer(value), limit >= 2 else {
                throw ModelConfigurationError(file: url.path, problem: "expected 'max_seq_length' to be an integer of at least 2, found \(value)")
            }
            settings.maxSequenceLength = limit
        }
        if let value = json["do_lower_case"], !(value is NSNull) {
            guard let flag = JSONValues.boolean(value) else {
                throw ModelConfigurationError(file: url.path, problem: "expected 'do_lower_case' to be true or false, found \(value)")
            }
            settings.lowercasesText = flag
        }
        return settings
    }
}
