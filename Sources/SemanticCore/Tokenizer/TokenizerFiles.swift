// TokenizerFiles: finds and reads a model folder's tokenizer files (tokenizer.json, or vocab.txt with
// tokenizer_config.json) and its maximum sequence length (sentence_bert_config.json, else
// tokenizer_config.json's model_max_length capped at 512 and at config.json's max_position_embeddings).
// Every failure is a TokenizerError naming the file. Never writes, never caches.
import Foundation

extension BertTokenizer {
    /// Loads from a model folder: `tokenizer.json` when present, else `vocab.txt` + `tokenizer_config.json`.
    /// `maxLength` is `sentence_bert_config.json`'s `max_seq_length` when present (256 for all-MiniLM-L6-v2,
    /// not the 128 baked into its tokenizer.json), else `model_max_length` capped at 512.
    public static func load(directory: URL) throws -> BertTokenizer {
        let maxLength = try TokenizerFiles.maxLength(in: directory)
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if TokenizerFiles.exists(tokenizerJSON) {
            let parts = try TokenizerDefinition.parse(TokenizerFiles.read(tokenizerJSON), file: tokenizerJSON.path)
            return BertTokenizer(parts: parts, maxLength: maxLength)
        }
        let vocabularyFile = directory.appendingPathComponent("vocab.txt")
        guard TokenizerFiles.exists(vocabularyFile) else {
            throw TokenizerError.missingTokenizerFiles(directory: directory.path)
        }
        let configurationFile = directory.appendingPathComponent("tokenizer_config.json")
        guard TokenizerFiles.exists(configurationFile) else {
            throw TokenizerError.missingFile(
                path: configurationFile.path, neededFor: "reading vocab.txt: casing, accents and special tokens")
        }
        let configuration = try TokenizerFiles.configuration(
            fromTokenizerConfig: TokenizerFiles.read(configurationFile), file: configurationFile.path)
        let vocabulary = try TokenizerFiles.vocabulary(fromVocabularyText: TokenizerFiles.read(vocabularyFile), file: vocabularyFile.path)
        let known = Set(vocabulary)
        for (role, token) in [
            ("unknown", configuration.unknownToken), ("classifier", configuration.classifierToken),
            ("separator", configuration.separatorToken),
        ] where !known.contains(token) {
            throw TokenizerError.invalidVocabulary(
                file: vocabularyFile.path, reason: "the \(role) token \"\(token)\" named by tokenizer_config.json is not a line of it")
        }
        return BertTokenizer(vocabulary: vocabulary, configuration: configuration, maxLength: maxLength)
    }
}

enum TokenizerFiles {
    /// The limit when no file states one: BERT's position embeddings.
    static let defaultMaxLength = 512

    static func exists(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    /// `vocab.txt`: one token per line, id = line index, trailing white space (and CR) trimmed.
    static func vocabulary(fromVocabularyText data: Data, file: String) throws -> [String] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.invalidVocabulary(file: file, reason: "it is not UTF-8 text")
        }
        // Split on LF scalars: as Characters, "\r\n" would be one grapheme and never match "\n".
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw TokenizerError.invalidVocabulary(file: file, reason: "it is empty") }
        return lines.map { line in
            var end = line.endIndex
            while end > line.startIndex, line[line.index(before: end)].properties.isWhitespace {
                end = line.index(before: end)
            }
            return String(line[line.startIndex..<end])
        }
    }

    /// The options a `tokenizer_config.json` states; the uncased-BERT defaults fill the rest.
    static func configuration(fromTokenizerConfig data: Data, file: String) throws -> BertTokenizerConfiguration {
        let document = try object(data, file: file)
        var configuration = BertTokenizerConfiguration()
        configuration.lowercase = try flag(document["do_lower_case"], key: "do_lower_case", file: file) ?? true
        configuration.stripAccents = try flag(document["strip_accents"], key: "strip_accents", file: file)
        configuration.tokenizeChineseCharacters =
            try flag(document["tokenize_chinese_chars"], key: "tokenize_chinese_chars", file: file) ?? true
        func token(_ key: String, _ fallback: String) throws -> String {
            switch document[key] {
            case nil, is NSNull: return fallback
            case let text as String: return text
            case let object as [String: Any]:
                if let content = object["content"] as? String { return content }
                fallthrough
            default:
                throw TokenizerError.invalidSetting(
                    file: file, key: key, expected: "a string or {\"content\": string}", found: "\(document[key]!)")
            }
        }
        configuration.unknownToken = try token("unk_token", configuration.unknownToken)
        configuration.classifierToken = try token("cls_token", configuration.classifierToken)
        configuration.separatorToken = try token("sep_token", configuration.separatorToken)
        configuration.paddingToken = try token("pad_token", configuration.paddingToken)
        configuration.maskToken = try token("mask_token", configuration.maskToken)
        return configuration
    }

    /// `max_seq_length` of sentence_bert_config.json, else model_max_length capped, else 512.
    static func maxLength(in directory: URL) throws -> Int {
        let sentenceConfiguration = directory.appendingPathComponent("sentence_bert_config.json")
        if exists(sentenceConfiguration) {
            let document = try object(read(sentenceConfiguration), file: sentenceConfiguration.path)
            if let value = document["max_seq_length"], !(value is NSNull) {
                guard let length = TokenizerDefinition.integer(value), length >= 2 else {
                    throw TokenizerError.invalidSetting(
                        file: sentenceConfiguration.path, key: "max_seq_length", expected: "an integer of at least 2", found: "\(value)")
                }
                return length
            }
        }
        var cap = defaultMaxLength
        let modelConfiguration = directory.appendingPathComponent("config.json")
        if exists(modelConfiguration),
            let positions = TokenizerDefinition.integer(try object(read(modelConfiguration), file: modelConfiguration.path)["max_position_embeddings"]),
            positions >= 2
        {
            cap = min(cap, positions)
        }
        let tokenizerConfiguration = directory.appendingPathComponent("tokenizer_config.json")
        if exists(tokenizerConfiguration) {
            let document = try object(read(tokenizerConfiguration), file: tokenizerConfiguration.path)
            if let value = document["model_max_length"] as? NSNumber, value.doubleValue >= 2 {
                return value.doubleValue >= Double(cap) ? cap : Int(value.doubleValue)
            }
        }
        return cap
    }

    private static func object(_ data: Data, file: String) throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TokenizerError.malformedFile(file: file, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let document = parsed as? [String: Any] else {
            throw TokenizerError.malformedFile(file: file, reason: "the top level is not a JSON object")
        }
        return document
    }

    private static func flag(_ value: Any?, key: String, file: String) throws -> Bool? {
        guard let value, !(value is NSNull) else { return nil }
        guard let flag = JSONValues.boolean(value) else {
            throw TokenizerError.invalidSetting(file: file, key: key, expected: "true, false or null", found: "\(value)")
        }
        return flag
    }
}
