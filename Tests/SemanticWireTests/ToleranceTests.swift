// What a Rust peer accepts besides rmp_serde's own output (cass spec §1.2): structs as maps keyed by
// field name, unknown keys ignored, missing options as None, variants by index or in map form,
// f32 from float64 or integers, strings from bin. Built with the generic writer, so each input is
// the shape under test and nothing else.
import SemanticWire
import Testing

private func bytes(_ value: MessagePackValue) throws -> [UInt8] { try value.encoded() }

private func request(_ payload: MessagePackValue, id: MessagePackValue = "t") throws -> RequestEnvelope {
    try RequestEnvelope.decode(from: bytes([1, id, payload]))
}

private func response(_ payload: MessagePackValue) throws -> ResponseEnvelope {
    try ResponseEnvelope.decode(from: bytes([1, "t", payload]))
}

@Suite("Tolerant decoding")
struct ToleranceTests {
    @Test func structsMayBeMapsKeyedByFieldName() throws {
        let envelope = try RequestEnvelope.decode(from: bytes([
            "payload": ["Embed": ["model": "m", "texts": ["a"], "unknown": [1, [2, ["deep": .nil]]]]],
            "request_id": "map", "version": 1, "extra": .binary([1, 2]),
        ]))
        #expect(envelope == RequestEnvelope(requestID: "map", request: .embed(texts: ["a"], model: "m", dims: nil)))
    }

    @Test func mapFieldsMayAlsoBeIndicesOrBinNames() throws {
        let payload: MessagePackValue = ["Rerank": [0: "q", .binary(Array("documents".utf8)): ["d"], 2: "m"]]
        #expect(try request(payload).request == .rerank(query: "q", documents: ["d"], model: "m"))
    }

    @Test func missingOptionalFieldsAreNilButRequiredOnesAreErrors() throws {
        #expect(try request(["CancelEmbeddingJob": ["db_path": "/d"]]).request == .cancelEmbeddingJob(dbPath: "/d", modelID: nil))
        #expect(throws: WireError.missingField(field: "payload.CancelEmbeddingJob.db_path")) {
            try request(["CancelEmbeddingJob": ["model_id": "x"]])
        }
    }

    @Test func aFieldNamedTwiceIsAnError() {
        #expect(throws: WireError.duplicateField(field: "payload.EmbeddingJobStatus.db_path")) {
            try request(["EmbeddingJobStatus": ["db_path": "/a", "db_path": "/b"]])
        }
    }

    @Test func theArrayFormMustHaveExactlyTheFields() {
        // Too few fails even though the missing field is an Option, as in Rust.
        #expect(throws: WireError.wrongArrayLength(field: "payload.Embed", type: "Embed", expected: 3, found: 2)) {
            try request(["Embed": [["a"], "m"]])
        }
        #expect(throws: WireError.wrongArrayLength(field: "", type: "FramedMessage", expected: 3, found: 4)) {
            try RequestEnvelope.decode(from: bytes([1, "t", "Health", "extra"]))
        }
    }

    @Test func variantsMayBeNamesIndicesOrOneEntryMaps() throws {
        #expect(try request("Health").request == .health)
        #expect(try request(0).request == .health)
        #expect(try request(7).request == .shutdown)
        #expect(try request(["Status": .nil]).request == .status)
        #expect(try request([3: .nil]).request == .status)
        #expect(try request([4: ["/db", "/ix", true, .nil, "q"]]).request
            == .submitEmbeddingJob(dbPath: "/db", indexPath: "/ix", twoTier: true, fastModel: nil, qualityModel: "q"))
        #expect(try response([8: ["Timeout", "slow", false, .nil]]).response
            == .error(ErrorResponse(code: .timeout, message: "slow", retryable: false)))
        #expect(try response(["Error": [4, "slow", false, .nil]]).response
            == .error(ErrorResponse(code: .timeout, message: "slow", retryable: false)))
    }

    @Test func aUnitVariantInMapFormNeedsANilPayload() {
        #expect(throws: WireError.unexpectedType(field: "payload.Health", expected: "nil", found: "array of 0")) {
            try request(["Health": []])
        }
    }

    @Test func aVariantWithFieldsCannotBeABareName() {
        #expect(throws: WireError.unexpectedType(
            field: "payload.Embed", expected: "a one-entry map {variant: Embed}", found: "a bare variant name or index")) {
            try request("Embed")
        }
    }

    @Test func variantNamesAreCaseSensitiveAndIndicesBounded() {
        #expect(throws: WireError.unknownVariant(field: "payload", type: "Request", name: "\"health\"")) {
            try request("health")
        }
        #expect(throws: WireError.unknownVariant(field: "payload", type: "Request", name: "index 8")) {
            try request(8)
        }
        #expect(throws: WireError.unknownVariant(field: "payload.Error.code", type: "ErrorCode", name: "\"Busy\"")) {
            try response(["Error": ["Busy", "m", true, .nil]])
        }
        #expect(throws: WireError.unexpectedType(
            field: "payload", expected: "Request as a variant name or a one-entry map", found: "map of 2")) {
            try request(["Health": .nil, "Status": .nil])
        }
    }

    @Test func floatFieldsAcceptFloat64AndIntegers() throws {
        let decoded = try response(["Rerank": [[.float64(0.5), 2, -3, .float32(0.25)], "m", 1]])
        #expect(decoded.response == .rerank(RerankResponse(scores: [0.5, 2, -3, 0.25], model: "m", elapsedMilliseconds: 1)))
    }

    @Test func stringFieldsAcceptValidUTF8Bin() throws {
        #expect(try request(["EmbeddingJobStatus": [.binary(Array("/d/ü".utf8))]], id: .binary([0x69, 0x64])).requestID == "id")
        #expect(throws: WireError.invalidUTF8(field: "payload.EmbeddingJobStatus.db_path")) {
            try request(["EmbeddingJobStatus": [.binary([0xff, 0xfe])]])
        }
    }

    @Test func theEnvelopeVersionIsAnyU32() throws {
        #expect(try RequestEnvelope.decode(from: bytes([4_000_000_000, "v", "Health"])).version == 4_000_000_000)
        #expect(throws: WireError.integerOutOfRange(field: "version", expected: "u32", value: "5000000000")) {
            try RequestEnvelope.decode(from: bytes([5_000_000_000, "v", "Health"]))
        }
    }

    @Test func negativeValuesIntoUnsignedFieldsAreErrors() {
        #expect(throws: WireError.integerOutOfRange(field: "payload.Embed.dims", expected: "an unsigned integer", value: "-1")) {
            try request(["Embed": [[], "m", -1]])
        }
        #expect(throws: WireError.integerOutOfRange(
            field: "payload.Health.uptime_secs", expected: "an unsigned integer", value: "-5")) {
            try response(["Health": [-5, 1, true, 0]])
        }
    }

    @Test func wrongTypesNameTheField() {
        #expect(throws: WireError.unexpectedType(field: "payload.Embed.texts[1]", expected: "a string", found: "integer 5")) {
            try request(["Embed": [["a", 5], "m", .nil]])
        }
        #expect(throws: WireError.unexpectedType(
            field: "payload.Status.embedders[0].loaded", expected: "bool", found: "integer 1")) {
            try response(["Status": [1, 1, [["id", "name", .nil, 1, 0]], [], 0, 0]])
        }
        #expect(throws: WireError.unexpectedType(field: "payload.Embed.embeddings[1][2]", expected: "a float", found: "string")) {
            try response(["Embed": [[[1, 2], [3, 4, "x"]], "m", 0]])
        }
        #expect(throws: WireError.unexpectedType(field: "request_id", expected: "a string", found: "nil")) {
            try RequestEnvelope.decode(from: bytes([1, .nil, "Health"]))
        }
    }

    @Test func errorMessagesReadAsOneLine() {
        let error = WireError.unexpectedType(field: "payload.Embed.texts[1]", expected: "a string", found: "integer 5")
        #expect(error.description == "payload.Embed.texts[1]: expected a string, found integer 5")
        #expect(WireError.frameTooLarge(length: 10_485_761, limit: 10_485_760).description
            == "frame too large: length 10485761 exceeds the limit of 10485760 bytes")
        #expect(WireError.trailingBytes(count: 3).description == "3 unexpected byte(s) after the end of the message")
    }
}
