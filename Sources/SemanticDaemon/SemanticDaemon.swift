// SemanticDaemon: the server where the engine and the wire meet (listener, connections, scheduler,
// resources, jobs). Filled by the daemon issue; today it only names its two halves.
import SemanticCore
import SemanticWire

public enum SemanticDaemonInfo {
    public static let engineVersion = SemanticCoreInfo.version
    public static let protocolVersion = SemanticWireInfo.protocolVersion
}
