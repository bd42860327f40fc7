// The frankensearch contract values rendered as the JSON trees of v2-frames.json (serde's JSON:
// structs as objects keyed by their Rust field names, enums by name, `hash_control` and `projection`
// left out when absent). Written apart from the codec, so a golden's `value` checks the decoder
// against an independent reading of the spec.
import SemanticTestSupport
import SemanticWire

private func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> JSONValue { .unsignedInteger(UInt64(value)) }

extension DaemonChallengeV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "schema_version": unsigned(schemaVersion), "request_nonce": .string(requestNonce),
            "operation": .string(operation.rawValue), "ordered_request_sha256": .string(orderedRequestSHA256),
            "input_count": unsigned(inputCount), "expected_connection_fingerprint": .string(expectedConnectionFingerprint),
        ])
    }
}

extension DaemonConnectionIdentityV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "schema_version": unsigned(schemaVersion), "endpoint_fingerprint": .string(endpointFingerprint),
            "executable_fingerprint": .string(executableFingerprint), "protocol_revision": .string(protocolRevision),
            "key_id": .string(keyID), "generation": unsigned(generation), "embedding_identity": embeddingIdentity.json,
            "model_category": .string(modelCategory.rawValue),
        ])
    }
}

extension DaemonEmbeddingAttestationV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "schema_version": unsigned(schemaVersion), "challenge": challenge.json, "connection": connection.json,
            "vector_count": unsigned(vectorCount), "vector_dimension": unsigned(vectorDimension),
            "response_payload_sha256": .string(responsePayloadSHA256), "signature_hmac_sha256": .string(signatureHMACSHA256),
        ])
    }
}

extension AttestedDaemonEmbeddingResponseV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "vectors": .array(vectors.map { .array($0.map { .number(Double($0)) }) }),
            "attestation": attestation.json,
        ])
    }
}

extension EmbeddingIdentityBundleV1: JSONRenderable {
    var json: JSONValue {
        .object(["space": space.json, "producer": producer.json, "input": input.json, "storage": storage.json])
    }
}

extension EmbeddingSpaceIdentityV1: JSONRenderable {
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "schema_version": unsigned(schemaVersion), "logical_model_id": .string(logicalModelID),
            "immutable_revision": .string(immutableRevision), "kind": .string(kind.rawValue),
            "artifact_manifest_fingerprint": .string(artifactManifestFingerprint),
            "artifacts": .array(artifacts.map(\.json)),
            "tokenizer_fingerprint": .string(tokenizerFingerprint), "vocabulary_fingerprint": .string(vocabularyFingerprint),
            "model_config_fingerprint": .string(modelConfigFingerprint), "model_preprocessing": .string(modelPreprocessing),
            "sequence_policy": .string(sequencePolicy), "query_instruction": .string(queryInstruction),
            "document_instruction": .string(documentInstruction), "pooling": .string(pooling),
            "output_normalization": .string(outputNormalization), "dimension": unsigned(dimension),
            "input_contract_fingerprint": .string(inputContractFingerprint),
        ]
        if let hashControl { members["hash_control"] = hashControl.json }
        if let projection { members["projection"] = projection.json }
        return .object(members)
    }
}

extension EmbeddingArtifactIdentityV1: JSONRenderable {
    var json: JSONValue {
        .object(["role": .string(role), "sha256": .string(sha256), "size": unsigned(size)])
    }
}

extension HashControlProfileV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "algorithm": .string(algorithm), "algorithm_revision": .string(algorithmRevision), "seed": unsigned(seed),
            "feature_rules": .string(featureRules), "tokenization_rules": .string(tokenizationRules),
            "signing_rules": .string(signingRules), "normalization_rules": .string(normalizationRules),
        ])
    }
}

extension EmbeddingProjectionV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "parent_space_fingerprint": .string(parentSpaceFingerprint), "source_dimension": unsigned(sourceDimension),
            "output_dimension": unsigned(outputDimension), "projection_rule": .string(projectionRule),
            "renormalization_rule": .string(renormalizationRule),
        ])
    }
}

extension EmbeddingProducerAttestationV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "schema_version": unsigned(schemaVersion), "backend": .string(backend),
            "implementation_revision": .string(implementationRevision), "protocol_revision": .string(protocolRevision),
            "numeric_profile": .string(numericProfile),
            "provenance_manifest_fingerprint": .string(provenanceManifestFingerprint),
            "space_fingerprint": .string(spaceFingerprint), "golden_vectors": goldenVectors.json,
        ])
    }
}

extension GoldenVectorCertificateV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "corpus_sha256": .string(corpusSHA256), "vectors_sha256": .string(vectorsSHA256),
            "vector_count": unsigned(vectorCount), "dimension": unsigned(dimension),
        ])
    }
}

extension EmbeddingInputContractV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "schema_version": unsigned(schemaVersion), "canonicalization": .string(canonicalization),
            "content_selection": .string(contentSelection), "chunking": .string(chunking),
            "query_instruction": .string(queryInstruction), "document_instruction": .string(documentInstruction),
            "doc_id_semantics": .string(docIDSemantics),
        ])
    }
}

extension VectorStorageIdentityV1: JSONRenderable {
    var json: JSONValue {
        .object([
            "schema_version": unsigned(schemaVersion), "format": .string(format),
            "quantization": .string(quantization.rawValue), "endianness": .string(endianness),
            "vector_normalization": .string(vectorNormalization), "dimension": unsigned(dimension),
        ])
    }
}
