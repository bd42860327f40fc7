// The two kinds of client `semd-bench storm` runs, each on its own thread: served clients, which hold
// one connection each and send Embed requests back to back, checking every answer; and storm clients,
// which open a connection, send the same Embed, read the answer (Overloaded while the served clients
// hold every slot), close, and reconnect at once: no backoff, retry_after_ms ignored, as a buggy
// script does. Each outcome is tallied into the phase that is current when it completes. Never sleeps
// between requests.
import Foundation
import SemanticClient
import SemanticRuntime
import SemanticWire
import Synchronization

/// Outcomes per phase; phase -1 (warm-up, between phases) is not kept.
final class StormTally: Sendable {
    private let phases = Mutex<[Int: StormPhase]>([:])
    private let firstErrors = Mutex<(served: String?, storm: String?)>((nil, nil))
    /// The phase outcomes count toward now (-1: none).
    let currentPhase = Atomic<Int>(-1)

    func record(_ change: (inout StormPhase) -> Void) {
        let phase = currentPhase.load(ordering: .acquiring)
        guard phase >= 0 else { return }
        phases.withLock { change(&$0[phase, default: StormPhase()]) }
    }

    func servedError(_ message: String) {
        record { $0.servedErrors += 1 }
        firstErrors.withLock { if $0.served == nil { $0.served = message } }
    }

    func stormFailure(_ message: String) {
        record { $0.stormFailures += 1 }
        firstErrors.withLock { if $0.storm == nil { $0.storm = message } }
    }

    func phase(_ index: Int) -> StormPhase { phases.withLock { $0[index] ?? StormPhase() } }
    var firstServedError: String? { firstErrors.withLock { $0.served } }
    var firstStormFailure: String? { firstErrors.withLock { $0.storm } }
}

/// Threads that run a loop until told to stop, and can be waited for.
final class ClientThreads: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchGroup()

    var shouldStop: Bool { stopping.load(ordering: .acquiring) }

    func start(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for index in 0..<count {
            finished.enter()
            Thread.detachNewThread { [finished] in
                body(index)
                finished.leave()
            }
        }
    }

    /// Asks every loop to stop after its current request and waits for them (at most `timeout`).
    func stop(timeout: Duration = .seconds(120)) -> Bool {
        stopping.store(true, ordering: .releasing)
        return finished.wait(timeout: .now() + timeout.seconds) == .success
    }
}

struct StormClients {
    let socket: String
    let texts: [String]
    let textsPerRequest: Int
    let tally: StormTally
    /// Embedding dimension every vector must have.
    let dimension: Int

    /// The texts of request `number` of client `client`: a window sliding over the corpus.
    func requestTexts(client: Int, number: Int) -> [String] {
        (0..<textsPerRequest).map { texts[(client * 7 + number * textsPerRequest + $0) % texts.count] }
    }

    /// Connects a served client: retries while the daemon answers Overloaded (the previous
    /// connections' closes may not have reached it yet) for up to `patience`.
    func connectServed(patience: Duration = .seconds(60)) throws -> DaemonConnection {
        let giveUp = ContinuousClock.now + patience
        while true {
            let connection = try DaemonConnection(socketPath: socket, connectTimeout: .seconds(10), requestTimeout: .seconds(120))
            let answer = try connection.send(.health).response
            switch answer {
            case .health: return connection
            case .error(let error) where error.code == .overloaded && ContinuousClock.now < giveUp:
                connection.close()
                Thread.sleep(forTimeInterval: Double(error.retryAfterMilliseconds ?? 100) / 1000)
            default:
                connection.close()
                throw BenchmarkFailure("a served client's connection was answered \(answer)")
            }
        }
    }

    /// One served client: `connection` is already admitted; Embed back to back until `threads` stop.
    func serve(client: Int, connection first: DaemonConnection, threads: ClientThreads) {
        var connection: DaemonConnection? = first
        var number = 0
        while !threads.shouldStop {
            do {
                if connection == nil { connection = try connectServed() }
                let batch = requestTexts(client: client, number: number)
                number += 1
                let answer = try connection!.send(.embed(texts: batch, model: "default", dims: nil)).response
                guard case .embed(let embedded) = answer else { throw BenchmarkFailure("Embed answered \(answer)") }
                guard embedded.embeddings.count == batch.count,
                      embedded.embeddings.allSatisfy({ $0.count == dimension && $0.allSatisfy(\.isFinite) }) else {
                    throw BenchmarkFailure("\(embedded.embeddings.count) vectors for \(batch.count) texts")
                }
                tally.record { phase in
                    phase.servedRequests += 1
                    phase.servedTexts += batch.count
                }
            } catch {
                tally.servedError("\(error)")
                connection?.close()
                connection = nil
            }
        }
        connection?.close()
    }

    /// One storm client: connect, send, read, close, again, without a pause.
    func storm(client: Int, threads: ClientThreads) {
        let frame: [UInt8]
        do {
            frame = try RequestEnvelope(requestID: "storm-\(client)",
                                        request: .embed(texts: requestTexts(client: client, number: 0), model: "default", dims: nil))
                .encodedFrame()
        } catch {
            tally.stormFailure("cannot encode the request: \(error)")
            return
        }
        while !threads.shouldStop {
            do {
                let connection = try UnixSocketConnection.connect(to: socket, timeout: .seconds(10))
                defer { connection.close() }
                let deadline = ContinuousClock.now + .seconds(60)
                try connection.send(frame, deadline: deadline)
                let header = try connection.receive(exactly: Frame.headerLength, deadline: deadline)
                let body = try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: deadline)
                switch try ResponseEnvelope.decode(from: body, options: .tolerant).response {
                case .error(let error) where error.code == .overloaded: tally.record { $0.refusals += 1 }
                case .embed: tally.record { $0.stormServed += 1 }
                case let other: tally.stormFailure("answered \(other)")
                }
            } catch {
                tally.stormFailure("\(error)")
            }
        }
    }
}
