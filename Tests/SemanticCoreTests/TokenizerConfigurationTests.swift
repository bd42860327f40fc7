// Loading a tokenizer from a model folder: which files it reads, which maximum length it takes, and the
// errors it throws (naming the file, what was expected, what was found) when a file is missing or wrong.
import Foundation
import SemanticTestSupport
import Testing

@testable import SemanticCore

@Suite struct TokenizerConfigurationTests {
    /// A scratch model folder holding copies of the tiny embedder's files named in `files`.
    func folder(copying files: [String], writing extra: [String: String] = [:]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "semd-tokenizer")
        for name in files {
            try FileManager.default.copyItem(
                at: Fixtures.tinyEmbedderDirectory.appendingPathComponent(name), to: directory.path(name))
        }
        for (name, contents) in extra {
            try contents.write(to: directory.path(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    func loadingError(_ directory: URL) -> TokenizerError? {
        do {
            _ = try BertTokenizer.load(directory: directory)
            return nil
        } catch let error as TokenizerError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func maxLengthComesFromSentenceBertConfig() throws {
        #expect(try BertTokenizer.load(directory: Fixtures.tinyEmbedderDirectory).maxLength == 64)
        let directory = try folder(copying: ["tokenizer.json"], writing: ["sentence_bert_config.json": #"{"max_seq_length": 256}"#])
        defer { directory.remove() }
        let tokenizer = try BertTokenizer.load(directory: directory.url)
        #expect(tokenizer.maxLength == 256, "not the 128 baked into tokenizer.json")
        let long = Array(repeating: "word", count: 300).joined(separator: " ")
        #expect(tokenizer.encode(long).ids.count == 256)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: Fixtures.realEmbedderDirectory.appendingPathComponent("tokenizer.json").path)))
    func theRealModelTruncatesAt256() throws {
        let tokenizer = try BertTokenizer.load(directory: Fixtures.realEmbedderDirectory)
        #expect(tokenizer.maxLength == 256)
        #expect(tokenizer.vocabularySize == 30522)
        let golden = try #require(try TokenizerGoldens.singleCases().first { $0.untruncatedCount > 256 })
        #expect(tokenizer.encode(golden.text).ids == golden.inputIds)
    }

    @Test func withoutSentenceBertConfigModelMaxLengthIsCappedAt512() throws {
        let plain = try folder(copying: ["tokenizer.json", "tokenizer_config.json"])
        defer { plain.remove() }
        #expect(try BertTokenizer.load(directory: plain.url).maxLength == 512)
        #expect(try BertTokenizer.load(directory: Fixtures.tinyCrossEncoderDirectory).maxLength == 512)

        let huge = try folder(copying: ["tokenizer.json"], writing: ["tokenizer_config.json": #"{"model_max_length": 1000000000000000019884624838656}"#])
        defer { huge.remove() }
        #expect(try BertTokenizer.load(directory: huge.url).maxLength == 512)

        let short = try folder(copying: ["tokenizer.json"], writing: [
            "tokenizer_config.json": #"{"model_max_length": 512}"#, "config.json": #"{"max_position_embeddings": 128}"#,
        ])
        defer { short.remove() }
        #expect(try BertTokenizer.load(directory: short.url).maxLength == 128)
    }

    @Test func vocabularyFileRouteIsUsedWithoutTokenizerJSON() throws {
        let directory = try folder(copying: ["vocab.txt", "tokenizer_config.json", "sentence_bert_config.json"])
        defer { directory.remove() }
        let fromVocabulary = try BertTokenizer.load(directory: directory.url)
        let fromJSON = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(fromVocabulary.maxLength == 64)
        #expect(fromVocabulary.configuration.lowercase)
        #expect(fromVocabulary.configuration.stripsAccents)
        for text in ["Hello [MASK] wörld", "ΟΔΟΣ 日本語 naïve", "[cls] x [SEP]"] {
            #expect(fromVocabulary.encode(text) == fromJSON.encode(text))
        }
    }

    @Test func missingFilesAreNamed() throws {
        let empty = try folder(copying: [])
        defer { empty.remove() }
        let noFiles = try #require(loadingError(empty.url))
        #expect(noFiles == .missingTokenizerFiles(directory: empty.url.path))
        #expect(noFiles.description.contains("tokenizer.json") && noFiles.description.contains("make models"))

        let vocabularyOnly = try folder(copying: ["vocab.txt"])
        defer { vocabularyOnly.remove() }
        let noConfiguration = try #require(loadingError(vocabularyOnly.url))
        guard case .missingFile(let path, _) = noConfiguration else {
            Issue.record("expected missingFile, got \(noConfiguration)")
            return
        }
        #expect(path.hasSuffix("tokenizer_config.json"))
        #expect(noConfiguration.description.contains("tokenizer_config.json"))

        let absent = Fixtures.root.appendingPathComponent("no-such-model")
        #expect(loadingError(absent) == .missingTokenizerFiles(directory: absent.path))
    }

    @Test func corruptTokenizerJSONIsAClearError() throws {
        let truncated = try Fixtures.data("goldens/tiny_embedder/tokenizer.json").prefix(5000)
        #expect(throws: TokenizerError.self) { try BertTokenizer(tokenizerJSON: Data(truncated), maxLength: 256) }
        do {
            _ = try BertTokenizer(tokenizerJSON: Data(truncated), maxLength: 256)
        } catch let error as TokenizerError {
            guard case .malformedFile(let file, _) = error else { Issue.record("got \(error)"); return }
            #expect(file == "tokenizer.json")
            #expect(error.description.contains("not valid JSON"))
        }
        let array = Data("[1, 2, 3]".utf8)
        #expect(throws: TokenizerError.malformedFile(file: "tokenizer.json", reason: "the top level is not a JSON object")) {
            try BertTokenizer(tokenizerJSON: array, maxLength: 256)
        }
    }

    /// The tiny embedder's tokenizer.json with one top-level entry replaced.
    func tokenizerJSON(replacing key: String, with value: Any) throws -> Data {
        var document = try #require(try Fixtures.json("goldens/tiny_embedder/tokenizer.json") as? [String: Any])
        if key.hasPrefix("model.") {
            var model = try #require(document["model"] as? [String: Any])
            model[String(key.dropFirst("model.".count))] = value
            document["model"] = model
        } else {
            document[key] = value
        }
        return try JSONSerialization.data(withJSONObject: document)
    }

    @Test func anotherModelTypeIsRefused() throws {
        let data = try tokenizerJSON(replacing: "model.type", with: "BPE")
        #expect(throws: TokenizerError.unsupportedComponent(file: "tokenizer.json", component: "model.type", expected: "WordPiece", found: "BPE")) {
            try BertTokenizer(tokenizerJSON: data, maxLength: 256)
        }
        let message = TokenizerError.unsupportedComponent(file: "tokenizer.json", component: "model.type", expected: "WordPiece", found: "BPE").description
        #expect(message.contains("BPE") && message.contains("WordPiece") && message.contains("tokenizer.json"))
    }

    @Test func otherNormalizersPreTokenizersAndTemplatesAreRefused() throws {
        let nfkc = try tokenizerJSON(replacing: "normalizer", with: ["type": "NFKC"])
        #expect(throws: TokenizerError.unsupportedComponent(file: "tokenizer.json", component: "normalizer", expected: "BertNormalizer", found: "NFKC")) {
            try BertTokenizer(tokenizerJSON: nfkc, maxLength: 256)
        }
        let whitespace = try tokenizerJSON(replacing: "pre_tokenizer", with: ["type": "Whitespace"])
        #expect(throws: TokenizerError.unsupportedComponent(file: "tokenizer.json", component: "pre_tokenizer", expected: "BertPreTokenizer", found: "Whitespace")) {
            try BertTokenizer(tokenizerJSON: whitespace, maxLength: 256)
        }
        let noProcessor = try tokenizerJSON(replacing: "post_processor", with: NSNull())
        #expect(throws: TokenizerError.self) { try BertTokenizer(tokenizerJSON: noProcessor, maxLength: 256) }
        let stripped = try tokenizerJSON(replacing: "added_tokens", with: [
            ["id": 103, "content": "[MASK]", "special": true, "lstrip": true, "rstrip": false, "single_word": false, "normalized": false],
        ])
        #expect(throws: TokenizerError.self) { try BertTokenizer(tokenizerJSON: stripped, maxLength: 256) }
    }

    @Test func theOlderBertProcessingTemplateIsAccepted() throws {
        let data = try tokenizerJSON(replacing: "post_processor", with: ["type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]])
        let tokenizer = try BertTokenizer(tokenizerJSON: data, maxLength: 256)
        #expect(tokenizer.encodePair("a", "b").ids == [101, 1037, 102, 1038, 102])
    }

    @Test func vocabularyProblemsAreNamed() throws {
        let missingUnknown = try tokenizerJSON(replacing: "model.unk_token", with: "<unk>")
        #expect(throws: TokenizerError.self) { try BertTokenizer(tokenizerJSON: missingUnknown, maxLength: 256) }
        let sharedID = try tokenizerJSON(replacing: "model.vocab", with: ["a": 0, "b": 0])
        #expect(throws: TokenizerError.self) { try BertTokenizer(tokenizerJSON: sharedID, maxLength: 256) }

        let directory = try folder(copying: ["tokenizer_config.json"], writing: ["vocab.txt": "[PAD]\n[UNK]\nhello\n"])
        defer { directory.remove() }
        let error = try #require(loadingError(directory.url))
        guard case .invalidVocabulary(let file, let reason) = error else { Issue.record("got \(error)"); return }
        #expect(file.hasSuffix("vocab.txt") && reason.contains("[CLS]"))
    }

    @Test func vocabularyTextIsReadOneTokenPerLine() throws {
        let lines = try TokenizerFiles.vocabulary(fromVocabularyText: Data("[PAD]\r\n[UNK] \nhello\n\n##s\n".utf8), file: "vocab.txt")
        #expect(lines == ["[PAD]", "[UNK]", "hello", "", "##s"])
        #expect(throws: TokenizerError.self) { try TokenizerFiles.vocabulary(fromVocabularyText: Data(), file: "vocab.txt") }
        #expect(throws: TokenizerError.self) { try TokenizerFiles.vocabulary(fromVocabularyText: Data([0xFF, 0xFE]), file: "vocab.txt") }
    }

    @Test func tokenizerConfigOptionsAreRead() throws {
        let configuration = try TokenizerFiles.configuration(
            fromTokenizerConfig: Data(#"{"do_lower_case": false, "strip_accents": true, "tokenize_chinese_chars": false, "unk_token": {"content": "<unk>"}}"#.utf8),
            file: "tokenizer_config.json")
        #expect(!configuration.lowercase && configuration.stripAccents == true && !configuration.tokenizeChineseCharacters)
        #expect(configuration.unknownToken == "<unk>")
        #expect(throws: TokenizerError.invalidSetting(file: "tokenizer_config.json", key: "do_lower_case", expected: "true, false or null", found: "1")) {
            try TokenizerFiles.configuration(fromTokenizerConfig: Data(#"{"do_lower_case": 1}"#.utf8), file: "tokenizer_config.json")
        }
    }

    @Test func casedConfigurationKeepsCaseAndAccents() throws {
        let uncased = try SharedTokenizers.fromTokenizerJSON.get()
        var configuration = BertTokenizerConfiguration.uncased
        configuration.lowercase = false
        let vocabulary = (0..<uncased.vocabularySize).map { uncased.vocabulary.tokens[$0] }
        let cased = BertTokenizer(vocabulary: vocabulary, configuration: configuration, maxLength: 512)
        #expect(!cased.configuration.stripsAccents, "strip_accents null follows lowercase")
        #expect(cased.encode("Hello").tokens == ["[CLS]", "[UNK]", "[SEP]"])
        #expect(cased.encode("hello").tokens == ["[CLS]", "hello", "[SEP]"])
    }
}
