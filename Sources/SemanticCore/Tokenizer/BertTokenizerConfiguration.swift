// BertTokenizerConfiguration: the options of a BERT WordPiece tokenizer, as `tokenizer.json`'s
// normalizer and model or `tokenizer_config.json` state them, with the uncased-BERT defaults.
// A plain value: it never reads files itself (see TokenizerFiles.swift and TokenizerDefinition.swift).

/// How text is normalised and split before WordPiece, and which strings are the special tokens.
public struct BertTokenizerConfiguration: Sendable, Equatable {
    /// Lowercase one code point at a time (`do_lower_case`, normalizer `lowercase`).
    public var lowercase: Bool
    /// Decompose (NFD) and drop nonspacing marks. `nil` follows `lowercase`, as the reference does.
    public var stripAccents: Bool?
    /// Put spaces around CJK ideographs so each is its own word (`tokenize_chinese_chars`).
    public var tokenizeChineseCharacters: Bool
    /// Drop control and format characters and map every white space to a plain space (`clean_text`).
    public var cleanText: Bool
    public var unknownToken: String
    public var classifierToken: String
    public var separatorToken: String
    public var paddingToken: String
    public var maskToken: String
    /// A word longer than this many code points (after normalisation) becomes one unknown token.
    public var maxInputCharactersPerWord: Int
    /// The prefix of every vocabulary piece that continues a word.
    public var continuingSubwordPrefix: String

    public init(
        lowercase: Bool = true,
        stripAccents: Bool? = nil,
        tokenizeChineseCharacters: Bool = true,
        cleanText: Bool = true,
        unknownToken: String = "[UNK]",
        classifierToken: String = "[CLS]",
        separatorToken: String = "[SEP]",
        paddingToken: String = "[PAD]",
        maskToken: String = "[MASK]",
        maxInputCharactersPerWord: Int = 100,
        continuingSubwordPrefix: String = "##"
    ) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents
        self.tokenizeChineseCharacters = tokenizeChineseCharacters
        self.cleanText = cleanText
        self.unknownToken = unknownToken
        self.classifierToken = classifierToken
        self.separatorToken = separatorToken
        self.paddingToken = paddingToken
        self.maskToken = maskToken
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        self.continuingSubwordPrefix = continuingSubwordPrefix
    }

    /// Uncased BERT (and all-MiniLM-L6-v2): lowercase, strip accents, space CJK, clean text.
    public static let uncased = BertTokenizerConfiguration()

    /// Whether accents are stripped once `nil` has been resolved against `lowercase`.
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    /// The special tokens written literally in a text that map straight to their ids.
    var literalSpecialTokens: [String] {
        [paddingToken, unknownToken, classifierToken, separatorToken, maskToken]
    }
}
