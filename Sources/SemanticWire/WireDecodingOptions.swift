// WireDecodingOptions: the choices a decoder of this protocol has to make about hostile or sloppy
// peers — trailing bytes inside a frame, map keys a struct does not have, the nesting limit, and how
// many elements one array may hold. A documented value, nothing more.

/// How strict decoding is.
public struct WireDecodingOptions: Sendable, Equatable {
    /// What to do with bytes left inside a frame after the message ends.
    public enum TrailingBytesPolicy: Sendable, Equatable {
        /// `WireError.trailingBytes` (the default; what cass protocol v2 does).
        case reject
        /// Ignore them, as the Rust v1 decoder (`rmp_serde::from_slice`) does.
        case ignore
    }

    /// What to do with a key of a map-form struct that the struct does not have.
    public enum UnknownFieldPolicy: Sendable, Equatable {
        /// Skip the key and its value (the default; what serde does without `deny_unknown_fields`, as in cass v1).
        case skip
        /// `WireError.unknownField` (serde's `deny_unknown_fields`, as in cass protocol v2).
        case reject
    }

    public var trailingBytes: TrailingBytesPolicy
    public var unknownFields: UnknownFieldPolicy
    /// Arrays and maps nested deeper than this are `WireError.depthExceeded`.
    public var maximumDepth: Int
    /// Arrays and maps announcing more elements than this are `WireError.tooManyElements`
    /// (1,048,576 by default: 4,096 texts per request and 5,450 MiniLM vectors per 10 MiB response are far below).
    public var maximumArrayLength: Int

    public init(trailingBytes: TrailingBytesPolicy = .reject,
                maximumDepth: Int = MessagePackReader.defaultMaximumDepth,
                maximumArrayLength: Int = MessagePackReader.defaultMaximumArrayLength,
                unknownFields: UnknownFieldPolicy = .skip) {
        self.trailingBytes = trailingBytes
        self.unknownFields = unknownFields
        self.maximumDepth = maximumDepth
        self.maximumArrayLength = maximumArrayLength
    }

    /// Trailing bytes rejected, unknown map keys skipped, depth 64, 1,048,576 elements per array.
    public static let strict = WireDecodingOptions()
    /// Trailing bytes ignored like a Rust v1 peer, unknown map keys skipped, depth 64, 1,048,576 elements per array.
    public static let tolerant = WireDecodingOptions(trailingBytes: .ignore)
}
