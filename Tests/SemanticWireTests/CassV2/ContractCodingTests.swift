// The frankensearch contract structs on their own: the worked example's values, typed in from the
// spec, encode to exactly the bytes the Rust encoder wrote inside the golden frames and decode back;
// the space's 17/18/19-element arrays; map form with every field named; unknown fields refused.
import SemanticTestSupport
import SemanticWire
import Testing

/// The payload bytes of the golden frame `name` (after `[2, id, {Variant: `).
private func payloadBytes(_ name: String) throws -> ArraySlice<UInt8> {
    let body = try cassV2Frame(name).body
    return body[try payloadOffset(inEnvelopeBody: body)...]
}

private func decodeStrictly<T: MessagePackCodable>(_ type: T.Type, _ bytes: ArraySlice<UInt8>) throws -> T {
    try T(messagePack: bytes, options: CassV2.decodingOptions)
}

private let hashControl = HashControlProfileV1(
    algorithm: "fnv1a-64", algorithmRevision: "v1", seed: 0xdead_beef_cafe, featureRules: "word-unigrams",
    tokenizationRules: "ascii-lowercase", signingRules: "sign-bit", normalizationRules: "l2")
private let projection = EmbeddingProjectionV1(
    parentSpaceFingerprint: String(repeating: "ab", count: 32), sourceDimension: 384, outputDimension: 128,
    projectionRule: "leading-coordinates", renormalizationRule: "l2")

@Suite("cass v2 contract coding")
struct ContractCodingTests {
    @Test func theWorkedExampleIdentityIsTheRustEncodersBytes() throws {
        let bytes = try payloadBytes("response ConnectionIdentity cass-0")
        #expect(try WorkedExample.connection.messagePackBytes() == Array(bytes))
        #expect(try decodeStrictly(DaemonConnectionIdentityV1.self, bytes) == WorkedExample.connection)
    }

    @Test func theWorkedExampleProofsAreTheRustEncodersBytes() throws {
        let handshake = try payloadBytes("response Attestation(handshake) cass-1")
        #expect(try WorkedExample.handshakeProof.messagePackBytes() == Array(handshake))
        #expect(try decodeStrictly(DaemonEmbeddingAttestationV1.self, handshake) == WorkedExample.handshakeProof)

        let embed = try payloadBytes("response AttestedEmbedding(embed) cass-3")
        #expect(try WorkedExample.embedProof.messagePackBytes() == Array(embed))
        #expect(try decodeStrictly(AttestedDaemonEmbeddingResponseV1.self, embed) == WorkedExample.embedProof)

        let rerank = try payloadBytes("response AttestedEmbedding(rerank) cass-4")
        #expect(try WorkedExample.rerankProof.messagePackBytes() == Array(rerank))
        #expect(try decodeStrictly(AttestedDaemonEmbeddingResponseV1.self, rerank) == WorkedExample.rerankProof)
    }

    @Test func theSyntheticVectorStartsWithTheSpecsBits() {
        let bits = WorkedExample.embedProof.vectors[0].prefix(3).map(\.bitPattern)
        #expect(bits == [0x3b2a_aaab, 0x3baa_aaab, 0x3c00_0000])
    }

    @Test func aChallengeIsSixFieldsWithTheOperationInSnakeCase() throws {
        let challenge = DaemonChallengeV1(requestNonce: "n", operation: .embedBatch, orderedRequestSHA256: "d",
                                          inputCount: 70_000, expectedConnectionFingerprint: "f")
        #expect(try challenge.messagePackBytes()
            == [0x96, 0x01, 0xa1, 0x6e, 0xab] + Array("embed_batch".utf8) + [0xa1, 0x64, 0xce, 0x00, 0x01, 0x11, 0x70, 0xa1, 0x66])
        #expect(try DaemonChallengeV1(messagePack: challenge.messagePackBytes()) == challenge)
    }

    @Test func everyNameEnumTravelsAsItsExactName() throws {
        #expect(DaemonOperationV1.allCases.map(\.rawValue) == ["handshake", "health", "embed", "embed_batch", "rerank"])
        #expect(ModelCategory.allCases.map(\.rawValue) == ["HashEmbedder", "StaticEmbedder", "TransformerEmbedder", "ApiEmbedder"])
        #expect(EmbeddingSpaceKind.allCases.map(\.rawValue) == ["semantic", "hash_control"])
        #expect(VectorQuantization.allCases.map(\.rawValue) == ["F32", "F16", "Int8", "Int4"])
        for operation in DaemonOperationV1.allCases {
            let bytes = try operation.messagePackBytes()
            #expect(try MessagePackValue(decoding: bytes) == .string(operation.rawValue))
            #expect(try DaemonOperationV1(messagePack: bytes) == operation)
        }
        for category in ModelCategory.allCases {
            #expect(try ModelCategory(messagePack: category.messagePackBytes()) == category)
        }
        for kind in EmbeddingSpaceKind.allCases {
            #expect(try EmbeddingSpaceKind(messagePack: kind.messagePackBytes()) == kind)
        }
        for quantization in VectorQuantization.allCases {
            #expect(try VectorQuantization(messagePack: quantization.messagePackBytes()) == quantization)
        }
        // Names are case-sensitive, and the Swift spelling is not a wire name.
        #expect(throws: WireError.unknownVariant(field: "", type: "DaemonOperationV1", name: "\"embedBatch\"")) {
            try DaemonOperationV1(messagePack: MessagePackValue.string("embedBatch").encoded())
        }
        #expect(throws: WireError.unknownVariant(field: "", type: "ModelCategory", name: "\"transformerembedder\"")) {
            try ModelCategory(messagePack: MessagePackValue.string("transformerembedder").encoded())
        }
    }

    @Test func theSpaceIsSeventeenElementsWithoutItsOptionalFields() throws {
        let bytes = try WorkedExample.space.messagePackBytes()
        #expect(Array(bytes.prefix(3)) == [0xdc, 0x00, 0x11])
        #expect(try EmbeddingSpaceIdentityV1(messagePack: bytes) == WorkedExample.space)
    }

    @Test func theSpaceIsEighteenElementsWithAHashControlProfile() throws {
        var space = WorkedExample.space
        space.kind = .hashControl
        space.hashControl = hashControl
        let bytes = try space.messagePackBytes()
        #expect(Array(bytes.prefix(3)) == [0xdc, 0x00, 0x12])
        #expect(try EmbeddingSpaceIdentityV1(messagePack: bytes) == space)
    }

    @Test func theSpaceIsNineteenElementsWithBoth() throws {
        var space = WorkedExample.space
        space.hashControl = hashControl
        space.projection = projection
        let bytes = try space.messagePackBytes()
        #expect(Array(bytes.prefix(3)) == [0xdc, 0x00, 0x13])
        #expect(try EmbeddingSpaceIdentityV1(messagePack: bytes) == space)
    }

    /// rmp-serde would put a lone projection in the hash-control position, which nothing reads back;
    /// an explicit nil keeps it where a decoder looks for it.
    @Test func aProjectionWithoutAHashControlProfileIsPrecededByNil() throws {
        var space = WorkedExample.space
        space.projection = projection
        let bytes = try space.messagePackBytes()
        #expect(Array(bytes.prefix(3)) == [0xdc, 0x00, 0x13])
        let seventeen = try WorkedExample.space.messagePackBytes()
        #expect(bytes[seventeen.count] == 0xc0)
        #expect(try EmbeddingSpaceIdentityV1(messagePack: bytes) == space)
    }

    @Test func explicitNilsInTheOptionalPositionsMeanAbsent() throws {
        let seventeen = try WorkedExample.space.messagePackBytes()
        for extra in 1...2 {
            let bytes = [0xdc, 0x00, UInt8(17 + extra)] + seventeen.dropFirst(3) + [UInt8](repeating: 0xc0, count: extra)
            #expect(try EmbeddingSpaceIdentityV1(messagePack: bytes) == WorkedExample.space, "\(17 + extra) elements")
        }
    }

    @Test func sixteenOrTwentyElementsAreRefused() throws {
        let seventeen = try WorkedExample.space.messagePackBytes()
        var sixteen = try MessagePackValue(decoding: seventeen)
        guard case .array(var fields) = sixteen else { Issue.record("not an array"); return }
        fields.removeLast()
        sixteen = .array(fields)
        #expect(throws: WireError.wrongArrayLength(field: "", type: "EmbeddingSpaceIdentityV1", expected: 19, found: 16)) {
            try EmbeddingSpaceIdentityV1(messagePack: sixteen.encoded())
        }
        let twenty = [0xdc, 0x00, 0x14] + seventeen.dropFirst(3) + [0xc0, 0xc0, 0xc0]
        #expect(throws: WireError.wrongArrayLength(field: "", type: "EmbeddingSpaceIdentityV1", expected: 19, found: 20)) {
            try EmbeddingSpaceIdentityV1(messagePack: twenty)
        }
    }

    @Test func everyOtherStructNeedsExactlyItsFieldCount() throws {
        let challenge = try MessagePackValue(decoding: WorkedExample.embedChallenge.messagePackBytes())
        guard case .array(let fields) = challenge else { Issue.record("not an array"); return }
        #expect(throws: WireError.wrongArrayLength(field: "", type: "DaemonChallengeV1", expected: 6, found: 5)) {
            try DaemonChallengeV1(messagePack: MessagePackValue.array(Array(fields.dropLast())).encoded())
        }
        #expect(throws: WireError.wrongArrayLength(field: "", type: "DaemonChallengeV1", expected: 6, found: 7)) {
            try DaemonChallengeV1(messagePack: MessagePackValue.array(fields + [.nil]).encoded())
        }
        let storage = try MessagePackValue(decoding: WorkedExample.storage.messagePackBytes())
        guard case .array(let storageFields) = storage else { Issue.record("not an array"); return }
        #expect(throws: WireError.wrongArrayLength(field: "", type: "VectorStorageIdentityV1", expected: 6, found: 5)) {
            try VectorStorageIdentityV1(messagePack: MessagePackValue.array(Array(storageFields.dropLast())).encoded())
        }
    }

    /// serde's `to_vec_named` form of every contract value in the goldens, built from its JSON:
    /// the same value as the compact form.
    @Test func theNamedFormOfEveryGoldenPayloadDecodesToTheSameValue() throws {
        let connection = try cassV2Frame("response ConnectionIdentity cass-0")
        let named = try namedMessagePack(try #require(connection.value["payload"]?["ConnectionIdentity"])).encoded()
        #expect(try decodeStrictly(DaemonConnectionIdentityV1.self, named[...]) == WorkedExample.connection)

        let handshake = try cassV2Frame("response Attestation(handshake) cass-1")
        let namedProof = try namedMessagePack(try #require(handshake.value["payload"]?["Attestation"])).encoded()
        #expect(try decodeStrictly(DaemonEmbeddingAttestationV1.self, namedProof[...]) == WorkedExample.handshakeProof)

        let rerank = try cassV2Frame("response AttestedEmbedding(rerank) cass-4")
        let namedRerank = try namedMessagePack(try #require(rerank.value["payload"]?["AttestedEmbedding"])).encoded()
        #expect(try decodeStrictly(AttestedDaemonEmbeddingResponseV1.self, namedRerank[...]) == WorkedExample.rerankProof)
    }

    @Test func theNamedSpaceMayCarryItsOptionalFields() throws {
        var space = WorkedExample.space
        space.hashControl = hashControl
        space.projection = projection
        let named = try namedMessagePack(space.json).encoded()
        #expect(try decodeStrictly(EmbeddingSpaceIdentityV1.self, named[...]) == space)
    }

    @Test func anUnknownFieldInTheNamedFormIsRefusedWithItsPath() throws {
        guard case .object(var members) = WorkedExample.connection.json,
              case .object(var bundle) = members["embedding_identity"],
              case .object(var storage) = bundle["storage"]
        else { Issue.record("not objects"); return }
        storage["compression"] = .string("none")
        bundle["storage"] = .object(storage)
        members["embedding_identity"] = .object(bundle)
        let named = try namedMessagePack(.object(members)).encoded()
        #expect(throws: WireError.unknownField(field: "embedding_identity.storage", type: "VectorStorageIdentityV1",
                                               name: "\"compression\"")) {
            try decodeStrictly(DaemonConnectionIdentityV1.self, named[...])
        }
        // cass v1's rules skip it.
        #expect(try DaemonConnectionIdentityV1(messagePack: named, options: .strict) == WorkedExample.connection)
    }

    @Test func aMissingRequiredFieldInTheNamedFormIsRefused() throws {
        guard case .object(var members) = WorkedExample.embedChallenge.json else { Issue.record("not an object"); return }
        members["input_count"] = nil
        #expect(throws: WireError.missingField(field: "input_count")) {
            try decodeStrictly(DaemonChallengeV1.self, namedMessagePack(.object(members)).encoded()[...])
        }
    }

    @Test func integersMustFitTheirFields() throws {
        guard case .array(var elements) = try MessagePackValue(decoding: WorkedExample.embedChallenge.messagePackBytes()) else {
            Issue.record("not an array")
            return
        }
        elements[0] = .uint(65_536)
        #expect(throws: WireError.integerOutOfRange(field: "schema_version", expected: "u16", value: "65536")) {
            try DaemonChallengeV1(messagePack: MessagePackValue.array(elements).encoded())
        }
        elements[0] = .uint(1)
        elements[4] = .int(-1)
        #expect(throws: WireError.integerOutOfRange(field: "input_count", expected: "an unsigned integer", value: "-1")) {
            try DaemonChallengeV1(messagePack: MessagePackValue.array(elements).encoded())
        }
    }
}
