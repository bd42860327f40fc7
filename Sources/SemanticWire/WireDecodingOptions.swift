// WireDecodingOptions: the two choices a decoder of this protocol has to make about hostile or
// sloppy peers — trailing bytes inside a frame, and the nesting limit. A documented value, nothing more.

/// How strict decoding is.
public struct WireDecodingOptions: Sendable, Equatable {
    /// What to do with bytes left inside a frame after the message ends.
    public enum TrailingBytesPolicy: Sendable, Equatable {
        /// `WireError.trailingBytes` (the default; what cass protocol v2 does).
        case reject
        /// Ignore them, as the Rust v1 decoder (`rmp_serde::from_slice`) does.
        case ignore
    }

    public var trailingBytes: TrailingBytesPolicy
    /// Arrays and maps nested deeper than this are `WireError.depthExceeded`.
    public var maximumDepth: Int

    public init(trailingBytes: TrailingBytesPolicy = .reject,
                maximumDepth: Int = MessagePackReader.defaultMaximumDepth) {
        self.trailingBytes = trailingBytes
        self.maximumDepth = maximumDepth
    }

    /// Trailing bytes rejected, depth 64.
    public static let strict = WireDecodingOptions()
    /// Trailing bytes ignored like a Rust v1 peer, depth 64.
    public static let tolerant = WireDecodingOptions(trailingBytes: .ignore)
}
