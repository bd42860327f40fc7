// The MessagePack layer on its own: every marker family at its width boundaries, canonical output,
// acceptance of non-canonical input, and the rejection of ext and the reserved marker.
import SemanticWire
import Testing

private func encoded(_ write: (inout MessagePackWriter) throws -> Void) rethrows -> [UInt8] {
    var writer = MessagePackWriter()
    try write(&writer)
    return writer.bytes
}

@Suite("MessagePack codec")
struct MessagePackCodecTests {
    static let unsignedForms: [(UInt64, [UInt8])] = [
        (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]),
        (256, [0xcd, 0x01, 0x00]), (65535, [0xcd, 0xff, 0xff]), (65536, [0xce, 0x00, 0x01, 0x00, 0x00]),
        (4_294_967_295, [0xce, 0xff, 0xff, 0xff, 0xff]),
        (4_294_967_296, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]), (UInt64.max, [0xcf] + Array(repeating: 0xff, count: 8)),
    ]

    @Test(arguments: unsignedForms)
    func unsignedIntegersUseTheShortestForm(value: UInt64, bytes: [UInt8]) throws {
        #expect(encoded { $0.writeUnsigned(value) } == bytes)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readUnsigned() == value)
        #expect(reader.isAtEnd)
    }

    static let signedForms: [(Int64, [UInt8])] = [
        (5, [0x05]), (-1, [0xff]), (-32, [0xe0]), (-33, [0xd0, 0xdf]), (-128, [0xd0, 0x80]),
        (-129, [0xd1, 0xff, 0x7f]), (-32768, [0xd1, 0x80, 0x00]), (-32769, [0xd2, 0xff, 0xff, 0x7f, 0xff]),
        (Int64(Int32.min), [0xd2, 0x80, 0, 0, 0]), (Int64(Int32.min) - 1, [0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]),
        (Int64.min, [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]), (Int64.max, [0xcf, 0x7f] + Array(repeating: 0xff, count: 7)),
        (300, [0xcd, 0x01, 0x2c]),
    ]

    @Test(arguments: signedForms)
    func signedIntegersUseUnsignedFormsWhenNonNegative(value: Int64, bytes: [UInt8]) throws {
        #expect(encoded { $0.writeSigned(value) } == bytes)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readSigned() == value)
    }

    @Test func everyIntegerWidthIsAcceptedWhenTheValueFits() throws {
        let forms: [[UInt8]] = [
            [0x07], [0xcc, 7], [0xcd, 0, 7], [0xce, 0, 0, 0, 7], [0xcf, 0, 0, 0, 0, 0, 0, 0, 7],
            [0xd0, 7], [0xd1, 0, 7], [0xd2, 0, 0, 0, 7], [0xd3, 0, 0, 0, 0, 0, 0, 0, 7],
        ]
        for form in forms {
            var reader = MessagePackReader(form)
            #expect(try reader.readUnsigned() == 7, "\(form)")
            var signed = MessagePackReader(form)
            #expect(try signed.readSigned() == 7, "\(form)")
            var count = MessagePackReader(form)
            #expect(try count.readUInt32() == 7, "\(form)")
        }
    }

    @Test func outOfRangeIntegersAreErrors() {
        var negative = MessagePackReader([0xff])
        #expect(throws: WireError.integerOutOfRange(field: "", expected: "an unsigned integer", value: "-1")) {
            try negative.readUnsigned()
        }
        var tooBig = MessagePackReader([0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0])
        #expect(throws: WireError.integerOutOfRange(field: "", expected: "i64", value: "9223372036854775808")) {
            try tooBig.readSigned()
        }
        var notU32 = MessagePackReader([0xcf, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: WireError.integerOutOfRange(field: "", expected: "u32", value: "4294967296")) {
            try notU32.readUInt32()
        }
    }

    @Test func floatsKeepTheirWidthAndBits() throws {
        #expect(encoded { $0.writeFloat32(0.5) } == [0xca, 0x3f, 0x00, 0x00, 0x00])
        #expect(encoded { $0.writeFloat32(-0.0) } == [0xca, 0x80, 0x00, 0x00, 0x00])
        #expect(encoded { $0.writeFloat64(3.0) } == [0xcb, 0x40, 0x08, 0, 0, 0, 0, 0, 0])
        var reader = MessagePackReader([0xca, 0x7f, 0xc0, 0x00, 0x00])
        #expect(try reader.readFloat32().isNaN)
        // f32 fields also accept float64 (narrowed) and integers, like a Rust peer.
        for (bytes, value) in [([0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a] as [UInt8], Float(0.1)),
                               ([0x02], 2), ([0xff], -1), ([0xcd, 0x01, 0x00], 256)] {
            var tolerant = MessagePackReader(bytes)
            #expect(try tolerant.readFloat32() == value)
        }
        var string = MessagePackReader([0xa1, 0x31])
        #expect(throws: WireError.unexpectedType(field: "", expected: "a float", found: "string")) {
            try string.readFloat32()
        }
    }

    @Test(arguments: [0, 1, 31, 32, 255, 256, 65535, 65536])
    func stringsUseTheShortestHeader(length: Int) throws {
        let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
        let bytes = try encoded { try $0.writeString(text) }
        let expectedHeader: [UInt8] = switch length {
        case 0..<32: [0xa0 | UInt8(length)]
        case 32..<256: [0xd9, UInt8(length)]
        case 256..<65536: [0xda, UInt8(length >> 8), UInt8(length & 0xff)]
        default: [0xdb, 0, UInt8(length >> 16), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
        }
        #expect(Array(bytes.prefix(expectedHeader.count)) == expectedHeader)
        #expect(bytes.count == expectedHeader.count + length)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readString() == text)
    }

    @Test(arguments: [0, 255, 256, 65535, 65536])
    func binaryUsesTheShortestHeaderAndCanBeAString(length: Int) throws {
        let data = [UInt8](repeating: 0x61, count: length)
        let bytes = try encoded { try $0.writeBinary(data) }
        let marker: UInt8 = length < 256 ? 0xc4 : length < 65536 ? 0xc5 : 0xc6
        #expect(bytes.first == marker)
        #expect(try MessagePackValue(decoding: bytes) == .binary(data))
        var reader = MessagePackReader(bytes)
        #expect(try reader.readString() == String(repeating: "a", count: length))
    }

    @Test(arguments: [0, 15, 16, 65535, 65536])
    func arraysAndMapsUseTheShortestHeader(count: Int) throws {
        let array = MessagePackValue.array(Array(repeating: .nil, count: count))
        let arrayBytes = try array.encoded()
        #expect(arrayBytes.first == (count < 16 ? 0x90 | UInt8(count) : count < 65536 ? 0xdc : 0xdd))
        #expect(try MessagePackValue(decoding: arrayBytes) == array)
        let map = MessagePackValue.map((0..<count).map { (key: .uint(UInt64($0)), value: .bool(true)) })
        let mapBytes = try map.encoded()
        #expect(mapBytes.first == (count < 16 ? 0x80 | UInt8(count) : count < 65536 ? 0xde : 0xdf))
        #expect(try MessagePackValue(decoding: mapBytes) == map)
    }

    @Test func theGenericValueCoversEveryType() throws {
        let value: MessagePackValue = [
            .nil, true, false, 0, -1, 200, -200, 70000, -70000, 5_000_000_000, -5_000_000_000,
            .float32(1.5), .float64(-2.25), "", "text", .binary([0, 1, 2]), [], [1, [2, [3]]],
            ["key": "value", 7: .nil, .bool(false): [.float32(.infinity)]],
        ]
        let bytes = try value.encoded()
        #expect(try MessagePackValue(decoding: bytes) == value)
        #expect(value[18]?["key"] == "value")
    }

    @Test func integersCompareByValueAcrossSignedness() {
        #expect(MessagePackValue.int(5) == .uint(5))
        #expect(MessagePackValue.int(-5) != .uint(5))
        #expect(MessagePackValue.float32(.nan) == .float32(.nan))
        #expect(MessagePackValue.float32(0) != .float32(-0.0))
        #expect(MessagePackValue.float32(1) != .float64(1))
    }

    static let extensionForms: [([UInt8], Int8)] = [
        ([0xd4, 0x05, 0x00], 5), ([0xd5, 0xfe, 0, 0], -2), ([0xd6, 1, 0, 0, 0, 0], 1),
        ([0xd7, 1] + Array(repeating: 0, count: 8), 1), ([0xd8, 1] + Array(repeating: 0, count: 16), 1),
        ([0xc7, 0x01, 0x09, 0x00], 9), ([0xc8, 0x00, 0x01, 0x09, 0x00], 9), ([0xc9, 0, 0, 0, 1, 0x09, 0x00], 9),
    ]

    @Test(arguments: extensionForms)
    func extensionValuesAreRejectedByType(bytes: [UInt8], type: Int8) {
        #expect(throws: WireError.extUnsupported(type: type, at: 0)) { try MessagePackValue(decoding: bytes) }
        var reader = MessagePackReader(bytes)
        #expect(throws: WireError.extUnsupported(type: type, at: 0)) { try reader.skipValue() }
    }

    @Test func theReservedMarkerIsRejected() {
        #expect(throws: WireError.reservedMarker(at: 1)) { try MessagePackValue(decoding: [0x91, 0xc1]) }
    }

    @Test func trailingBytesAreAnErrorUnlessTolerated() throws {
        #expect(throws: WireError.trailingBytes(count: 2)) { try MessagePackValue(decoding: [0x01, 0x02, 0x03]) }
        #expect(try MessagePackValue(decoding: [0x01, 0x02, 0x03], options: .tolerant) == 1)
    }

    @Test func float32ArraysHaveAFastPathWithTheSameBytes() throws {
        let values: [Float] = (0..<40).map { Float($0) * 0.37 - 5 }
        let fast = try encoded { try $0.writeFloat32Array(values) }
        let generic = try MessagePackValue.array(values.map(MessagePackValue.float32)).encoded()
        #expect(fast == generic)
        let matrix = try encoded { try $0.writeFloat32Arrays([values, [], [1]]) }
        var reader = MessagePackReader(matrix)
        #expect(try reader.readArray { try $0.readFloat32Array() } == [values, [], [1]])
    }

    @Test func theHeaderCanBePeekedWithoutConsumingIt() throws {
        var reader = MessagePackReader([0x92, 0xc0, 0x01])
        #expect(try reader.peekHeader() == .array(count: 2))
        #expect(try reader.readArrayHeader() == 2)
        let first = reader.readNilIfPresent()
        let second = reader.readNilIfPresent()
        #expect(first && !second)
        #expect(try reader.readUnsigned() == 1)
    }
}
