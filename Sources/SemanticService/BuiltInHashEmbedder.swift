// The fnv1a-384 hash embedder as a model the daemon serves to both dialects (cass `Embed{model:
// "fnv1a-384"}`, xf `Embed{model: "hash"}`): its registry entry (ModelRegistry.daemon, in
// SemanticCore) has no files; it is always loaded, computed on the caller's task (a few microseconds
// a text) without the inference queue. Bit-exact with the reference (SemanticCore.HashEmbedder);
// never touches a file.
import SemanticCore

extension ModelDescriptor {
    /// The hash embedder this descriptor names (`fnv1a-<dimension>` with no files), or nil.
    var builtInHashEmbedder: HashEmbedder? {
        guard kind == .embedder, requiredFiles.isEmpty, id.hasPrefix("fnv1a-"),
              let dimension = Int(id.dropFirst("fnv1a-".count)), dimension > 0 else { return nil }
        return HashEmbedder(dimension: dimension)
    }
}

/// The built-in hash embedder as the service runs it.
enum HashEmbedding {
    /// Embeds with the built-in hash embedder. `dims` keeps the first components and re-normalises,
    /// as the neural embedders do; without it the vectors are the reference's, bit for bit.
    static func embed(_ texts: [String], with hash: HashEmbedder, descriptor: ModelDescriptor, dims: Int?)
        throws(ServiceError) -> [[Float]] {
        if let dims, !(1...hash.dimension).contains(dims) {
            throw .invalidInput("dims \(dims) is out of range: \(descriptor.id) has \(hash.dimension) dimensions")
        }
        var vectors: [[Float]]
        do {
            vectors = try hash.embed(texts)
        } catch {
            throw .invalidInput(error.description)
        }
        if let dims, dims < hash.dimension {
            vectors = vectors.map { truncatedAndNormalized($0, to: dims) }
        }
        return vectors
    }

    /// The first `dims` components, L2-normalised in f32 (all zero stays all zero).
    static func truncatedAndNormalized(_ vector: [Float], to dims: Int) -> [Float] {
        var kept = Array(vector.prefix(dims))
        var sumOfSquares: Float = 0
        for value in kept { sumOfSquares += value * value }
        guard sumOfSquares.isFinite, sumOfSquares >= Float.ulpOfOne else { return kept }
        let inverse = 1 / sumOfSquares.squareRoot()
        for index in kept.indices { kept[index] *= inverse }
        return kept
    }
}
