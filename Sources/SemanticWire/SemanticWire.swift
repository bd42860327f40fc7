// SemanticWire: MessagePack and the cass semantic-daemon protocol (v1 and v2) as pure values and bytes.
// Layers, bottom up: MessagePack/ (value, writer, reader), Framing/ (length prefix, FrameDecoder),
// Protocol/ (Request, Response, payloads, Envelope), CassV2/ (protocol v2's contract values, messages
// and strict decoder), and XF/ with WireDialect and FrameDialect for telling the dialects apart.
// It never opens a socket, never logs, and knows nothing of the engine. Docs/PROTOCOL.md describes the bytes.

/// The cass protocol version of `Envelope` (v1); cass v2's is `CassV2.protocolVersion`.
public enum SemanticWireInfo {
    public static let protocolVersion: UInt32 = 1
}
