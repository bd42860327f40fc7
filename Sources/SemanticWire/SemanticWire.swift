// SemanticWire: MessagePack and the cass semantic-daemon protocol v1 as pure values and bytes.
// It never opens a socket and knows nothing of the engine.

/// The protocol version this module speaks.
public enum SemanticWireInfo {
    public static let protocolVersion: UInt32 = 1
}
