// Typed views of the tokenizer goldens (tokenizer_single.json, tokenizer_pair.json, the padded batch)
// and of the token ids the model goldens carry, so every test target compares against the same values.
// Read-only: never rewrites a golden, never loosens one.
import Foundation

/// One text of tokenizer_single.json, tokenized by the reference at `TokenizerGoldens.singleMaxLength`.
public struct SingleTextGolden: Sendable {
    public let id: Int
    public let category: String
    public let text: String
    public let inputIds: [Int]
    public let tokenTypeIds: [Int]
    public let attentionMask: [Int]
    public let tokens: [String]
    public let untruncatedCount: Int
}

/// One (query, document) pair of tokenizer_pair.json with its own maximum length.
public struct TextPairGolden: Sendable {
    public let id: Int
    public let maxLength: Int
    public let query: String
    public let document: String
    public let inputIds: [Int]
    public let tokenTypeIds: [Int]
    public let tokens: [String]
    public let queryPiecesUntruncated: Int
    public let documentPiecesUntruncated: Int
}

/// Texts padded to the longest, as sentence-transformers builds a batch.
public struct PaddedBatchGolden: Sendable {
    public let texts: [String]
    public let inputIds: [[Int]]
    public let tokenTypeIds: [[Int]]
    public let attentionMask: [[Int]]
}

/// Ids a model golden was computed from: `text` alone, or `query`/`document` as a pair.
public struct ModelInputGolden: Sendable {
    public let id: Int
    public let text: String?
    public let query: String?
    public let document: String?
    public let inputIds: [Int]
    public let tokenTypeIds: [Int]?
}

public enum TokenizerGoldens {
    public static let singlePath = "goldens/tokenizer_single.json"
    public static let pairPath = "goldens/tokenizer_pair.json"

    /// The maximum length tokenizer_single.json was made with (256).
    public static func singleMaxLength() throws -> Int {
        guard let root = try Fixtures.json(singlePath) as? [String: Any], let length = root["max_length"] as? NSNumber else {
            throw FixtureError.malformed("\(singlePath) has no max_length")
        }
        return length.intValue
    }

    public static func singleCases() throws -> [SingleTextGolden] {
        try Golden.cases(singlePath).map { item in
            SingleTextGolden(
                id: try integer(item["id"]), category: item["category"] as? String ?? "",
                text: try string(item["text"]), inputIds: try Golden.ints(item["input_ids"]),
                tokenTypeIds: try Golden.ints(item["token_type_ids"]), attentionMask: try Golden.ints(item["attention_mask"]),
                tokens: try strings(item["tokens"]), untruncatedCount: try integer(item["num_tokens_untruncated"]))
        }
    }

    public static func pairCases() throws -> [TextPairGolden] {
        try Golden.cases(pairPath).map { item in
            TextPairGolden(
                id: try integer(item["id"]), maxLength: try integer(item["max_length"]),
                query: try string(item["query"]), document: try string(item["document"]),
                inputIds: try Golden.ints(item["input_ids"]), tokenTypeIds: try Golden.ints(item["token_type_ids"]),
                tokens: try strings(item["tokens"]), queryPiecesUntruncated: try integer(item["query_pieces_untruncated"]),
                documentPiecesUntruncated: try integer(item["document_pieces_untruncated"]))
        }
    }

    public static func paddedBatch() throws -> PaddedBatchGolden {
        guard let root = try Fixtures.json(singlePath) as? [String: Any],
            let batch = root["padded_batch_example"] as? [String: Any], let texts = batch["texts"] as? [String]
        else { throw FixtureError.malformed("\(singlePath) has no padded_batch_example") }
        func rows(_ key: String) throws -> [[Int]] {
            guard let rows = batch[key] as? [Any] else { throw FixtureError.malformed("padded_batch_example.\(key)") }
            return try rows.map { try Golden.ints($0) }
        }
        return PaddedBatchGolden(
            texts: texts, inputIds: try rows("input_ids"), tokenTypeIds: try rows("token_type_ids"),
            attentionMask: try rows("attention_mask"))
    }

    /// The `input_ids` (and `token_type_ids`, when present) of a model golden's cases.
    public static func modelInputs(_ relativePath: String) throws -> [ModelInputGolden] {
        try Golden.cases(relativePath).map { item in
            ModelInputGolden(
                id: try integer(item["id"]), text: item["text"] as? String, query: item["query"] as? String,
                document: item["document"] as? String, inputIds: try Golden.ints(item["input_ids"]),
                tokenTypeIds: item["token_type_ids"] == nil ? nil : try Golden.ints(item["token_type_ids"]))
        }
    }

    private static func integer(_ value: Any?) throws -> Int {
        guard let number = value as? NSNumber else { throw FixtureError.malformed("expected an integer, found \(String(describing: value))") }
        return number.intValue
    }

    private static func string(_ value: Any?) throws -> String {
        guard let text = value as? String else { throw FixtureError.malformed("expected a string, found \(String(describing: value))") }
        return text
    }

    private static func strings(_ value: Any?) throws -> [String] {
        guard let texts = value as? [String] else { throw FixtureError.malformed("expected an array of strings") }
        return texts
    }
}
