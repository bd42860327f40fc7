// Helper threads for the engine's fork-join sections (ParallelWork). A forward pass of a short text runs
// about sixty parallel sections of 10-100 µs each; waking a parked libdispatch worker for every one of
// them costs a good part of the section. These helpers spin on a generation counter for a short while
// after each section, so the next one finds them awake, and park on a semaphore when nothing comes.
// One section at a time: a caller that finds the pool busy (another engine call, or a section started
// from inside a section) runs its parts with DispatchQueue.concurrentPerform instead.
import Dispatch
import Foundation
import Synchronization

final class SpinningPool: @unchecked Sendable {
    /// One helper per core beyond the caller's.
    static let shared = SpinningPool(helpers: ProcessInfo.processInfo.activeProcessorCount - 1)

    /// Spins of a helper between sections before it parks (a few hundred microseconds).
    static let spinsBeforeParking = 200_000

    let helpers: Int
    private let busy = Atomic<Bool>(false)
    /// Bumped for every section posted; helpers watch it.
    private let generation = Atomic<Int>(0)
    /// `posted` while a section takes helpers, plus the number of helpers inside it.
    private let membership = Atomic<Int>(0)
    private static let posted = 1 << 32
    private let nextPart = Atomic<Int>(0)
    private let finishedParts = Atomic<Int>(0)
    /// Helpers that went (or are about to go) to sleep on `wake`.
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// Helpers that entered a section, over the pool's life (tests read it).
    let joins = Atomic<Int>(0)
    /// Helpers that went (or are about to go) to sleep, for tests that need the helpers parked: a
    /// test hook, since parking announces itself nowhere else. (A wake-up left over from a race can
    /// count one helper twice; a count of `helpers` or more means every helper has stopped spinning.)
    var sleepingHelpers: Int { sleepers.load(ordering: .sequentiallyConsistent) }
    // Written by the caller that holds `busy` before it posts, read by helpers after they join
    // (`parts` also by helpers deciding whether to join, hence atomic).
    private let parts = Atomic<Int>(0)
    private var section: ((Int) -> Void)?

    init(helpers: Int) {
        self.helpers = max(0, helpers)
        for index in 0..<self.helpers {
            let thread = Thread { [self] in helperLoop() }
            thread.name = "semantic-core helper \(index + 1)"
            thread.start()
        }
    }

    /// Runs body(part) for part in 0..<parts on the caller and the helpers; returns when all are done.
    /// Returns false, having run nothing, when the pool is busy or has no helpers.
    func run(parts count: Int, _ body: (Int) -> Void) -> Bool {
        guard helpers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        withoutActuallyEscaping(body) { body in
            parts.store(count, ordering: .relaxed)
            section = body
            nextPart.store(0, ordering: .relaxed)
            finishedParts.store(0, ordering: .relaxed)
            membership.store(Self.posted, ordering: .sequentiallyConsistent)
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            // wake no more helpers than the section has parts for; the others sleep on
            let sleeping = sleepers.exchange(0, ordering: .sequentiallyConsistent)
            let woken = min(sleeping, count - 1)
            for _ in 0..<woken { wake.signal() }
            if sleeping > woken { sleepers.wrappingAdd(sleeping - woken, ordering: .sequentiallyConsistent) }
            runParts()
            while finishedParts.load(ordering: .acquiring) < count {}
            // take the section back; wait for helpers still inside it to let go of `body`
            membership.wrappingSubtract(Self.posted, ordering: .acquiringAndReleasing)
            while membership.load(ordering: .acquiring) != 0 {}
            section = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs parts of the current section until none is left.
    @inline(never)
    private func runParts() {
        guard let body = section else { return }
        let count = parts.load(ordering: .relaxed)
        while true {
            let part = nextPart.wrappingAdd(1, ordering: .relaxed).oldValue
            if part >= count { break }
            body(part)
            finishedParts.wrappingAdd(1, ordering: .releasing)
        }
    }

    private func helperLoop() {
        var seen = generation.load(ordering: .acquiring)
        var spins = 0
        while true {
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins >= Self.spinsBeforeParking {
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    // A section posted after this check signals us. One posted in between may or may not
                    // have counted us: its signal, if any, is left over and only costs a later spin.
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    spins = 0
                }
            }
            seen = generation.load(ordering: .acquiring)
            if join() {
                runParts()
                membership.wrappingSubtract(1, ordering: .releasing)
                spins = 0  // spin a while: the next section usually follows at once
            } else {
                // not needed for this section (it has fewer parts than there are helpers): park
                // rather than spin, so an engine on 2 threads of a 16-core machine keeps 1 helper busy
                spins = Self.spinsBeforeParking
            }
        }
    }

    /// Enters the posted section, if there still is one and it has a part for one more helper.
    private func join() -> Bool {
        var current = membership.load(ordering: .acquiring)
        // `parts` was stored before the section was posted; should a newer section have replaced it
        // since, the exchange below fails and the loop reads again
        while current & Self.posted != 0 && current & (Self.posted - 1) < parts.load(ordering: .relaxed) - 1 {
            let (exchanged, original) = membership.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                joins.wrappingAdd(1, ordering: .relaxed)
                return true
            }
            current = original
        }
        return false
    }
}
