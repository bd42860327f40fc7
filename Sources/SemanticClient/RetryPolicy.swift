// When and how long a client waits before trying a daemon request again: exponential backoff with
// jitter, or the daemon's own `retry_after_ms`, capped (the cass client's defaults: 2 attempts, 200 ms
// base, 5 s cap, ±20 % jitter). Pure arithmetic; the random source is injectable for tests.
import Foundation

public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (at least 1).
    public var maxAttempts: Int = 2
    /// The wait after the first failure; it doubles with each further failure.
    public var baseDelay: Duration = .milliseconds(200)
    /// No wait is longer than this, whatever the daemon asks.
    public var maxDelay: Duration = .seconds(5)
    /// The computed wait is multiplied by `1 + (2u - 1) × jitter`, u uniform in [0, 1).
    public var jitter: Double = 0.2

    public init(maxAttempts: Int = 2, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5),
                jitter: Double = 0.2) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.milliseconds(1), baseDelay)
        self.maxDelay = max(.milliseconds(1), maxDelay)
        self.jitter = min(1, max(0, jitter))
    }

    /// No retries at all.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The wait before the attempt that follows consecutive failure number `failure` (1-based).
    /// A daemon-supplied `retryAfter` is honoured as given (capped), without jitter.
    public func delay(afterFailure failure: Int, retryAfter: Duration? = nil,
                      random: () -> Double = { Double.random(in: 0..<1) }) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let exponent = min(max(failure, 1) - 1, 30)
        let base = Double(milliseconds(baseDelay)) * pow(2, Double(exponent))
        let capped = min(base, Double(milliseconds(maxDelay)))
        let jittered = (capped * (1 + (2 * random() - 1) * jitter)).rounded()
        return .milliseconds(Int64(max(1, jittered)))
    }

    /// The defaults, overridden by `SEMD_RETRY_MAX` (≥ 1), `SEMD_BACKOFF_BASE_MS` (≥ 1),
    /// `SEMD_BACKOFF_MAX_MS` (≥ 1) and `SEMD_JITTER_PCT` (a fraction, clamped to 0…1).
    public static func resolve(environment: [String: String]) throws(ClientConfigurationError) -> RetryPolicy {
        func integer(_ name: String) throws(ClientConfigurationError) -> Int64? {
            guard let raw = environment[name], !raw.isEmpty else { return nil }
            guard let value = Int64(raw.trimmingCharacters(in: .whitespaces)) else {
                throw .invalid(name: name, value: raw, expected: "a whole number")
            }
            return max(1, value)
        }
        var policy = RetryPolicy()
        if let value = try integer("SEMD_RETRY_MAX") { policy.maxAttempts = Int(clamping: value) }
        if let value = try integer("SEMD_BACKOFF_BASE_MS") { policy.baseDelay = .milliseconds(value) }
        if let value = try integer("SEMD_BACKOFF_MAX_MS") { policy.maxDelay = .milliseconds(value) }
        if let raw = environment["SEMD_JITTER_PCT"], !raw.isEmpty {
            guard let value = Double(raw.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw .invalid(name: "SEMD_JITTER_PCT", value: raw, expected: "a fraction such as 0.2")
            }
            policy.jitter = min(1, max(0, value))
        }
        return policy
    }
}

func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}
