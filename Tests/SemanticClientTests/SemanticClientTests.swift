// SemanticClient against the real daemon (tiny models, in this process) and against scripted fakes:
// every typed call, the kept connection, request ids, retries with backoff, and fallbacks that are
// never silent and return the daemon's vectors. Every blocking call runs off the concurrency pool.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticClient

@Suite(.serialized) struct SemanticClientDaemonTests {
    @Test func everyCallOverOneKeptConnection() async throws {
        try await withTinyDaemon { daemon in
            let socket = daemon.socket
            let client = SemanticClient(configuration: tinyConfiguration(socket: socket))
            let texts = ["hello world", "a second text", ""]
            let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
            let expectedLogits = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory)
                .scores(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"])

            // First, so its connection is served well before the daemon stops: a connection the daemon is
            // still accepting while it stops trips a precondition in NIO.
            #expect(try await offPool { client.daemonIsRunning() })
            let embedded = try await offPool { try client.embed(texts) }
            #expect(embedded.servedBy == .daemon)
            #expect(embedded.model == "tiny-16" && embedded.dimension == 16)
            for (vector, reference) in zip(embedded.embeddings, expected) {
                #expect(compare(vector, reference).maxAbs <= 1e-6)
            }
            let shortened = try await offPool { try client.embed(["hello world"], dims: 8) }
            #expect(shortened.dimension == 8 && shortened.embeddings[0].count == 8)

            let reranked = try await offPool {
                try client.rerank(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"])
            }
            #expect(reranked.servedBy == .daemon && reranked.model == "tiny-ce" && reranked.logits == nil)
            for (score, logit) in zip(reranked.scores, CrossEncoder.sigmoid(expectedLogits)) {
                #expect(abs(score - logit) <= 1e-6)
            }
            #expect(Set(reranked.ranking) == [0, 1])

            let health = try await offPool { try client.health() }
            #expect(health.ready && health.protocolVersion == 1 && health.memoryBytes > 0)
            let status = try await offPool { try client.status() }
            #expect(status.socket == socket && status.pid == getpid())
            #expect(status.models.map(\.id) == ["tiny-16", "tiny-ce"])
            #expect(status.models.allSatisfy { $0.loaded })
            #expect(status.totalRequests >= 5)
        }
    }

    @Test func manyTextsTravelInBatchesWithProgress() async throws {
        try await withTinyDaemon { daemon in
            var configuration = tinyConfiguration(socket: daemon.socket)
            configuration.batchSize = 4
            let client = SemanticClient(configuration: configuration)
            let texts = (0..<10).map { "text number \($0)" }
            let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
            let reports = ProgressLog()
            let before = daemon.service.ledger.totals.embedRequests
            let result = try await offPool { try client.embed(texts, progress: { reports.add($0, $1) }) }
            #expect(result.embeddings.count == 10 && result.servedBy == .daemon)
            for (vector, reference) in zip(result.embeddings, expected) { #expect(compare(vector, reference).maxAbs <= 1e-6) }
            #expect(reports.values == [[4, 10], [8, 10], [10, 10]])
            // Three batches; a loaded machine may add a retry of one.
            let requests = daemon.service.ledger.totals.embedRequests - before
            #expect((3...5).contains(requests), "\(requests) Embed requests")
            let empty = try await offPool { try client.embed([]) }
            #expect(empty.embeddings.isEmpty && empty.model == "tiny-16")
        }
    }

    @Test func shutdownStopsTheDaemonAndLaterCallsFallBack() async throws {
        try await withTinyDaemon { daemon in
            let client = SemanticClient(configuration: tinyConfiguration(socket: daemon.socket))
            let served = try await offPool { try client.embed(["hello world"]) }
            #expect(served.servedBy == .daemon)
            let message = try await offPool { try client.shutdown() }
            #expect(message == "daemon shutting down")
            _ = try? await daemon.task.value
            #expect(!FileManager.default.fileExists(atPath: daemon.socket))
            let fallback = try await offPool { try client.embed(["hello world"]) }
            #expect(fallback.servedBy == .inProcess(.noDaemonSpawnDisabled))
            #expect(compare(fallback.embeddings[0], served.embeddings[0]).maxAbs <= 1e-6,
                    "the in-process engine gives the daemon's vectors")
            guard case .failure = try await outcome({ try client.health() }) else {
                Issue.record("health answered after the daemon stopped")
                return
            }
        }
    }

    @Test func stopDaemonWaitsForTheSocketAndTheLock() async throws {
        try await withTinyDaemon { daemon in
            let client = SemanticClient(configuration: tinyConfiguration(socket: daemon.socket))
            // Patient (returns once stopped): a sanitizer-built in-process daemon on a loaded machine is slow.
            let pid = try await offPool { try client.stopDaemon(timeout: .seconds(300)) }
            #expect(pid == getpid())
            #expect(!FileManager.default.fileExists(atPath: daemon.socket))
            #expect(LockFile.isHeld(at: DaemonPaths(socket: daemon.socket).runLock) == false)
            let again = try await offPool { try client.stopDaemon() }
            #expect(again == nil)
            _ = try? await daemon.task.value
        }
    }
}

/// What a blocking call did: its result or its error.
func outcome<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> Result<T, ClientError> {
    try await offPool { () throws -> Result<T, ClientError> in
        do { return .success(try body()) } catch let error as ClientError { return .failure(error) }
    }
}

@Suite struct SemanticClientFallbackTests {
    @Test func noDaemonFallsBackAndSaysWhy() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-client")
        defer { scratch.remove() }
        let socket = scratch.path("none.sock").path
        let client = SemanticClient(configuration: tinyConfiguration(socket: socket))
        let result = try await offPool { try client.embed(["hello world"]) }
        #expect(result.servedBy == .inProcess(.noDaemonSpawnDisabled))
        #expect(result.servedBy.name == "in-process" && result.servedBy.reason?.tag == "no-daemon")
        let direct = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["hello world"])
        #expect(result.embeddings == direct)
        let reranked = try await offPool { try client.rerank(query: "q", documents: ["a", "b", "c"]) }
        #expect(reranked.servedBy == .inProcess(.noDaemonSpawnDisabled) && reranked.logits?.count == 3)
        #expect(reranked.scores == CrossEncoder.sigmoid(reranked.logits ?? []))
        #expect(!FileManager.default.fileExists(atPath: socket), "nothing was spawned")
    }

    @Test func daemonOnlyTurnsNoDaemonIntoAnError() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-client")
        defer { scratch.remove() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: scratch.path("none.sock").path, policy: .daemonOnly))
        let result = try await outcome { try client.embed(["x"]) }
        guard case .failure(.unavailable(let message)) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(message.contains("no daemon is running"))
    }

    @Test func inProcessOnlyNeverTouchesTheSocket() async throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .inProcessOnly))
        let result = try await offPool { try client.embed(["hello"]) }
        #expect(result.servedBy == .inProcess(.daemonDisabled))
        #expect(fake.connections == 0)
        guard case .failure = try await outcome({ try client.status() }) else {
            Issue.record("status answered without a daemon")
            return
        }
    }

    @Test func unknownModelAndBadDimsAreErrorsNotFallbacks() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-client")
        defer { scratch.remove() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: scratch.path("none.sock").path))
        guard case .failure(.invalidRequest) = try await outcome({ try client.embed(["x"], model: "bge-large") }) else {
            Issue.record("an unknown model was accepted")
            return
        }
        guard case .failure(.invalidRequest("dims must be at least 1, not 0")) = try await outcome({ try client.embed(["x"], dims: 0) }),
              case .failure(.invalidRequest) = try await outcome({ try client.embed(["x"], dims: 17) }) else {
            Issue.record("bad dims were accepted")
            return
        }
    }
}

@Suite struct SemanticClientRetryTests {
    /// A vector the tiny model (16-d) could have answered: the client checks the dimension.
    static let vector: [Float] = [1] + Array(repeating: 0, count: 15)

    @Test func requestIDsAreSemdNAndTheConnectionIsKept() async throws {
        let fake = try FakeDaemon { _, _ in
            .answer(.embed(EmbedResponse(embeddings: [Self.vector], model: "tiny-16", elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let served = try await offPool { try (0..<3).map { _ in try client.embed(["x"]).servedBy } }
        #expect(served == [.daemon, .daemon, .daemon])
        #expect(fake.connections == 1)
        let numbers = fake.requestIDs.map { id -> Int? in id.hasPrefix("semd-") ? Int(id.dropFirst(5)) : nil }
        #expect(numbers.allSatisfy { $0 != nil } && numbers.count == 3)
        #expect(Set(numbers).count == 3, "every request has its own id")
    }

    @Test func aDaemonThatDiesMidRequestIsRetriedThenFallenBackFrom() async throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let result = try await offPool { try client.embed(["hello world"]) }
        guard case .inProcess(.daemonFailed(let message)) = result.servedBy else {
            Issue.record("served by \(result.servedBy)")
            return
        }
        #expect(message.contains("closed") || message.contains("went away"))
        #expect(fake.requestIDs.count == 3, "maxAttempts 3")
        #expect(result.embeddings == (try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["hello world"])))
    }

    @Test func retryableErrorsAreRetriedAfterTheirDelay() async throws {
        let fake = try FakeDaemon { _, number in
            number < 3
                ? .answer(.error(ErrorResponse(code: .modelLoadFailed, message: "warming", retryable: true,
                                               retryAfterMilliseconds: 30)))
                : .answer(.embed(EmbedResponse(embeddings: [Self.vector], model: "tiny-16", elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let start = ContinuousClock.now
        let result = try await offPool { try client.embed(["x"]) }
        #expect(result.servedBy == .daemon && result.embeddings == [Self.vector])
        #expect(ContinuousClock.now - start >= .milliseconds(40), "retry_after (30 ms) capped at 20 ms, twice")
        #expect(fake.requestIDs.count == 3)
    }

    @Test func refusalsAreNotRetriedNorFallenBackFrom() async throws {
        let fake = try FakeDaemon { _, _ in
            .answer(.error(ErrorResponse(code: .invalidInput, message: "too many texts", retryable: false)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let result = try await outcome { try client.embed(["x"]) }
        guard case .failure(.daemon(code: .invalidInput, message: "too many texts", retryable: false,
                                    retryAfterMilliseconds: nil)) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(fake.requestIDs.count == 1)
    }

    @Test func wrongAnswersFallBack() async throws {
        let fake = try FakeDaemon { _, _ in
            .answer(.embed(EmbedResponse(embeddings: [], model: "tiny-16", elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let result = try await offPool { try client.embed(["x", "y"]) }
        #expect(result.servedBy == .inProcess(.invalidAnswer(.wrongCount(expected: 2, answered: 0))), "\(result.servedBy)")
        #expect(result.servedBy.reason?.tag == "invalid-answer")
        #expect(result.embeddings.count == 2)
    }

    @Test func aKeptConnectionClosedWhileIdleIsReopenedAtOnce() async throws {
        let fake = try FakeDaemon { _, _ in
            .answerThenClose(.health(HealthStatus(uptimeSeconds: 1, ready: true, memoryBytes: 1)))
        }
        defer { fake.stop() }
        var configuration = tinyConfiguration(socket: fake.socket)
        configuration.retry = RetryPolicy(maxAttempts: 1)
        let client = SemanticClient(configuration: configuration)
        let ready = try await offPool { () -> [Bool] in
            let first = try client.health().ready
            // The fake has closed the kept connection (its end is closed, so the client's next use sees it).
            guard fake.waitForAClosedConnection(within: .seconds(60)) else { return [first] }
            return [first, try client.health().ready]
        }
        #expect(ready == [true, true], "reconnected without spending an attempt")
        #expect(fake.connections == 2)
    }

    @Test func daemonOnlyReportsTheLastError() async throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .daemonOnly))
        guard case .failure = try await outcome({ try client.embed(["x"]) }) else {
            Issue.record("a daemon that hangs up answered")
            return
        }
        #expect(fake.requestIDs.count == 3)
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[Int]] = []
    func add(_ done: Int, _ total: Int) { lock.withLock { entries.append([done, total]) } }
    var values: [[Int]] { lock.withLock { entries } }
}
