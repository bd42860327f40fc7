// AttestedInputLimits: the input bounds a cass v2 daemon enforces before any inference (spec §6.3
// step 3, cass `budget.rs`): at most 1,024 items, each text non-empty and at most 64 KiB, at most
// 4 MiB of text in all (a rerank's query counts); and the embed operation choice of step 4. Checks
// only: it never truncates or rewrites a text.
import SemanticWire

public enum AttestedInputLimits {
    public static let maximumItems = 1_024
    public static let maximumTextBytes = 64 * 1_024
    public static let maximumTotalBytes = 4 * 1_024 * 1_024

    /// Throws the first limit `texts` (and the rerank `query`, checked first) break.
    public static func check(texts: [String], query: String? = nil) throws(AttestedRequestError) {
        if texts.count > maximumItems { throw AttestedRequestError.tooManyItems(count: texts.count) }
        var total = 0
        if let query {
            try checkText(query, index: nil)
            total = query.utf8.count
        }
        for (index, text) in texts.enumerated() {
            try checkText(text, index: index)
            total += text.utf8.count
            if total > maximumTotalBytes { throw AttestedRequestError.inputTooLarge(byteCount: total) }
        }
    }

    /// The operation an embedding challenge covers for `textCount` texts: `embed` needs exactly one
    /// text, `embed_batch` at least one (a batch of one stays `embed_batch`); anything else is refused.
    public static func embeddingOperation(of challenge: DaemonChallengeV1, textCount: Int) throws(AttestedRequestError) -> DaemonOperationV1 {
        switch challenge.operation {
        case .embed where textCount == 1: return .embed
        case .embedBatch where textCount > 0: return .embedBatch
        default: throw AttestedRequestError.operationDoesNotMatchRequestShape(operation: challenge.operation, textCount: textCount)
        }
    }

    private static func checkText(_ text: String, index: Int?) throws(AttestedRequestError) {
        if text.isEmpty { throw AttestedRequestError.emptyText(index: index) }
        let bytes = text.utf8.count
        if bytes > maximumTextBytes { throw AttestedRequestError.textTooLong(index: index, byteCount: bytes) }
    }
}
