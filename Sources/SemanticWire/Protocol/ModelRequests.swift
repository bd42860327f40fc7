// ModelRequests: the request variants that cass v1 and xf declare alike — `Embed` and `Rerank` with the
// same fields, `Health`, `Status` and `Shutdown` as unit variants — read and written here once for
// every dialect's request enum. Each dialect's table still gives their indices, which differ. It must
// never hold anything a dialect spells its own way (the job requests do).

/// The cases every dialect's request enum has, with the same payloads (enum cases witness these).
protocol ModelRequestCases {
    static func embed(texts: [String], model: String, dims: Int?) -> Self
    static func rerank(query: String, documents: [String], model: String) -> Self
}

extension WireStruct {
    /// `Embed { texts: Vec<String>, model: String, dims: Option<usize> }`
    static let embedRequest = WireStruct("Embed", fields: ["texts", "model", "dims"], optional: ["dims"])
    /// `Rerank { query: String, documents: Vec<String>, model: String }`
    static let rerankRequest = WireStruct("Rerank", fields: ["query", "documents", "model"])
}

extension WireVariant {
    /// `Health`, a unit variant.
    static func health(_ kind: Kind, index: Int) -> WireVariant { WireVariant(kind, "Health", index: index) }
    /// `Status`, a unit variant.
    static func status(_ kind: Kind, index: Int) -> WireVariant { WireVariant(kind, "Status", index: index) }
    /// `Shutdown`, a unit variant.
    static func shutdown(_ kind: Kind, index: Int) -> WireVariant { WireVariant(kind, "Shutdown", index: index) }
    /// `Embed { texts, model, dims }`.
    static func embed(_ kind: Kind, index: Int) -> WireVariant {
        WireVariant(kind, "Embed", index: index, .fields(.embedRequest))
    }
    /// `Rerank { query, documents, model }`.
    static func rerank(_ kind: Kind, index: Int) -> WireVariant {
        WireVariant(kind, "Rerank", index: index, .fields(.rerankRequest))
    }
}

extension ModelRequestCases {
    /// An `Embed` request's fields, as its row declares them.
    static func readEmbed<Kind: Hashable & Sendable>(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> Self {
        var texts: [String] = [], model = "", dims: Int? = nil
        try readStruct(&reader, variant.fields) { reader, field in
            switch field {
            case 0: texts = try reader.readStringArray()
            case 1: model = try reader.readString()
            default: dims = try readOptional(&reader) { try $0.readCount() }
            }
        }
        return .embed(texts: texts, model: model, dims: dims)
    }

    /// A `Rerank` request's fields, as its row declares them.
    static func readRerank<Kind: Hashable & Sendable>(_ reader: inout MessagePackReader, _ variant: WireVariant<Kind>) throws -> Self {
        var query = "", documents: [String] = [], model = ""
        try readStruct(&reader, variant.fields) { reader, field in
            switch field {
            case 0: query = try reader.readString()
            case 1: documents = try reader.readStringArray()
            default: model = try reader.readString()
            }
        }
        return .rerank(query: query, documents: documents, model: model)
    }
}

extension MessagePackWriter {
    /// An `Embed` request's fields, after its tag.
    mutating func writeEmbedFields(texts: [String], model: String, dims: Int?) throws {
        try writeStringArray(texts)
        try writeString(model)
        writeOptionalCount(dims)
    }

    /// A `Rerank` request's fields, after its tag.
    mutating func writeRerankFields(query: String, documents: [String], model: String) throws {
        try writeString(query)
        try writeStringArray(documents)
        try writeString(model)
    }
}
