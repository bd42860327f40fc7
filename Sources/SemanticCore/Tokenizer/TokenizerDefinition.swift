// TokenizerDefinition: reads a `tokenizer.json` into the parts of a BERT WordPiece tokenizer, and refuses
// with a clear error any file whose model, normaliser, pre-tokeniser, post-processor or added tokens this
// engine does not reproduce exactly. Ignores the file's baked-in truncation and padding on purpose: the
// caller's maximum length decides (sentence_bert_config.json), not the 128 a tokenizer.json may carry.
import Foundation

/// Everything a `BertTokenizer` is built from, whichever file it came from.
struct TokenizerParts {
    /// The string of every id, 0..<count.
    var vocabulary: [String]
    var configuration: BertTokenizerConfiguration
    /// Tokens matched literally in raw text, with their ids.
    var literalTokens: [(content: String, id: Int)]
    var unknownID: Int
    var classifierID: Int
    var separatorID: Int
}

enum TokenizerDefinition {
    /// Parses `tokenizer.json` bytes; `file` names the source in errors.
    static func parse(_ data: Data, file: String) throws -> TokenizerParts {
        // The vocabulary is nearly the whole file: read it directly, and let JSONSerialization (which
        // builds an NSNumber and a bridged string per entry) parse only the rest.
        let scanned = VocabularyScanner.scan(data)
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: scanned?.remainder ?? data)
        } catch {
            throw TokenizerError.malformedFile(file: file, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let document = root as? [String: Any] else {
            throw TokenizerError.malformedFile(file: file, reason: "the top level is not a JSON object")
        }
        guard let model = document["model"] as? [String: Any] else {
            throw TokenizerError.malformedFile(file: file, reason: "no \"model\" object")
        }
        let modelType = model["type"] as? String ?? "none"
        guard modelType == "WordPiece" else {
            throw TokenizerError.unsupportedComponent(
                file: file, component: "model.type", expected: "WordPiece", found: modelType)
        }
        var vocabulary = try scanned?.vocabulary ?? readVocabulary(model["vocab"], file: file)
        guard let unknownToken = model["unk_token"] as? String else {
            throw TokenizerError.malformedFile(file: file, reason: "model.unk_token is missing or not a string")
        }
        let prefix = try optionalString(model["continuing_subword_prefix"], key: "model.continuing_subword_prefix", file: file) ?? "##"
        let maxCharacters = try optionalInteger(model["max_input_chars_per_word"], key: "model.max_input_chars_per_word", file: file) ?? 100

        var configuration = try readNormalizer(document["normalizer"], file: file)
        try checkPreTokenizer(document["pre_tokenizer"], file: file)
        configuration.unknownToken = unknownToken
        configuration.continuingSubwordPrefix = prefix
        configuration.maxInputCharactersPerWord = maxCharacters

        let literalTokens = try readAddedTokens(document["added_tokens"], file: file)
        for literal in literalTokens.sorted(by: { $0.id < $1.id }) {
            if literal.id < vocabulary.count {
                vocabulary[literal.id] = literal.content
            } else if literal.id == vocabulary.count {
                vocabulary.append(literal.content)
            } else {
                throw TokenizerError.invalidVocabulary(
                    file: file, reason: "added token \"\(literal.content)\" has id \(literal.id), leaving a gap after id \(vocabulary.count - 1)")
            }
        }
        let (classifier, separator) = try readPostProcessor(document["post_processor"], file: file)
        configuration.classifierToken = classifier.token
        configuration.separatorToken = separator.token
        for literal in literalTokens {
            if literal.content == "[PAD]" { configuration.paddingToken = literal.content }
            if literal.content == "[MASK]" { configuration.maskToken = literal.content }
        }

        let unknownID = literalTokens.first(where: { $0.content == unknownToken })?.id
            ?? vocabulary.firstIndex(of: unknownToken)
        guard let unknownID else {
            throw TokenizerError.invalidVocabulary(file: file, reason: "the unknown token \"\(unknownToken)\" is not in model.vocab")
        }
        for special in [classifier, separator] where special.id < 0 || special.id >= vocabulary.count {
            throw TokenizerError.invalidVocabulary(
                file: file, reason: "post_processor token \"\(special.token)\" has id \(special.id), outside 0..<\(vocabulary.count)")
        }
        return TokenizerParts(
            vocabulary: vocabulary, configuration: configuration, literalTokens: literalTokens,
            unknownID: unknownID, classifierID: classifier.id, separatorID: separator.id)
    }

    /// `model.vocab`: token → id, where the ids must be exactly 0..<count.
    private static func readVocabulary(_ value: Any?, file: String) throws -> [String] {
        guard let entries = value as? [String: Any], !entries.isEmpty else {
            throw TokenizerError.invalidVocabulary(file: file, reason: "model.vocab is missing, empty or not an object")
        }
        var vocabulary = [String?](repeating: nil, count: entries.count)
        for (token, rawID) in entries {
            guard let id = integer(rawID), id >= 0, id < entries.count else {
                throw TokenizerError.invalidVocabulary(
                    file: file, reason: "token \"\(token)\" has id \(rawID), expected an integer in 0..<\(entries.count)")
            }
            if let other = vocabulary[id] {
                throw TokenizerError.invalidVocabulary(file: file, reason: "tokens \"\(other)\" and \"\(token)\" share id \(id)")
            }
            vocabulary[id] = token
        }
        return vocabulary.map { $0! }
    }

    private static func readNormalizer(_ value: Any?, file: String) throws -> BertTokenizerConfiguration {
        guard let normalizer = value as? [String: Any], normalizer["type"] as? String == "BertNormalizer" else {
            throw TokenizerError.unsupportedComponent(
                file: file, component: "normalizer", expected: "BertNormalizer", found: describeType(value))
        }
        var configuration = BertTokenizerConfiguration()
        configuration.cleanText = try optionalBoolean(normalizer["clean_text"], key: "normalizer.clean_text", file: file) ?? true
        configuration.tokenizeChineseCharacters = try optionalBoolean(normalizer["handle_chinese_chars"], key: "normalizer.handle_chinese_chars", file: file) ?? true
        configuration.stripAccents = try optionalBoolean(normalizer["strip_accents"], key: "normalizer.strip_accents", file: file)
        configuration.lowercase = try optionalBoolean(normalizer["lowercase"], key: "normalizer.lowercase", file: file) ?? true
        return configuration
    }

    private static func checkPreTokenizer(_ value: Any?, file: String) throws {
        guard let preTokenizer = value as? [String: Any], preTokenizer["type"] as? String == "BertPreTokenizer" else {
            throw TokenizerError.unsupportedComponent(
                file: file, component: "pre_tokenizer", expected: "BertPreTokenizer", found: describeType(value))
        }
    }

    /// Added tokens must be plain literals: matched on raw text, anywhere, without stripping around them.
    private static func readAddedTokens(_ value: Any?, file: String) throws -> [(content: String, id: Int)] {
        guard let value, !(value is NSNull) else { return [] }
        guard let tokens = value as? [[String: Any]] else {
            throw TokenizerError.malformedFile(file: file, reason: "added_tokens is not an array of objects")
        }
        return try tokens.map { token in
            guard let content = token["content"] as? String, let id = integer(token["id"]), id >= 0 else {
                throw TokenizerError.malformedFile(file: file, reason: "an added token lacks a string content or an integer id")
            }
            let special = JSONValues.boolean(token["special"]) ?? false
            let normalized = JSONValues.boolean(token["normalized"]) ?? !special
            let problems = (normalized ? ["normalized"] : []) + ["single_word", "lstrip", "rstrip"].filter { JSONValues.boolean(token[$0]) ?? false }
            if !problems.isEmpty {
                throw TokenizerError.unsupportedComponent(
                    file: file, component: "added token \"\(content)\"",
                    expected: "a literal (normalized, single_word, lstrip and rstrip all false)",
                    found: problems.joined(separator: ", ") + " set")
            }
            return (content, id)
        }
    }

    /// The `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1` template, as TemplateProcessing or BertProcessing.
    private static func readPostProcessor(_ value: Any?, file: String) throws -> (
        classifier: (token: String, id: Int), separator: (token: String, id: Int)
    ) {
        let expected = "BertProcessing or the TemplateProcessing [CLS] $A [SEP] / [CLS] $A [SEP] $B:1 [SEP]:1"
        guard let processor = value as? [String: Any], let type = processor["type"] as? String else {
            throw TokenizerError.unsupportedComponent(file: file, component: "post_processor", expected: expected, found: describeType(value))
        }
        switch type {
        case "BertProcessing":
            guard let cls = processor["cls"] as? [Any], cls.count == 2, let clsToken = cls[0] as? String, let clsID = integer(cls[1]),
                let sep = processor["sep"] as? [Any], sep.count == 2, let sepToken = sep[0] as? String, let sepID = integer(sep[1])
            else {
                throw TokenizerError.malformedFile(file: file, reason: "post_processor BertProcessing needs cls and sep as [token, id]")
            }
            return ((clsToken, clsID), (sepToken, sepID))
        case "TemplateProcessing":
            let single = (processor["single"] as? [Any] ?? []).map(templateItem)
            let pair = (processor["pair"] as? [Any] ?? []).map(templateItem)
            guard single.count == 3, pair.count == 5,
                case .special(let first, 0)? = single[0], case .sequence("A", 0)? = single[1], case .special(let last, 0)? = single[2],
                pair[0] == single[0], pair[1] == single[1], pair[2] == single[2],
                pair[3] == .sequence("B", 1), pair[4] == .special(last, 1)
            else {
                throw TokenizerError.unsupportedComponent(
                    file: file, component: "post_processor", expected: expected, found: "a TemplateProcessing with another template")
            }
            let specials = processor["special_tokens"] as? [String: Any] ?? [:]
            func resolve(_ name: String) throws -> (token: String, id: Int) {
                guard let entry = specials[name] as? [String: Any], let ids = entry["ids"] as? [Any], ids.count == 1,
                    let id = integer(ids[0])
                else {
                    throw TokenizerError.malformedFile(file: file, reason: "post_processor.special_tokens has no single id for \"\(name)\"")
                }
                return ((entry["tokens"] as? [String])?.first ?? name, id)
            }
            return (try resolve(first), try resolve(last))
        default:
            throw TokenizerError.unsupportedComponent(file: file, component: "post_processor", expected: expected, found: type)
        }
    }

    private enum TemplateItem: Equatable {
        case special(String, Int)
        case sequence(String, Int)
    }

    private static func templateItem(_ value: Any) -> TemplateItem? {
        guard let item = value as? [String: Any], item.count == 1, let (kind, body) = item.first.map({ ($0.key, $0.value) }),
            let fields = body as? [String: Any], let id = fields["id"] as? String, let typeID = integer(fields["type_id"])
        else { return nil }
        switch kind {
        case "SpecialToken": return .special(id, typeID)
        case "Sequence": return .sequence(id, typeID)
        default: return nil
        }
    }

    private static func describeType(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "absent (null)" }
        if let object = value as? [String: Any] { return object["type"] as? String ?? "an object without a type" }
        return "\(type(of: value))"
    }

    private static func optionalBoolean(_ value: Any?, key: String, file: String) throws -> Bool? {
        guard let value, !(value is NSNull) else { return nil }
        guard let flag = JSONValues.boolean(value) else {
            throw TokenizerError.invalidSetting(file: file, key: key, expected: "true, false or null", found: "\(value)")
        }
        return flag
    }

    private static func optionalString(_ value: Any?, key: String, file: String) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw TokenizerError.invalidSetting(file: file, key: key, expected: "a string", found: "\(value)")
        }
        return text
    }

    private static func optionalInteger(_ value: Any?, key: String, file: String) throws -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        guard let number = integer(value) else {
            throw TokenizerError.invalidSetting(file: file, key: key, expected: "an integer", found: "\(value)")
        }
        return number
    }

    static func integer(_ value: Any?) -> Int? { JSONValues.integer(value) }
}
