// Connections over the limit, many of them: each still gets the defined Overloaded answer, the log
// gets a few lines however many there are (and every refusal is in their counts), a client that
// reconnects without backoff is refused about once per accept pause rather than as fast as it can
// loop, and a slot freed during a pause is taken by a waiting client at once.
import Foundation
import SemanticClient
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Synchronization
import Testing
@testable import SemanticDaemon

@Suite(.serialized) struct RefusalStormTests {
    /// Connects, reads the frame the daemon sends without writing anything, and closes; the answer's
    /// error code, or a description of what went wrong.
    static func refusalCode(at socket: String) -> String {
        do {
            let connection = try UnixSocketConnection.connect(to: socket, timeout: .seconds(60))
            defer { connection.close() }
            let deadline = ContinuousClock.now + .seconds(60)
            let header = try connection.receive(exactly: Frame.headerLength, deadline: deadline)
            let body = try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: deadline)
            guard case .error(let error) = try ResponseEnvelope.decode(from: body).response else { return "not an error answer" }
            return error.code == .overloaded && error.retryAfterMilliseconds == 100 ? "Overloaded" : "\(error)"
        } catch {
            return "\(error)"
        }
    }

    /// Runs `body(thread)` on `threads` threads of their own and waits for all of them.
    static func onThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for thread in 0..<threads {
                group.enter()
                Thread.detachNewThread {
                    body(thread)
                    group.leave()
                }
            }
            group.notify(queue: .global()) { continuation.resume() }
        }
    }

    @Test func twoHundredRefusedConnectionsWriteAFewLinesAndEveryOneIsCounted() async throws {
        let log = CapturedLog(echoing: nil)
        try await RunningDaemon.with(log: log, configure: {
            $0.maxConnections = 2
            $0.refusalPause = .milliseconds(1)
        }) { running in
            try await eventually { running.daemon.server.openConnections == 0 }
            let (first, second) = (try await running.connect(), try await running.connect())
            _ = try await first.send(.health)
            _ = try await second.send(.health)
            let linesBefore = log.all.count
            let socket = running.socket
            let answers = Mutex<[String: Int]>([:])
            let started = ContinuousClock.now
            await Self.onThreads(8) { _ in
                for _ in 0..<25 {
                    let code = Self.refusalCode(at: socket)
                    answers.withLock { $0[code, default: 0] += 1 }
                }
            }
            let elapsed = ContinuousClock.now - started
            #expect(answers.withLock { $0 } == ["Overloaded": 200])
            #expect(running.daemon.server.refusedConnections.load(ordering: .relaxed) == 200)
            let stormLines = log.all[linesBefore...].filter { $0.contains("refused") }
            // The first refusal in full, then one summary per 10 s interval at most.
            let allowed = 2 + Int(elapsed / .seconds(10))
            #expect(stormLines.count <= allowed, "\(stormLines.count) lines for 200 refusals in \(elapsed): \(stormLines)")
            #expect(stormLines.first?.contains("connection refused on the cass socket: 2 connections are open") == true)
            // Every refusal is in a line: the first in full, the rest in the summaries' counts.
            running.daemon.server.warnings.flushAll()
            let lines = log.all[linesBefore...].filter { $0.contains("refused") }
            let summarised = lines.dropFirst().compactMap { line -> Int? in
                guard let range = line.range(of: "refused ") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber))
            }.reduce(0, +)
            #expect(1 + summarised == 200, "\(lines)")
            // The two served connections were never disturbed.
            _ = try await first.send(.health)
            _ = try await second.send(.health)
        }
    }

    @Test func aClientReconnectingWithoutBackoffIsRefusedAboutOncePerAcceptPause() async throws {
        let pause = Duration.milliseconds(200)
        try await RunningDaemon.with(configure: {
            $0.maxConnections = 1
            $0.refusalPause = pause
        }) { running in
            try await eventually { running.daemon.server.openConnections == 0 }
            let held = try await running.connect()
            _ = try await held.send(.health)
            let socket = running.socket
            let refused = Atomic<Int>(0)
            let others = Mutex<[String]>([])
            let started = ContinuousClock.now
            let stopAt = started + .seconds(2)
            await Self.onThreads(4) { _ in
                while ContinuousClock.now < stopAt {
                    let code = Self.refusalCode(at: socket)
                    if code == "Overloaded" { refused.wrappingAdd(1, ordering: .relaxed) } else { others.withLock { $0.append(code) } }
                }
            }
            let elapsed = ContinuousClock.now - started
            let count = refused.load(ordering: .relaxed)
            // A listener accepts at most 4 connections per read (NIO's maxMessagesPerRead), and reads
            // once per pause while refusing: without the pause these clients are refused thousands of times.
            let windows = Int(elapsed / pause) + 2
            #expect(count >= 1 && count <= 4 * windows, "\(count) refusals in \(elapsed) with a pause of \(pause)")
            #expect(others.withLock { $0 }.isEmpty, "\(others.withLock { $0 })")
            #expect(try await running.daemon.server.acceptPauseCount() >= 1)
            _ = try await held.send(.health)
        }
    }

    @Test func aSlotFreedDuringAPauseIsTakenByAWaitingClientAtOnce() async throws {
        try await RunningDaemon.with(configure: {
            $0.maxConnections = 1
            $0.refusalPause = .seconds(120)
        }) { running in
            try await eventually { running.daemon.server.openConnections == 0 }
            let held = try await running.connect()
            _ = try await held.send(.health)
            let socket = running.socket
            // Refused: the listener now pauses for two minutes.
            #expect(try await offPool { Self.refusalCode(at: socket) } == "Overloaded")
            // This one waits in the backlog; the held connection's close frees the slot and ends the pause.
            let waiting = Task {
                try await offPool { () -> (ResponseEnvelope, Duration) in
                    let started = ContinuousClock.now
                    let connection = try DaemonConnection(socketPath: socket, connectTimeout: .seconds(60))
                    defer { connection.close() }
                    return (try connection.send(.health, timeout: .seconds(600)), ContinuousClock.now - started)
                }
            }
            held.close()
            let (answer, waited) = try await waiting.value
            guard case .health = answer.response else { Issue.record("the waiting client was answered \(answer)"); return }
            #expect(waited < .seconds(60), "served after \(waited): the pause was not ended by the freed slot")
        }
    }
}
