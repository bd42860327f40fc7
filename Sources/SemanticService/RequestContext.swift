// What every service call carries besides its inputs: which door it came through, how urgent it is,
// its deadline, and whether it may run on the caller's own thread. The doors (cass, xf, HTTP, jobs)
// decide these from what they know — the service never asks where a request came from to schedule it.
// Pure values.

/// The protocol (or internal caller) a request came through. An open set: a new door declares its own
/// (`Door("cass-v2")`) without touching the service.
public struct Door: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }

    /// The cass semantic-daemon protocol v1 on the Unix socket.
    public static let cass = Door("cass")
    /// The xf daemon dialect.
    public static let xf = Door("xf")
    /// The HTTP listener (OpenAI, TEI and Cohere shapes).
    public static let http = Door("http")
    /// The daemon's own background embedding jobs.
    public static let job = Door("job")
}

/// How urgently a request is served.
public enum SchedulerPriority: Sendable {
    /// Client requests: the interactive lane, all engine threads.
    case interactive
    /// Background jobs: the background lane (lowest CPU priority), in token-bounded slices.
    case background
}

public struct RequestContext: Sendable {
    public var door: Door
    public var priority: SchedulerPriority
    /// When the caller stops waiting. Work not yet started by then is not started (`deadlineExceeded`);
    /// a batch already running finishes unobserved.
    public var deadline: ContinuousClock.Instant?
    /// The caller knows no other client is active: a small interactive request may then run on the
    /// caller's own thread when the inference lane is idle, crossing no thread (see
    /// `InferenceScheduler.submit(mayRunInline:)`).
    public var mayRunInline: Bool
    /// Refuse (invalid input) a request whose texts come to more tokens than this after truncation.
    public var maxTokens: Int?

    public init(door: Door, priority: SchedulerPriority = .interactive, deadline: ContinuousClock.Instant? = nil,
                mayRunInline: Bool = false, maxTokens: Int? = nil) {
        self.door = door
        self.priority = priority
        self.deadline = deadline
        self.mayRunInline = mayRunInline
        self.maxTokens = maxTokens
    }

    /// Throws `deadlineExceeded` when the deadline has passed.
    func checkDeadline() throws(ServiceError) {
        if let deadline, ContinuousClock.now >= deadline { throw .deadlineExceeded }
    }
}
