// WireError: every way bytes can fail to become a frame, a MessagePack value or a protocol message.
// Each case says where (a byte offset or a field path such as `request.payload.Embed.texts[1]`) and
// what was expected. It must never carry the offending bytes themselves: messages stay one line long.

/// An error from the wire layer: framing, MessagePack, or the shape of a protocol message.
///
/// Field paths are filled in from the inside out as the error travels up through the decoders, so
/// the message names the exact field that was wrong: `request.payload.Embed.dims: expected a
/// non-negative integer, found string`.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended early: at least `needed` more bytes were required at byte offset `at`.
    case truncated(needed: Int, at: Int)
    /// A frame's length prefix announces more than the limit allows (checked before any allocation).
    case frameTooLarge(length: Int, limit: Int)
    /// Arrays and maps are nested more deeply than `limit`.
    case depthExceeded(limit: Int, at: Int)
    /// A string (or a bin used as a string) is not valid UTF-8.
    case invalidUTF8(field: String)
    /// A value of the wrong MessagePack type, e.g. a string where an integer belongs.
    case unexpectedType(field: String, expected: String, found: String)
    /// An integer that does not fit the field, e.g. a negative value for an unsigned field.
    case integerOutOfRange(field: String, expected: String, value: String)
    /// A struct in array form with the wrong number of elements.
    case wrongArrayLength(field: String, type: String, expected: Int, found: Int)
    /// An enum variant name or index that the type does not have (names are case-sensitive).
    case unknownVariant(field: String, type: String, name: String)
    /// A struct in map form that lacks a field which is not optional.
    case missingField(field: String)
    /// A struct in map form that names the same field twice.
    case duplicateField(field: String)
    /// A struct in map form with a key it does not have, when the decoder refuses those
    /// (`WireDecodingOptions.unknownFields` is `.reject`); `field` is the struct's path.
    case unknownField(field: String, type: String, name: String)
    /// The reserved marker byte 0xc1, which MessagePack never uses.
    case reservedMarker(at: Int)
    /// A MessagePack extension value; the protocol has none, so every ext is rejected.
    case extUnsupported(type: Int8, at: Int)
    /// Bytes left inside a frame after the message ended (rejected unless the options allow them).
    case trailingBytes(count: Int)
    /// A string, byte string or collection too long for MessagePack's 32-bit lengths (encoding only).
    case lengthTooLarge(count: Int)
    /// An array or map announcing more elements than one may hold when decoded
    /// (`WireDecodingOptions.maximumArrayLength`), checked before anything is reserved: an element can be
    /// one byte on the wire but 16–72 bytes decoded, so the byte count alone does not bound memory.
    case tooManyElements(field: String, count: Int, limit: Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let at):
            return "truncated input: at least \(needed) more byte(s) needed at offset \(at)"
        case .frameTooLarge(let length, let limit):
            return "frame too large: length \(length) exceeds the limit of \(limit) bytes"
        case .depthExceeded(let limit, let at):
            return "nesting deeper than \(limit) arrays/maps at offset \(at)"
        case .invalidUTF8(let field):
            return "\(Self.name(field)): string is not valid UTF-8"
        case .unexpectedType(let field, let expected, let found):
            return "\(Self.name(field)): expected \(expected), found \(found)"
        case .integerOutOfRange(let field, let expected, let value):
            return "\(Self.name(field)): integer \(value) does not fit \(expected)"
        case .wrongArrayLength(let field, let type, let expected, let found):
            return "\(Self.name(field)): \(type) as an array needs exactly \(expected) element(s), found \(found)"
        case .unknownVariant(let field, let type, let name):
            return "\(Self.name(field)): unknown \(type) variant \(name)"
        case .missingField(let field):
            return "\(Self.name(field)): missing field"
        case .duplicateField(let field):
            return "\(Self.name(field)): duplicate field"
        case .unknownField(let field, let type, let name):
            return "\(Self.name(field)): unknown \(type) field \(name)"
        case .reservedMarker(let at):
            return "reserved MessagePack marker 0xc1 at offset \(at)"
        case .extUnsupported(let type, let at):
            return "MessagePack extension type \(type) at offset \(at) is not part of the protocol"
        case .trailingBytes(let count):
            return "\(count) unexpected byte(s) after the end of the message"
        case .lengthTooLarge(let count):
            return "length \(count) does not fit MessagePack's 32-bit length fields"
        case .tooManyElements(let field, let count, let limit):
            return "\(Self.name(field)): \(count) elements, more than the \(limit) one array or map may hold"
        }
    }

    private static func name(_ field: String) -> String { field.isEmpty ? "value" : field }

    /// This error seen from one level further out: `segment` is a field name (`texts`) or an
    /// element index (`[3]`), prepended to the field path. Byte-level errors are returned unchanged.
    func inside(_ segment: String) -> WireError {
        func join(_ path: String) -> String {
            if path.isEmpty { return segment }
            return path.hasPrefix("[") ? segment + path : segment + "." + path
        }
        switch self {
        case .invalidUTF8(let field):
            return .invalidUTF8(field: join(field))
        case .unexpectedType(let field, let expected, let found):
            return .unexpectedType(field: join(field), expected: expected, found: found)
        case .integerOutOfRange(let field, let expected, let value):
            return .integerOutOfRange(field: join(field), expected: expected, value: value)
        case .wrongArrayLength(let field, let type, let expected, let found):
            return .wrongArrayLength(field: join(field), type: type, expected: expected, found: found)
        case .unknownVariant(let field, let type, let name):
            return .unknownVariant(field: join(field), type: type, name: name)
        case .missingField(let field):
            return .missingField(field: join(field))
        case .duplicateField(let field):
            return .duplicateField(field: join(field))
        case .unknownField(let field, let type, let name):
            return .unknownField(field: join(field), type: type, name: name)
        case .tooManyElements(let field, let count, let limit):
            return .tooManyElements(field: join(field), count: count, limit: limit)
        case .truncated, .frameTooLarge, .depthExceeded, .reservedMarker, .extUnsupported,
             .trailingBytes, .lengthTooLarge:
            return self
        }
    }
}

/// Runs `body`, prefixing the field path of any `WireError` it throws with `segment`.
@inline(__always)
func within<T>(_ segment: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WireError {
        throw error.inside(segment())
    }
}
