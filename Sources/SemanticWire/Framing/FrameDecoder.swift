// FrameDecoder: turns a byte stream, in chunks of any size, into frame bodies. A pure value with no
// I/O, so a NIO ByteToMessageDecoder, a blocking client or a test can all drive it. It must never
// keep buffering toward a frame whose prefix exceeds the limit (the prefix is checked as soon as it
// is complete, so at most the chunk that carried it is held), and never recover after that: once
// the framing is lost, the stream is unusable.

/// Incremental frame splitter: `append` bytes as they arrive, then call `nextFrame()` until nil.
public struct FrameDecoder: Sendable {
    public let maximumBodyLength: Int

    private var buffer: [UInt8] = []
    /// Where the next frame to hand out starts in `buffer`.
    private var readIndex = 0
    /// Where the first frame whose prefix has not been checked yet starts (may lie past the end
    /// of `buffer` while a body is still arriving).
    private var uncheckedIndex = 0
    /// Set once a prefix exceeded the limit; every later call reports it again.
    private var failure: WireError?

    public init(maximumBodyLength: Int = Frame.maximumBodyLength) {
        self.maximumBodyLength = maximumBodyLength
    }

    /// Bytes received but not yet returned as part of a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True once a frame prefix exceeded the limit; the stream must then be closed.
    public var hasFailed: Bool { failure != nil }

    /// Adds received bytes and checks every frame prefix they complete. After a prefix over the
    /// limit, the buffer is dropped and later bytes are ignored; `nextFrame()` reports the error.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        guard failure == nil else { return }
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            uncheckedIndex -= readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
        while buffer.count - uncheckedIndex >= Frame.headerLength {
            do {
                let length = try Frame.bodyLength(
                    header: buffer[uncheckedIndex ..< uncheckedIndex + Frame.headerLength], limit: maximumBodyLength)
                uncheckedIndex += Frame.headerLength + length
            } catch let error as WireError {
                fail(error)
                return
            } catch {
                preconditionFailure("Frame.bodyLength throws only WireError")
            }
        }
    }

    /// The next complete frame body (possibly empty), or nil when more bytes are needed.
    /// Throws `WireError.frameTooLarge` once a prefix was over the limit, on this and every later call.
    public mutating func nextFrame() throws -> [UInt8]? {
        if let failure { throw failure }
        guard case .complete(let bodyLength) = try Frame.inspect(buffer[readIndex...], limit: maximumBodyLength) else {
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

    private mutating func fail(_ error: WireError) {
        failure = error
        buffer = []
        readIndex = 0
        uncheckedIndex = 0
    }
}
