// Generations are never reused under contention: many threads, each with its own open file
// description (flock is per description), allocate at once; and a call waits for a lock held by
// another process (flock(1)), then reads what that process appended while it held the lock.
// Synchronisation waits on conditions (semaphores, /proc/locks), never on sleeps.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticAttestation
#if canImport(Glibc)
import Glibc
#endif

@Suite struct GenerationConcurrencyTests {
    /// Collects results from many threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var generations: [UInt64] = []
        private(set) var keyIdentifiers: Set<String> = []
        private(set) var failures: [String] = []

        func record(_ outcome: Result<AttestationState, AttestationStateError>) {
            lock.lock()
            defer { lock.unlock() }
            switch outcome {
            case .success(let state):
                generations.append(state.generation)
                keyIdentifiers.insert(state.keyID)
            case .failure(let error):
                failures.append(error.description)
            }
        }
    }

    @Test func concurrentThreadsNeverShareAGeneration() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        let threadCount = 8
        let callsPerThread = 6
        let results = Results()
        let start = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        let dataDirectory = scratch.dataDirectory
        for _ in 0..<threadCount {
            finished.enter()
            let thread = Thread {
                start.wait()
                for _ in 0..<callsPerThread {
                    results.record(Result { () throws(AttestationStateError) in
                        try AttestationState.open(dataDirectory: dataDirectory)
                    })
                }
                finished.leave()
            }
            thread.start()
        }
        // Release every thread at once, so the first calls race to create the directory and the key.
        for _ in 0..<threadCount { start.signal() }
        #expect(finished.wait(timeout: .now() + 120) == .success)

        #expect(results.failures.isEmpty, "\(results.failures)")
        let total = threadCount * callsPerThread
        #expect(results.generations.sorted() == (1...UInt64(total)).map { $0 })
        #expect(results.keyIdentifiers.count == 1, "every caller sees the one key")
        let logLines = String(decoding: scratch.contents(of: scratch.logPath) ?? [], as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(logLines == (1...total).map(String.init))
    }

    @Test func aCallWaitsForAnotherProcessHoldingTheLock() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        try scratch.write(Array("40\n".utf8), to: scratch.logPath)
        var status = stat()
        #expect(stat(scratch.logPath, &status) == 0)
        let inode = UInt64(status.st_ino)

        // Another process takes the exclusive flock, says so, waits for a line on stdin, then appends
        // generation 41 (as another daemon would) and exits, releasing the lock.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-x", scratch.logPath, "/bin/sh", "-c",
                            "echo locked; read line; printf '41\\n' >> \"$0\"", scratch.logPath]
        let input = Pipe()
        let output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        let announcement = output.fileHandleForReading.readData(ofLength: 7)
        #expect(String(decoding: announcement, as: UTF8.self) == "locked\n")

        let results = Results()
        let returned = DispatchSemaphore(value: 0)
        let dataDirectory = scratch.dataDirectory
        let caller = Thread {
            results.record(Result { () throws(AttestationStateError) in
                try AttestationState.open(dataDirectory: dataDirectory)
            })
            returned.signal()
        }
        caller.start()

        // The kernel lists our call as a blocked waiter on the log's inode while the other process holds it.
        let blocked = (try? Poll.blockUntil("a blocked flock waiter", within: .seconds(30)) {
            Self.hasBlockedFlockWaiter(inode: inode)
        }) != nil
        #expect(blocked, "the call should be waiting for the other process's lock")
        #expect(returned.wait(timeout: .now()) == .timedOut, "the call must not finish while the lock is held")

        input.fileHandleForWriting.write(Data("go\n".utf8))
        #expect(returned.wait(timeout: .now() + 30) == .success)
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 0)
        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(results.generations == [42])
        #expect(scratch.contents(of: scratch.logPath) == Array("40\n41\n42\n".utf8))
    }

    /// `/proc/locks` marks a request blocked behind another with `->`; the file field is MAJ:MIN:INODE.
    private static func hasBlockedFlockWaiter(inode: UInt64) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return false }
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.contains("->") && fields.contains("FLOCK")
                && fields.contains { $0.hasSuffix(":\(inode)") }
        }
    }
}
