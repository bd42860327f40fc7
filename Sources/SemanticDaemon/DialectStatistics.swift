// Requests answered per dialect and requests in flight, for `semctl status` (through the run lock's
// heartbeat) and the xf dialect's Status (`in_flight`). Counters only; never touches a connection.
import SemanticWire
import Synchronization

public final class DialectStatistics: Sendable {
    private let cass = Atomic<UInt64>(0)
    private let xf = Atomic<UInt64>(0)
    private let running = Atomic<Int>(0)

    public init() {}

    /// One decoded request of `dialect` (undecodable frames are not requests).
    public func recordRequest(_ dialect: WireDialect) {
        switch dialect {
        case .cass: cass.wrappingAdd(1, ordering: .relaxed)
        case .xf: xf.wrappingAdd(1, ordering: .relaxed)
        }
    }

    /// Requests of `dialect` answered so far.
    public func requests(_ dialect: WireDialect) -> UInt64 {
        switch dialect {
        case .cass: return cass.load(ordering: .relaxed)
        case .xf: return xf.load(ordering: .relaxed)
        }
    }

    /// Frames being answered right now, on every socket and in both dialects.
    public var inFlight: Int { running.load(ordering: .relaxed) }

    /// Runs `body` counted as in flight.
    func whileInFlight<Result>(_ body: () async -> Result) async -> Result {
        running.wrappingAdd(1, ordering: .relaxed)
        defer { running.wrappingSubtract(1, ordering: .relaxed) }
        return await body()
    }
}
