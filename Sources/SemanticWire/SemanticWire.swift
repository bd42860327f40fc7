// SemanticWire: MessagePack and the cass semantic-daemon protocol v1 as pure values and bytes.
// Layers, bottom up: MessagePack/ (value, writer, reader), Framing/ (length prefix, FrameDecoder),
// Protocol/ (Request, Response, payloads, Envelope), and XF/ with WireDialect for xf's daemon dialect.
// It never opens a socket, never logs, and knows nothing of the engine. Docs/PROTOCOL.md describes the bytes.

/// The protocol version this module speaks.
public enum SemanticWireInfo {
    public static let protocolVersion: UInt32 = 1
}
