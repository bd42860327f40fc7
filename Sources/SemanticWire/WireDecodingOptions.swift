// WireDecodingOptions: the choices a decoder of this protocol has to make about hostile or sloppy
// peers — trailing bytes inside a frame, unknown fields in map-form structs, the nesting limit, and
// how many elements one array may hold. A documented value, nothing more.

/// How strict decoding is.
public struct WireDecodingOptions: Sendable, Equatable {
    /// What to do with bytes left inside a frame after the message ends.
    public enum TrailingBytesPolicy: Sendable, Equatable {
        /// `WireError.trailingBytes` (the default; what cass protocol v2 does).
        case reject
        /// Ignore them, as the Rust v1 decoder (`rmp_serde::from_slice`) does.
        case ignore
    }

    /// What to do with a map-form struct's key that names no field of the struct.
    public enum UnknownFieldPolicy: Sendable, Equatable {
        /// Skip the key and its value, as a serde struct without `deny_unknown_fields` does (cass v1).
        case skip
        /// `WireError.unknownField`, as serde's `deny_unknown_fields` does (cass protocol v2).
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
                unknownFields: UnknownFieldPolicy = .skip,
                maximumDepth: Int = MessagePackReader.defaultMaximumDepth,
                maximumArrayLength: Int = MessagePackReader.defaultMaximumArrayLength) {
        self.trailingBytes = trailingBytes
        self.unknownFields = unknownFields
        self.maximumDepth = maximumDepth
        self.maximumArrayLength = maximumArrayLength
    }

    /// Trailing bytes rejected, unknown fields skipped, depth 64, 1,048,576 elements per array.
    public static let strict = WireDecodingOptions()
    /// Trailing bytes ignored like a Rust v1 peer, depth 64, 1,048,576 elements per array.
    public static let tolerant = WireDecodingOptions(trailingBytes: .ignore)
    /// cass protocol v2 (spec §2.1): trailing bytes and unknown fields rejected, depth 64,
    /// 1,048,576 elements per array.
    public static let cassV2 = WireDecodingOptions(trailingBytes: .reject, unknownFields: .reject)
}
