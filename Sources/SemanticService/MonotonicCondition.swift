// A mutex with a condition variable whose timed waits run on the monotonic clock: a wall-clock step
// (NTP, someone setting the date) neither lengthens nor shortens them, as it would NSCondition's
// `wait(until: Date)`. The inference scheduler's short waits (a batch held open, a paused job) use it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class MonotonicCondition: @unchecked Sendable {
    // Heap-allocated: pthread objects must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        #if canImport(Glibc)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        #else
        pthread_cond_init(condition, nil)  // timed waits below are relative
        #endif
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits (lock held) until woken; may wake spuriously, so callers wait in a loop.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits (lock held) until woken or `timeout` has passed on the monotonic clock; false when it
    /// timed out. May wake spuriously.
    @discardableResult
    func wait(for timeout: Duration) -> Bool {
        guard timeout > .zero else { return false }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        #if canImport(Glibc)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let total = Int64(now.tv_nsec) + nanoseconds % 1_000_000_000
        var deadline = timespec(tv_sec: now.tv_sec + Int(nanoseconds / 1_000_000_000 + total / 1_000_000_000),
                                tv_nsec: Int(total % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
        #else
        var relative = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        return pthread_cond_timedwait_relative_np(condition, mutex, &relative) != ETIMEDOUT
        #endif
    }
}
