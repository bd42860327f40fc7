// MessagePackValue: any MessagePack value as a Swift tree, for generic decoding, tests, tools and
// dialects without typed messages. The typed protocol messages never go through it on the hot path.
// It must never hold an extension value: the protocol has none and the reader rejects them.

/// One MessagePack value.
///
/// Integers keep the signedness of their marker (`uint` for 0x00–0x7f and 0xcc–0xcf, `int` for the
/// rest); equality compares integers by value, so `.int(5) == .uint(5)`. Floats compare by bit
/// pattern, so NaN equals itself and `-0.0` differs from `0.0`. Maps keep their entries in order.
public enum MessagePackValue: Sendable, CustomStringConvertible {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float32(Float)
    case float64(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePackValue])
    case map([(key: MessagePackValue, value: MessagePackValue)])

    /// The value of `key` in a map whose keys are strings; nil for other values or absent keys.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first(where: { $0.key == .string(key) })?.value
    }

    /// The element at `index` of an array; nil for other values or out-of-range indices.
    public subscript(index: Int) -> MessagePackValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var description: String {
        switch self {
        case .nil: return "nil"
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .uint(let value): return String(value)
        case .float32(let value): return "\(value)f32"
        case .float64(let value): return "\(value)f64"
        case .string(let value): return "\"\(value)\""
        case .binary(let bytes): return "bin(\(bytes.count) bytes)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        }
    }
}

extension MessagePackValue: Equatable {
    public static func == (lhs: MessagePackValue, rhs: MessagePackValue) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.float32(let a), .float32(let b)): return a.bitPattern == b.bitPattern
        case (.float64(let a), .float64(let b)): return a.bitPattern == b.bitPattern
        case (.string(let a), .string(let b)): return a == b
        case (.binary(let a), .binary(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

extension MessagePackValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = value < 0 ? .int(value) : .uint(UInt64(value)) }
    public init(floatLiteral value: Double) { self = .float64(value) }
    public init(arrayLiteral elements: MessagePackValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (MessagePackValue, MessagePackValue)...) {
        self = .map(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension MessagePackValue {
    /// Decodes exactly one value from `bytes`; trailing bytes are an error unless `options` allow them.
    public init(decoding bytes: ArraySlice<UInt8>, options: WireDecodingOptions = .strict) throws {
        var reader = MessagePackReader(bytes, maximumDepth: options.maximumDepth, maximumArrayLength: options.maximumArrayLength)
        self = try reader.readValue()
        try reader.finish(options)
    }

    public init(decoding bytes: [UInt8], options: WireDecodingOptions = .strict) throws {
        try self.init(decoding: bytes[...], options: options)
    }

    /// The canonical encoding: shortest integer, string, binary, array and map forms.
    public func encoded() throws -> [UInt8] {
        var writer = MessagePackWriter()
        try writer.write(self)
        return writer.bytes
    }
}
