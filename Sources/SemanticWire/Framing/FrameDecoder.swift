// FrameDecoder: turns a byte stream, in chunks of any size, into frame bodies. A pure value with no
// I/O, so a NIO ByteToMessageDecoder, a blocking client or a test can all drive it. It must never
// buffer bytes of a frame whose prefix exceeds the limit (the prefix is checked as soon as it is
// complete), never let chunk boundaries change what it returns, and never recover after a bad
// prefix: the frames before it are still handed out, then the framing is lost for good.

/// Incremental frame splitter: `append` bytes as they arrive, then call `nextFrame()` until nil.
public struct FrameDecoder: Sendable {
    public let maximumBodyLength: Int

    private var buffer: [UInt8] = []
    /// Where the next frame to hand out starts in `buffer`.
    private var readIndex = 0
    /// Where the first frame whose prefix has not been checked yet starts (may lie past the end
    /// of `buffer` while a body is still arriving).
    private var uncheckedIndex = 0
    /// Set once a prefix exceeded the limit; reported after the frames before it, then on every call.
    private var failure: WireError?

    public init(maximumBodyLength: Int = Frame.maximumBodyLength) {
        self.maximumBodyLength = maximumBodyLength
    }

    /// Bytes received but not yet returned as part of a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True once a frame prefix exceeded the limit; the stream must be closed after the frames
    /// still buffered before it.
    public var hasFailed: Bool { failure != nil }

    /// Adds received bytes and checks every frame prefix they complete. A prefix over the limit is
    /// dropped with everything after it, and later bytes are ignored; `nextFrame()` still returns
    /// the complete frames before it, then reports the error.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        guard failure == nil else { return }
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            uncheckedIndex -= readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
        while buffer.count - uncheckedIndex >= Frame.headerLength {
            let length = Frame.announcedLength(buffer[uncheckedIndex ..< uncheckedIndex + Frame.headerLength])
            guard length <= maximumBodyLength else {
                // Everything before `uncheckedIndex` is whole, checked frames: keep them.
                buffer.removeSubrange(uncheckedIndex...)
                failure = .frameTooLarge(length: length, limit: maximumBodyLength)
                return
            }
            uncheckedIndex += Frame.headerLength + length
        }
    }

    /// The next complete frame body (possibly empty), or nil when more bytes are needed.
    /// After a prefix over the limit: the frames before it, then `WireError.frameTooLarge` on every call.
    public mutating func nextFrame() throws -> [UInt8]? {
        guard case .complete(let bodyLength) = try Frame.inspect(buffer[readIndex...], limit: maximumBodyLength) else {
            if let failure { throw failure }
            return nil
        }
        let start = readIndex + Frame.headerLength
        let body = Array(buffer[start ..< start + bodyLength])
        readIndex = start + bodyLength
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            uncheckedIndex -= readIndex
            readIndex = 0
        }
        return body
    }
}
