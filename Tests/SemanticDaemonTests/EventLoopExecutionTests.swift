// Where connection tasks run: on their channel's event loop, leaving it for blocking work; and the
// request timeout that answers at its deadline while the work it gave up on runs to its end.
import Foundation
import NIOCore
import NIOPosix
import SemanticTestSupport
import Synchronization
import Testing
@testable import SemanticDaemon
import SemanticService

@Suite struct EventLoopExecutionTests {
    @Test func aTaskPreferringTheExecutorRunsOnTheEventLoopAndOffEventLoopLeavesIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let (onLoop, offLoop, backOnLoop) = await Task(executorPreference: executor) { () -> (Bool, Bool, Bool) in
            let first = loop.inEventLoop
            let away = await onSharedPool { () async -> Bool in
                await Task.yield()
                return loop.inEventLoop
            }
            // and after an await that resumes from another thread, the task is back on the loop (the
            // sleep is that await, the thing under test, not a synchronisation: a timer resumes it)
            try? await Task.sleep(for: .milliseconds(5))
            return (first, away, loop.inEventLoop)
        }.value
        #expect(onLoop)
        #expect(!offLoop)
        #expect(backOnLoop)
        try await group.shutdownGracefully()
    }

    /// (The work runs on the event loop, and the timeout is an hour: the suite's synchronous engine
    /// tests can hold the concurrency pool for minutes, which once let a 60 s timeout win.)
    @Test func firstOfReturnsTheWorksValueWhenItFinishesInTime() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let value = await firstOf({ 42 }, timeout: .seconds(3600), eventLoop: loop, executor: EventLoopTaskExecutor(loop))
        #expect(value == 42)
        try await group.shutdownGracefully()
    }

    /// The timeout answers at its deadline, not when the work ends; the work still runs to its end.
    /// (The work waits without holding a thread: the suite's engine tests can hold the concurrency
    /// pool for minutes, and the timer fires on the event loop regardless.)
    @Test func firstOfAnswersAtTheDeadlineAndTheWorkRunsOn() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let release = AsyncGate()
        let finished = Mutex(false)
        // were the timeout to wait for the work, this releases it so the test fails instead of hanging
        DispatchQueue.global().asyncAfter(deadline: .now() + 600) { release.open() }
        let value = await firstOf({ () -> Int in
            await release.wait()
            finished.withLock { $0 = true }
            return 1
        }, timeout: .milliseconds(50), eventLoop: group.next(), executor: nil)
        #expect(value == nil)
        #expect(!finished.withLock { $0 })
        release.open()
        try await eventually { finished.withLock { $0 } }
        try await group.shutdownGracefully()
    }
}

/// A one-shot gate tasks wait on without holding a thread.
final class AsyncGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
