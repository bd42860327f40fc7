// The daemon layer's canonical bytes (spec §4.1, frankensearch `daemon.rs`): the connection identity
// and its fingerprint, the challenge, and the attestation's unsigned bytes, which are the HMAC's
// message. Every domain here is a raw prefix (no length). They encode whatever they are given;
// checking a challenge or a proof is the job of the signer and the verifier, never of these.
import SemanticWire

extension DaemonOperationV1 {
    /// The canonical byte tag: handshake 1, health 2, embed 3, embed_batch 4, rerank 5.
    public var canonicalTag: UInt8 {
        switch self {
        case .handshake: return 1
        case .health: return 2
        case .embed: return 3
        case .embedBatch: return 4
        case .rerank: return 5
        }
    }

    /// The ordered request digest of §5.2 for this operation and these inputs.
    public func orderedRequestSHA256(inputs: [String]) -> String {
        DaemonDigests.orderedRequestSHA256(operationTag: canonicalTag, inputs: inputs)
    }
}

extension ModelCategory {
    /// The canonical byte tag: HashEmbedder 1, StaticEmbedder 2, TransformerEmbedder 3, ApiEmbedder 4.
    public var canonicalTag: UInt8 {
        switch self {
        case .hashEmbedder: return 1
        case .staticEmbedder: return 2
        case .transformerEmbedder: return 3
        case .apiEmbedder: return 4
        }
    }
}

extension DaemonConnectionIdentityV1 {
    /// `"frankensearch.daemon-connection.v1" ‖ u16 schema ‖ T(endpoint fp) ‖ T(executable fp) ‖
    /// T(protocol revision) ‖ T(key_id) ‖ u64 generation ‖ LP(bundle bytes) ‖ u8 category`.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(rawDomain: "frankensearch.daemon-connection.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(endpointFingerprint)
        encoder.appendText(executableFingerprint)
        encoder.appendText(protocolRevision)
        encoder.appendText(keyID)
        encoder.appendUInt64(generation)
        encoder.appendLengthPrefixed(embeddingIdentity.canonicalBytes)
        encoder.appendByte(modelCategory.canonicalTag)
        return encoder.bytes
    }

    /// What a challenge's `expected_connection_fingerprint` must equal (§5.4).
    public var fingerprint: String { Hexadecimal.sha256(canonicalBytes) }
}

extension DaemonChallengeV1 {
    /// `"frankensearch.daemon-challenge.v1" ‖ u16 schema ‖ T(nonce) ‖ u8 operation ‖
    /// T(ordered request digest) ‖ u32 input count ‖ T(expected connection fingerprint)`.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(rawDomain: "frankensearch.daemon-challenge.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendText(requestNonce)
        encoder.appendByte(operation.canonicalTag)
        encoder.appendText(orderedRequestSHA256)
        encoder.appendUInt32(inputCount)
        encoder.appendText(expectedConnectionFingerprint)
        return encoder.bytes
    }
}

extension DaemonEmbeddingAttestationV1 {
    /// The HMAC's message: `"frankensearch.daemon-attestation.v1" ‖ u16 schema ‖ LP(challenge bytes) ‖
    /// LP(connection bytes) ‖ u32 vector count ‖ u32 vector dimension ‖ T(payload digest)`. The
    /// signature itself is not part of it.
    public var unsignedBytes: [UInt8] {
        var encoder = CanonicalEncoder(rawDomain: "frankensearch.daemon-attestation.v1")
        encoder.appendUInt16(schemaVersion)
        encoder.appendLengthPrefixed(challenge.canonicalBytes)
        encoder.appendLengthPrefixed(connection.canonicalBytes)
        encoder.appendUInt32(vectorCount)
        encoder.appendUInt32(vectorDimension)
        encoder.appendText(responsePayloadSHA256)
        return encoder.bytes
    }
}
