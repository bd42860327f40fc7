// The NIO side of framing: turns a connection's byte stream into frame bodies using SemanticWire's
// length rules (4-byte big-endian prefix, 10 MiB limit checked before the body is buffered). A frame
// that announces too many bytes is reported once and everything after it is discarded, because the
// stream cannot be resynchronised.
import NIOCore
import SemanticWire

/// What the decoder hands the connection.
enum InboundFrame: Sendable {
    /// A whole frame body (possibly empty).
    case body(ByteBuffer)
    /// A length prefix larger than the limit; the connection must be closed.
    case tooLarge(length: Int)
}

struct FrameChannelDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundFrame

    let maximumBodyLength: Int
    private var discarding = false

    init(maximumBodyLength: Int = Frame.maximumBodyLength) {
        self.maximumBodyLength = maximumBodyLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        guard let announced = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return .needMoreData
        }
        let length: Int
        do {
            length = try Frame.bodyLength(announced: announced, limit: maximumBodyLength)
        } catch {
            discarding = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(wrapInboundOut(.tooLarge(length: Int(announced))))
            return .needMoreData
        }
        guard buffer.readableBytes >= Frame.headerLength + length else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: Frame.headerLength)
        let body = buffer.readSlice(length: length)!
        context.fireChannelRead(wrapInboundOut(.body(body)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial frame at EOF is dropped: the peer went away mid-frame.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
