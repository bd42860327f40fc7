// OpenBLAS (pthread build) starts its worker threads when the library loads, before main, and each
// spins (sched_yield) for about 0.1 s waiting for work. semctl's usual path never runs BLAS (the
// daemon answers), so those threads only steal CPU from the daemon that is computing the answer.
// semctl stops them first thing; OpenBLAS starts them again by itself on the first parallel BLAS call
// (it does the same after fork), so in-process inference is unaffected. Looked up at run time:
// another BLAS, or an OpenBLAS without the symbol, is simply left alone.
#if canImport(Glibc)
import Glibc

enum BLASThreadPool {
    typealias Shutdown = @convention(c) () -> Int32

    /// Stops OpenBLAS's idle worker threads, if this process has any.
    static func stopIdleWorkers() {
        guard let handle = dlopen(nil, RTLD_NOW | RTLD_NOLOAD),
              let symbol = dlsym(handle, "blas_thread_shutdown_") else { return }
        _ = unsafeBitCast(symbol, to: Shutdown.self)()
    }
}
#else
enum BLASThreadPool {
    static func stopIdleWorkers() {}
}
#endif
