// SemanticClient: what other programs link to embed and rerank: connect to semd, spawn it, retry,
// and fall back to in-process SemanticCore. The daemon path arrives with the client issue.
import SemanticCore
import SemanticWire

public enum SemanticClientInfo {
    public static let engineVersion = SemanticCoreInfo.version
    public static let protocolVersion = SemanticWireInfo.protocolVersion
}
