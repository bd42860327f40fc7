// The JSON bodies of the TEI-compatible routes' successful answers, in text-embeddings-inference's
// own shapes: /embed a bare list of vectors, /rerank `[{"index","score","text"?}]` best first,
// /tokenize one list of `{"id","text","special","start","stop"}` per input, /info the served model's
// description. Pure functions from results to bytes; they never compute, they only write.
import SemanticService

/// One token as TEI's /tokenize lists it. `start`/`stop` are character offsets into the text the
/// model read (prompt included), nil for the special tokens and when the offsets are not known.
struct TEIToken: Equatable {
    let id: Int
    let text: String
    let special: Bool
    let start: Int?
    let stop: Int?
}

/// What /info reports beside the model: the listener's limits and semd's version.
struct TEILimits {
    let maxConcurrentRequests: Int
    let maxBatchTokens: Int
    let maxClientBatchSize: Int
    let tokenizationWorkers: Int
    let version: String
}

enum TEIAnswers {
    /// `[[f, ...], ...]`
    static func embed(_ vectors: [[Float]]) -> [UInt8] {
        let dimension = vectors.first?.count ?? 0
        var json = JSONWriter(reservingCapacity: 16 + vectors.count * (4 + dimension * 13))
        json.array(vectors) { json, vector in json.floats(vector) }
        return json.bytes
    }

    /// `[{"index", "text"?, "score"}, ...]`, best first (ties keep the texts' order). `scores` are in
    /// text order: sigmoid scores, or the raw logits when the request asked for them.
    static func rerank(scores: [Float], texts: [String], returnText: Bool) -> [UInt8] {
        let order = scores.indices.sorted { left, right in
            let (a, b) = (scores[left], scores[right])
            return a != b ? a > b : left < right
        }
        var json = JSONWriter()
        json.array(order) { json, index in
            json.object { json in
                json.key("index"); json.int(index)
                if returnText { json.key("text"); json.string(texts[index]) }
                json.key("score"); json.float(scores[index])
            }
        }
        return json.bytes
    }

    /// `[[{"id", "text", "special", "start", "stop"}, ...], ...]`
    static func tokenize(_ inputs: [[TEIToken]]) -> [UInt8] {
        var json = JSONWriter()
        json.array(inputs) { json, tokens in
            json.array(tokens) { json, token in
                json.object { json in
                    json.key("id"); json.int(token.id)
                    json.key("text"); json.string(token.text)
                    json.key("special"); json.bool(token.special)
                    json.key("start"); if let start = token.start { json.int(start) } else { json.null() }
                    json.key("stop"); if let stop = token.stop { json.int(stop) } else { json.null() }
                }
            }
        }
        return json.bytes
    }

    /// TEI's `Info` for one served model, with semd's extensions after TEI's fields: `kind`,
    /// `dimension`, `normalize`, `prompts`, `default_prompt_name` and `models` (every model served).
    static func info(_ model: ServedModelInfo, limits: TEILimits, served: [ServedModelInfo]) -> [UInt8] {
        var json = JSONWriter()
        json.object { json in
            json.key("model_id"); json.string(model.id)
            json.key("model_sha"); json.null()
            json.key("model_dtype"); json.string("float32")
            json.key("model_type")
            json.object { json in
                switch model.kind {
                case .reranker:
                    // A cross-encoder with one logit, as TEI describes a reranker.
                    json.key("reranker")
                    json.object { json in
                        json.key("id2label"); json.object { json in json.key("0"); json.string("LABEL_0") }
                        json.key("label2id"); json.object { json in json.key("LABEL_0"); json.int(0) }
                    }
                default:
                    json.key("embedding")
                    json.object { json in
                        json.key("pooling"); json.string(model.pooling.joined(separator: "+"))
                    }
                }
            }
            json.key("max_concurrent_requests"); json.int(limits.maxConcurrentRequests)
            json.key("max_input_length"); json.int(model.maxSequenceLength)
            json.key("max_batch_tokens"); json.int(limits.maxBatchTokens)
            json.key("max_batch_requests"); json.null()
            json.key("max_client_batch_size"); json.int(limits.maxClientBatchSize)
            json.key("auto_truncate"); json.bool(true)
            json.key("tokenization_workers"); json.int(limits.tokenizationWorkers)
            json.key("version"); json.string(limits.version)
            json.key("sha"); json.null()
            json.key("docker_label"); json.null()
            json.key("kind"); json.string(model.kind.rawValue)
            json.key("dimension"); if let dimension = model.dimension { json.int(dimension) } else { json.null() }
            json.key("normalize"); json.bool(model.normalizes)
            json.key("prompts")
            json.object { json in
                for name in model.prompts.keys.sorted() {
                    json.key(name); json.string(model.prompts[name] ?? "")
                }
            }
            json.key("default_prompt_name"); if let name = model.defaultPromptName { json.string(name) } else { json.null() }
            json.key("models"); json.array(served) { json, other in json.string(other.id) }
        }
        return json.bytes
    }
}
