// TokenEncoding: what the tokenizer hands to a model, one text or one text pair at a time.
// It holds ids only; it never pads (a batch builder pads to the longest encoding it holds).

/// The token ids of one text (`[CLS] pieces [SEP]`) or one pair (`[CLS] a [SEP] b [SEP]`), after truncation.
public struct TokenEncoding: Sendable, Equatable {
    /// Input ids, `[CLS]` and `[SEP]` included.
    public var ids: [Int]
    /// Token type ids: 0 for `[CLS] a [SEP]`, 1 for `b [SEP]` of a pair.
    public var typeIds: [Int]
    /// The vocabulary string of every id, e.g. `["[CLS]", "hello", "##s", "[SEP]"]`.
    public var tokens: [String]
    /// Word pieces plus special tokens before truncation; equals `ids.count` when nothing was cut.
    public var untruncatedCount: Int

    public init(ids: [Int], typeIds: [Int], tokens: [String], untruncatedCount: Int) {
        self.ids = ids
        self.typeIds = typeIds
        self.tokens = tokens
        self.untruncatedCount = untruncatedCount
    }

    /// The attention mask of this encoding on its own: one 1 per token.
    public var attentionMask: [Int] { [Int](repeating: 1, count: ids.count) }

    /// Whether truncation removed word pieces.
    public var wasTruncated: Bool { untruncatedCount > ids.count }
}
