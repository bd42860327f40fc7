// The JSON bodies of successful answers: OpenAI's embedding list (floats, or base64 of little-endian
// f32; each item also carries semd's `tokens` and `truncated`), the Cohere rerank results sorted best
// first, and OpenAI's model list. Pure functions from results to bytes. (TEI's shapes: TEIAnswers.swift.)
import Foundation
import SemanticCore
import SemanticService

enum APIAnswers {
    /// `{"object":"list","data":[{"object":"embedding","index":i,"embedding":…,"tokens":n,"truncated":b}],
    /// "model":…,"usage":{…}}`. `tokens` (what the model read of that text: prompt and [CLS]/[SEP]
    /// included, after truncation) and `truncated` are semd's additions; OpenAI's clients ignore them.
    static func embeddings(_ result: EmbedResult, format: EmbeddingsRequest.EncodingFormat) -> [UInt8] {
        let dimension = result.vectors.first?.count ?? 0
        var json = JSONWriter(reservingCapacity: 128 + result.vectors.count * (64 + dimension * (format == .float ? 13 : 6)))
        json.object { json in
            json.key("object"); json.string("list")
            json.key("data")
            json.array(result.vectors.enumerated()) { json, item in
                json.object { json in
                    json.key("object"); json.string("embedding")
                    json.key("index"); json.int(item.offset)
                    json.key("embedding")
                    switch format {
                    case .float: json.floats(item.element)
                    case .base64: json.string(base64LittleEndian(item.element))
                    }
                    if item.offset < result.tokenCounts.count {
                        json.key("tokens"); json.int(result.tokenCounts[item.offset])
                    }
                    if item.offset < result.truncated.count {
                        json.key("truncated"); json.bool(result.truncated[item.offset])
                    }
                }
            }
            json.key("model"); json.string(result.modelID)
            json.key("usage"); usage(&json, tokens: result.tokens)
        }
        return json.bytes
    }

    /// The vector as little-endian IEEE-754 f32 bytes, base64-encoded (what OpenAI's clients decode).
    static func base64LittleEndian(_ vector: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }

    /// `{"results":[{"index","relevance_score","document"?:{"text"}}],"model","usage"}`, best first
    /// (ties keep document order), cut to `topN`.
    static func rerank(_ result: RerankResult, documents: [String], topN: Int?, returnDocuments: Bool) -> [UInt8] {
        let order = result.scores.indices.sorted { left, right in
            let (a, b) = (result.scores[left], result.scores[right])
            return a != b ? a > b : left < right
        }
        let kept = order.prefix(topN ?? order.count)
        var json = JSONWriter()
        json.object { json in
            json.key("results")
            json.array(kept) { json, index in
                json.object { json in
                    json.key("index"); json.int(index)
                    json.key("relevance_score"); json.float(result.scores[index])
                    if returnDocuments {
                        json.key("document")
                        json.object { json in
                            json.key("text"); json.string(documents[index])
                        }
                    }
                }
            }
            json.key("model"); json.string(result.modelID)
            json.key("usage"); usage(&json, tokens: result.tokens)
        }
        return json.bytes
    }

    /// OpenAI's model list, with semd's extras: kind, dimension, aliases, loaded.
    static func models(_ states: [HostedModelState], created: Int) -> [UInt8] {
        var json = JSONWriter()
        json.object { json in
            json.key("object"); json.string("list")
            json.key("data")
            json.array(states) { json, state in
                json.object { json in
                    json.key("id"); json.string(state.descriptor.id)
                    json.key("object"); json.string("model")
                    json.key("created"); json.int(created)
                    json.key("owned_by"); json.string("semd")
                    json.key("kind"); json.string(state.descriptor.kind.rawValue)
                    json.key("dimension"); if let dimension = state.dimension { json.int(dimension) } else { json.null() }
                    json.key("aliases"); json.array(state.descriptor.aliases) { json, alias in json.string(alias) }
                    json.key("loaded"); json.bool(state.loaded)
                }
            }
        }
        return json.bytes
    }

    /// Tokens the model ran, after truncation and including its [CLS]/[SEP] markers.
    private static func usage(_ json: inout JSONWriter, tokens: Int) {
        json.object { json in
            json.key("prompt_tokens"); json.int(tokens)
            json.key("total_tokens"); json.int(tokens)
        }
    }
}
