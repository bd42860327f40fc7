// SemdEmbeddingIdentity: the embedding identity bundle semd publishes for MiniLM over cass protocol
// v2 — an honest description of semd itself, built from the installed model folder, semd's version,
// the sequence length its engine applies and the vectors its engine produced for the four
// conformance texts. It never claims to be cass's producer.
//
// Why it differs from cass's bundle (spec §5.8, §10.1). cass's daemon publishes frankensearch's
// `frankentorch-native-minilm` producer: int8 linear layers, a 512-token policy, and a golden
// certificate (`bed15455…`) that only frankentorch's int8 kernels reproduce bit for bit. semd runs
// MiniLM in f32 through OpenBLAS, truncates at sentence-transformers' `max_seq_length` (256),
// normalises with its own rule, and its vectors differ from frankentorch's in the last bits. Claiming
// cass's identity would be a lie the certificate exposes, so semd publishes its own producer (backend
// `semd-swift-bert`, its version, its tokenizer and encoder, f32 numerics) and its own space
// strings; the model files, upstream revision and input contract are the same as cass's. The bundle,
// the connection fingerprint and the golden certificate are therefore semd's, not cass's.
//
// What a cass client checks (§5.8 last paragraphs, §6.4). It requires the bundle to be internally
// consistent (frankensearch `validate()`: schemas, canonical hex, bounded texts, producer → space and
// space → input bindings, storage and golden dimension and normalisation), to be semantic, to have a
// category other than HashEmbedder, and — with a local fallback attached — dimension 384, semantic
// and TransformerEmbedder. It does not compare the bundle with its own MiniLM identity, so semd's is
// accepted; cass's lazy local fallback (`IdentityCheckedLocalEmbedder`) would refuse to stand in for
// semd because the identities differ, and indexes keyed by cass's bundle would see a different space.
import Foundation
import SemanticWire

public enum SemdEmbeddingIdentity {
    // MARK: The model (the same files and upstream as cass's MiniLM)

    public static let logicalModelID = "all-minilm-l6-v2"
    public static let provider = "sentence-transformers-huggingface"
    public static let upstreamRepository = "sentence-transformers/all-MiniLM-L6-v2"
    public static let upstreamRevision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
    public static let licenseSPDX = "Apache-2.0"
    public static let dimension: UInt32 = 384
    public static let modelCategory = ModelCategory.transformerEmbedder

    /// The five files the manifest pins, in manifest order, as found in the model folder.
    public static let artifactLayout: [(role: ModelArtifactRole, relativePath: String)] = [
        (.weights, "model.safetensors"),
        (.tokenizer, "tokenizer.json"),
        (.modelConfig, "config.json"),
        (.specialTokens, "special_tokens_map.json"),
        (.tokenizerConfig, "tokenizer_config.json"),
    ]

    // MARK: The producer (semd)

    public static let backend = "semd-swift-bert"
    /// semd's own WordPiece tokenizer over tokenizer.json, and its BERT encoder (SemanticCore).
    public static let protocolRevision = "semd-wordpiece-v1+semd-bert-encoder-v1"
    /// f32 weights, f32 OpenBLAS products with f32 accumulation.
    public static let numericProfile = "f32-weights-f32-linear-f32-accumulate-v1"
    /// model.safetensors read as f32 tensors, used as they are.
    public static let weightsFormat = "safetensors-f32-v1"
    public static let tokenizerFamily = "huggingface-tokenizers-json-v1"
    /// `[CLS] text [SEP]`, token type ids all zero.
    public static let modelPreprocessing = "bert-special-tokens=true;token-type-ids=zero"
    /// Mean over every token of the sequence, [CLS] and [SEP] included; batches are packed, so no
    /// padding token is ever pooled.
    public static let pooling = "mean-all-returned-tokens-including-specials-no-padding-v1"
    /// `v / max(‖v‖₂, 1e-12)`: the squares summed in f64, the norm rounded to f32, each component
    /// divided in f32; a zero vector stays zero.
    public static let outputNormalization = "l2-f64-sum-of-squares-f32-divide-by-max-norm-1e-12-v1"
    public static let storageFormat = "in-memory-f32-v1"

    /// `semd-<version>+semantic-core-v1`.
    public static func implementationRevision(semdVersion: String) -> String {
        "semd-\(semdVersion)+semantic-core-v1"
    }

    /// `max-length=<n>;longest-first;no-padding`: texts are cut to n tokens, [CLS] and [SEP] included.
    public static func sequencePolicy(maxSequenceLength: Int) -> String {
        "max-length=\(maxSequenceLength);longest-first;no-padding"
    }

    /// Caller text is used exactly as sent, one text per vector, no chunking, no instructions.
    public static let inputContract = EmbeddingInputContractV1(
        canonicalization: "caller-utf8-as-is-v1", contentSelection: "single-caller-supplied-text-v1",
        chunking: "none-at-embedder-boundary-v1", queryInstruction: "", documentInstruction: "",
        docIDSemantics: "vector-independent-of-document-id-v1")

    // MARK: Building it

    /// semd's manifest for the MiniLM folder at `modelDirectory`: the five files with the sizes and
    /// SHA-256s read from disk now, semd's execution contract, and the golden certificate of
    /// `goldenVectors` (the engine's output for `GoldenConformanceCorpus.texts`, in order).
    public static func manifest(modelDirectory: URL, semdVersion: String, maxSequenceLength: Int,
                                goldenVectors: [[Float]]) throws(SemdIdentityError) -> ModelArtifactManifestV1 {
        guard maxSequenceLength > 2 else { throw SemdIdentityError.invalidSequenceLength(maxSequenceLength) }
        let certificate = try GoldenConformanceCorpus.certificate(for: goldenVectors, dimension: dimension)
        let artifacts: [ModelArtifactFileV1]
        do {
            artifacts = try ModelArtifactFiles.manifestArtifacts(in: modelDirectory, layout: artifactLayout) { path in
                "https://huggingface.co/\(upstreamRepository)/resolve/\(upstreamRevision)/\(path)"
            }
        } catch {
            throw SemdIdentityError.modelFile(error)
        }
        return ModelArtifactManifestV1(
            provider: provider, logicalModelID: logicalModelID, upstreamRevision: upstreamRevision,
            upstreamRepository: upstreamRepository, artifacts: artifacts, licenseSPDX: licenseSPDX, dimension: dimension,
            execution: ModelExecutionContractV1(
                backend: backend, implementationRevision: implementationRevision(semdVersion: semdVersion),
                protocolRevision: protocolRevision, numericProfile: numericProfile, weightsFormat: weightsFormat,
                tokenizerFamily: tokenizerFamily, modelPreprocessing: modelPreprocessing,
                sequencePolicy: sequencePolicy(maxSequenceLength: maxSequenceLength), pooling: pooling,
                outputNormalization: outputNormalization, inputContract: inputContract, goldenVectors: certificate))
    }

    /// The bundle semd publishes, derived from `manifest(…)` by the rules of §5.8 and validated with
    /// the rules a cass client applies.
    public static func bundle(modelDirectory: URL, semdVersion: String, maxSequenceLength: Int,
                              goldenVectors: [[Float]]) throws(SemdIdentityError) -> EmbeddingIdentityBundleV1 {
        let manifest = try manifest(modelDirectory: modelDirectory, semdVersion: semdVersion,
                                    maxSequenceLength: maxSequenceLength, goldenVectors: goldenVectors)
        do {
            return try manifest.identityBundle(quantization: .f32, storageFormat: storageFormat)
        } catch {
            throw SemdIdentityError.invalidIdentity(error)
        }
    }

    /// The connection identity a semd daemon publishes with `bundle`, named the way cass names its
    /// own (protocol revision `cass-semantic-msgpack-attested-v1`, category TransformerEmbedder),
    /// validated as a client would.
    public static func connection(endpointFingerprint: String, executableFingerprint: String, keyID: String,
                                  generation: UInt64, bundle: EmbeddingIdentityBundleV1) throws(SemdIdentityError) -> DaemonConnectionIdentityV1 {
        let connection = DaemonConnectionIdentityV1(
            endpointFingerprint: endpointFingerprint, executableFingerprint: executableFingerprint,
            protocolRevision: AttestationVerifier.cassProtocolRevision, keyID: keyID, generation: generation,
            embeddingIdentity: bundle, modelCategory: modelCategory)
        do {
            try connection.validate()
        } catch {
            throw SemdIdentityError.invalidIdentity(error)
        }
        return connection
    }
}

/// Why semd cannot build its identity.
public enum SemdIdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case modelFile(ModelArtifactFileError)
    case goldenVectors(GoldenCertificateError)
    case invalidSequenceLength(Int)
    case invalidIdentity(IdentityValidationError)

    public var description: String {
        switch self {
        case .modelFile(let error): return "cannot describe the model: \(error)"
        case .goldenVectors(let error): return "cannot certify the golden vectors: \(error)"
        case .invalidSequenceLength(let length): return "sequence length \(length) leaves no room for text between [CLS] and [SEP]"
        case .invalidIdentity(let error): return "the identity semd would publish is invalid: \(error)"
        }
    }
}
