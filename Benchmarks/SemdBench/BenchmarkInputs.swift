// The fixed texts of the workloads (Tests/Fixtures/bench/bench_inputs.json), decoded into a typed value;
// a file that lacks a key or holds the wrong kind of value is refused with what was expected.
import Foundation

struct BenchmarkInputs: Decodable, Sendable {
    /// W1 (and RT, C8, JW, HT): one short query.
    let w1Query: String
    /// W2: 32 sentences of about 20 tokens.
    let w2Sentences: [String]
    /// W3: 256 paragraphs of about 128 tokens.
    let w3Documents: [String]
    /// W6: 512 texts of mixed length, in arrival order (also the soak's texts).
    let w6Texts: [String]
    /// CE: one query and the 50 documents it is scored against.
    let ceQuery: String
    let ceDocuments: [String]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case w1Query = "W1_query", w2Sentences = "W2_sentences", w3Documents = "W3_docs", w6Texts = "W6_texts"
        case ceQuery = "CE_query", ceDocuments = "CE_docs"
    }

    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BenchmarkFailure("cannot read the benchmark inputs \(url.path): \(error.localizedDescription)",
                                   hint: "pass --inputs PATH")
        }
        do {
            self = try JSONDecoder().decode(BenchmarkInputs.self, from: data)
        } catch {
            let keys = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
            throw BenchmarkFailure("\(url.path) is not a benchmark inputs file (\(Self.reason(error)))",
                                   hint: "expected the keys \(keys): a text or a list of texts each")
        }
        let empty = [("W2_sentences", w2Sentences), ("W3_docs", w3Documents), ("W6_texts", w6Texts), ("CE_docs", ceDocuments)]
            .filter { $0.1.isEmpty }.map(\.0)
        if !empty.isEmpty {
            throw BenchmarkFailure("\(url.path) is not a benchmark inputs file (\(empty.joined(separator: ", ")) empty)",
                                   hint: "every list needs at least one text")
        }
    }

    /// What the decoder found wrong, in a few words.
    private static func reason(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): return "no \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case .dataCorrupted: return "not JSON"
        default: return "\(error)"
        }
    }
}
