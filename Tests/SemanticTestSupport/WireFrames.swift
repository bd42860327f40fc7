// Wire frame goldens: Tests/Fixtures/wire/*.json loaded as bytes plus the decoded value as a small
// JSON tree. Only loads; it never interprets MessagePack (that is what the tests check).
import Foundation

/// A JSON value that keeps integers, floats, booleans and null apart.
public indirect enum JSONValue: Equatable, Sendable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsignedInteger(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(UInt64.self) { self = .unsignedInteger(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// Numbers compare by value across the integer and float cases (`1` matches `1.0`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default:
            guard let a = lhs.numericValue, let b = rhs.numericValue else { return false }
            return a == b
        }
    }

    private var numericValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .unsignedInteger(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .integer(let value): return String(value)
        case .unsignedInteger(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\"\($0)\": \(members[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One golden frame: the whole frame's bytes (length prefix included) and its decoded value.
public struct WireFrame: Sendable, CustomStringConvertible {
    public let name: String
    /// `request` or `response`.
    public let kind: String
    public let note: String
    public let bytes: [UInt8]
    public let value: JSONValue
    /// xf frames: the envelope's id, and the nested payload's bytes (`value` describes the payload).
    public let envelopeID: UInt64?
    public let payload: [UInt8]?

    /// The frame without its 4-byte length prefix.
    public var body: [UInt8] { Array(bytes.dropFirst(4)) }

    public var description: String { name }
}

public enum WireFrames {
    private struct File: Decodable {
        struct Entry: Decodable {
            let name: String
            let kind: String
            let note: String?
            let hex: String
            let value: JSONValue
            let envelope_id: UInt64?
            let payload_hex: String?
        }
        let frames: [Entry]
    }

    /// The frames of `Tests/Fixtures/wire/<file>`, e.g. `load("frames.json")`.
    public static func load(_ file: String) throws -> [WireFrame] {
        let data = try Fixtures.data("wire/" + file)
        return try JSONDecoder().decode(File.self, from: data).frames.map { entry in
            guard let bytes = bytes(fromHex: entry.hex) else {
                throw FixtureError.malformed("\(file): frame \(entry.name) has invalid hex")
            }
            let payload = try entry.payload_hex.map { hex -> [UInt8] in
                guard let payload = self.bytes(fromHex: hex) else {
                    throw FixtureError.malformed("\(file): frame \(entry.name) has an invalid payload_hex")
                }
                return payload
            }
            return WireFrame(name: entry.name, kind: entry.kind, note: entry.note ?? "", bytes: bytes, value: entry.value,
                             envelopeID: entry.envelope_id, payload: payload)
        }
    }

    /// `"00ff"` → `[0x00, 0xff]`; whitespace is ignored; nil for anything else that is not hex.
    public static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index]) + String(digits[index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
