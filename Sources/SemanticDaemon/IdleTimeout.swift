// When an idle daemon stops: after `limit` without a decoded request and with no connection open.
// Measured on a monotonic clock only (the daemon passes ContinuousClock, CLOCK_BOOTTIME on Linux), so
// setting the wall clock, NTP steps and time-zone changes neither stop a busy daemon early (a jump
// forward) nor keep an idle one alive (a jump back). Generic over the clock so tests can drive it.
public struct IdleTimeout<C: Clock>: Sendable where C.Duration == Duration {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    /// Whether the daemon has been idle for `limit` at `now`, the last request having been decoded at
    /// `lastActivity` (both instants of the same monotonic clock).
    public func hasExpired(now: C.Instant, lastActivity: C.Instant, openConnections: Int) -> Bool {
        openConnections == 0 && lastActivity.duration(to: now) >= limit
    }
}
