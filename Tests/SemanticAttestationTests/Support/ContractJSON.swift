// Contract values from the JSON of v2-frames.json (wire field names), and the cass MiniLM manifest
// of spec §5.8 written out from its constants, so the tests can rebuild each fingerprint of the
// identity table from its inputs. Test code only.
import Foundation
import SemanticAttestation
import SemanticWire

enum ContractJSON {
    static func bundle(_ json: [String: Any]) -> EmbeddingIdentityBundleV1 {
        let space = json["space"] as! [String: Any]
        let producer = json["producer"] as! [String: Any]
        let golden = producer["golden_vectors"] as! [String: Any]
        let input = json["input"] as! [String: Any]
        let storage = json["storage"] as! [String: Any]
        return EmbeddingIdentityBundleV1(
            space: EmbeddingSpaceIdentityV1(
                schemaVersion: uint16(space["schema_version"]),
                logicalModelID: space["logical_model_id"] as! String,
                immutableRevision: space["immutable_revision"] as! String,
                kind: EmbeddingSpaceKind(rawValue: space["kind"] as! String)!,
                artifactManifestFingerprint: space["artifact_manifest_fingerprint"] as! String,
                artifacts: (space["artifacts"] as! [[String: Any]]).map {
                    EmbeddingArtifactIdentityV1(role: $0["role"] as! String, sha256: $0["sha256"] as! String,
                                                size: ($0["size"] as! NSNumber).uint64Value)
                },
                tokenizerFingerprint: space["tokenizer_fingerprint"] as! String,
                vocabularyFingerprint: space["vocabulary_fingerprint"] as! String,
                modelConfigFingerprint: space["model_config_fingerprint"] as! String,
                modelPreprocessing: space["model_preprocessing"] as! String,
                sequencePolicy: space["sequence_policy"] as! String,
                queryInstruction: space["query_instruction"] as! String,
                documentInstruction: space["document_instruction"] as! String,
                pooling: space["pooling"] as! String,
                outputNormalization: space["output_normalization"] as! String,
                dimension: uint32(space["dimension"]),
                inputContractFingerprint: space["input_contract_fingerprint"] as! String),
            producer: EmbeddingProducerAttestationV1(
                schemaVersion: uint16(producer["schema_version"]),
                backend: producer["backend"] as! String,
                implementationRevision: producer["implementation_revision"] as! String,
                protocolRevision: producer["protocol_revision"] as! String,
                numericProfile: producer["numeric_profile"] as! String,
                provenanceManifestFingerprint: producer["provenance_manifest_fingerprint"] as! String,
                spaceFingerprint: producer["space_fingerprint"] as! String,
                goldenVectors: GoldenVectorCertificateV1(
                    corpusSHA256: golden["corpus_sha256"] as! String, vectorsSHA256: golden["vectors_sha256"] as! String,
                    vectorCount: uint32(golden["vector_count"]), dimension: uint32(golden["dimension"]))),
            input: EmbeddingInputContractV1(
                schemaVersion: uint16(input["schema_version"]),
                canonicalization: input["canonicalization"] as! String,
                contentSelection: input["content_selection"] as! String,
                chunking: input["chunking"] as! String,
                queryInstruction: input["query_instruction"] as! String,
                documentInstruction: input["document_instruction"] as! String,
                docIDSemantics: input["doc_id_semantics"] as! String),
            storage: VectorStorageIdentityV1(
                schemaVersion: uint16(storage["schema_version"]),
                format: storage["format"] as! String,
                quantization: VectorQuantization(rawValue: storage["quantization"] as! String)!,
                endianness: storage["endianness"] as! String,
                vectorNormalization: storage["vector_normalization"] as! String,
                dimension: uint32(storage["dimension"])))
    }

    static func connection(_ json: [String: Any]) -> DaemonConnectionIdentityV1 {
        DaemonConnectionIdentityV1(
            schemaVersion: uint16(json["schema_version"]),
            endpointFingerprint: json["endpoint_fingerprint"] as! String,
            executableFingerprint: json["executable_fingerprint"] as! String,
            protocolRevision: json["protocol_revision"] as! String,
            keyID: json["key_id"] as! String,
            generation: (json["generation"] as! NSNumber).uint64Value,
            embeddingIdentity: bundle(json["embedding_identity"] as! [String: Any]),
            modelCategory: ModelCategory(rawValue: json["model_category"] as! String)!)
    }

    /// The worked example's connection identity (§9).
    static var workedConnection: DaemonConnectionIdentityV1 {
        connection(V2Fixture.shared.workedExample["connection"] as! [String: Any])
    }

    private static func uint16(_ value: Any?) -> UInt16 { (value as! NSNumber).uint16Value }
    private static func uint32(_ value: Any?) -> UInt32 { (value as! NSNumber).uint32Value }
}

/// cass's MiniLM manifest (frankensearch `minilm_native_frankentorch`) from the constants of §5.8.
enum CassMiniLMManifest {
    static let conformanceTexts = ["hello world", "semantic search finds related ideas", "identifier fsvi_v2", "naive cafe Tokyo"]

    static func make(tokenizersVersion: String) -> ModelArtifactManifestV1 {
        let repository = "sentence-transformers/all-MiniLM-L6-v2"
        let revision = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
        func file(_ role: ModelArtifactRole, _ path: String, _ size: UInt64, _ sha256: String) -> ModelArtifactFileV1 {
            ModelArtifactFileV1(role: role, relativePath: path,
                                upstreamURL: "https://huggingface.co/\(repository)/resolve/\(revision)/\(path)",
                                size: size, sha256: sha256)
        }
        return ModelArtifactManifestV1(
            provider: "sentence-transformers-huggingface", logicalModelID: "all-minilm-l6-v2",
            upstreamRevision: revision, upstreamRepository: repository,
            artifacts: [
                file(.weights, "model.safetensors", 90_868_376, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
                file(.tokenizer, "tokenizer.json", 466_247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
                file(.modelConfig, "config.json", 612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
                file(.specialTokens, "special_tokens_map.json", 112, "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
                file(.tokenizerConfig, "tokenizer_config.json", 350, "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
            ],
            licenseSPDX: "Apache-2.0", dimension: 384,
            execution: ModelExecutionContractV1(
                backend: "frankentorch-native-minilm",
                implementationRevision: "frankensearch-rerank-native-embedder-v1+frankentorch-c305306b251753099620ad5fe02e78c07c167cf6",
                protocolRevision: "tokenizers-\(tokenizersVersion)+frankentorch-bert-encoder-v1",
                numericProfile: "f32-weights-int8-linear-f32-accumulate-v2",
                weightsFormat: "safetensors-f32-runtime-int8-linear-v1",
                tokenizerFamily: "huggingface-tokenizers-json-v1",
                modelPreprocessing: "bert-special-tokens=true;token-type-ids=zero",
                sequencePolicy: "max-length=512;longest-first;no-padding",
                pooling: "mean-all-returned-tokens-including-specials-no-padding-v1",
                outputNormalization: "l2-f32-if-norm-gt-zero-else-unchanged-v1",
                inputContract: EmbeddingInputContractV1(
                    canonicalization: "caller-utf8-as-is-v1", contentSelection: "single-caller-supplied-text-v1",
                    chunking: "none-at-embedder-boundary-v1", queryInstruction: "", documentInstruction: "",
                    docIDSemantics: "vector-independent-of-document-id-v1"),
                goldenVectors: GoldenVectorCertificateV1(
                    corpusSHA256: DaemonDigests.goldenCorpusSHA256(texts: conformanceTexts),
                    vectorsSHA256: "bed15455ed5910d6ebcf39b28a22e321d83a904f99c53e79724995b662e67c26",
                    vectorCount: 4, dimension: 384)))
    }
}
