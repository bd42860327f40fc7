// SemanticClient against the real daemon (tiny models, in this process) and against scripted fakes:
// every typed call, the kept connection, request ids, retries with backoff, and fallbacks that are
// never silent and return the daemon's vectors.
import Foundation
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticClient

@Suite(.serialized) struct SemanticClientDaemonTests {
    @Test func everyCallOverOneKeptConnection() async throws {
        let daemon = try await TinyDaemon()
        let socket = daemon.socket
        let client = SemanticClient(configuration: tinyConfiguration(socket: socket))
        let texts = ["hello world", "a second text", ""]
        let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
        let expectedLogits = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory)
            .scores(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"])

        try await onThread {
            // First, so its connection is served well before the daemon stops: a connection the daemon
            // is still accepting while it stops trips a precondition in NIO (reported to the daemon's owner).
            #expect(client.daemonIsRunning())
            let embedded = try client.embed(texts)
            #expect(embedded.servedBy == .daemon)
            #expect(embedded.model == "tiny-16" && embedded.dimension == 16)
            for (vector, reference) in zip(embedded.embeddings, expected) {
                #expect(compare(vector, reference).maxAbs <= 1e-6)
            }
            let shortened = try client.embed(["hello world"], dims: 8)
            #expect(shortened.dimension == 8 && shortened.embeddings[0].count == 8)

            let reranked = try client.rerank(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"])
            #expect(reranked.servedBy == .daemon && reranked.model == "tiny-ce" && reranked.logits == nil)
            for (score, logit) in zip(reranked.scores, CrossEncoder.sigmoid(expectedLogits)) {
                #expect(abs(score - logit) <= 1e-6)
            }
            #expect(Set(reranked.ranking) == [0, 1])

            let health = try client.health()
            #expect(health.ready && health.protocolVersion == 1 && health.memoryBytes > 0)
            let status = try client.status()
            #expect(status.socket == socket && status.pid == getpid())
            #expect(status.models.map(\.id) == ["tiny-16", "tiny-ce"])
            #expect(status.models.allSatisfy { $0.loaded })
            #expect(status.totalRequests >= 5)
        }
        // One connection carried every request.
        #expect(daemon.daemon.handler.currentCounters.totalRequests >= 5)
        await daemon.stop()
    }

    @Test func manyTextsTravelInBatchesWithProgress() async throws {
        let daemon = try await TinyDaemon()
        var configuration = tinyConfiguration(socket: daemon.socket)
        configuration.batchSize = 4
        let client = SemanticClient(configuration: configuration)
        let texts = (0..<10).map { "text number \($0)" }
        let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
        let reports = ProgressLog()
        let before = daemon.handler.currentCounters.embedRequests
        let result = try await onThread { try client.embed(texts, progress: { reports.add($0, $1) }) }
        #expect(result.embeddings.count == 10 && result.servedBy == .daemon)
        for (vector, reference) in zip(result.embeddings, expected) { #expect(compare(vector, reference).maxAbs <= 1e-6) }
        #expect(reports.values == [[4, 10], [8, 10], [10, 10]])
        #expect(daemon.handler.currentCounters.embedRequests - before == 3)
        let empty = try await onThread { try client.embed([]) }
        #expect(empty.embeddings.isEmpty && empty.model == "tiny-16")
        await daemon.stop()
    }

    @Test func shutdownStopsTheDaemonAndLaterCallsFallBack() async throws {
        let daemon = try await TinyDaemon()
        let client = SemanticClient(configuration: tinyConfiguration(socket: daemon.socket))
        let served = try await onThread { try client.embed(["hello world"]) }
        #expect(served.servedBy == .daemon)
        let message = try await onThread { try client.shutdown() }
        #expect(message == "daemon shutting down")
        _ = try? await daemon.task.value
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
        let fallback = try await onThread { try client.embed(["hello world"]) }
        #expect(fallback.servedBy == .inProcess(.noDaemonSpawnDisabled))
        #expect(compare(fallback.embeddings[0], served.embeddings[0]).maxAbs <= 1e-6,
                "the in-process engine gives the daemon's vectors")
        #expect(throws: ClientError.self) { try client.health() }
        daemon.scratch.remove()
    }

    @Test func stopDaemonWaitsForTheSocketAndTheLock() async throws {
        let daemon = try await TinyDaemon()
        let client = SemanticClient(configuration: tinyConfiguration(socket: daemon.socket))
        let pid = try await onThread { try client.stopDaemon() }
        #expect(pid == getpid())
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
        #expect(LockFile.isHeld(at: DaemonPaths(socket: daemon.socket).runLock) == false)
        let again = try await onThread { try client.stopDaemon() }
        #expect(again == nil)
        _ = try? await daemon.task.value
        daemon.scratch.remove()
    }
}

@Suite struct SemanticClientFallbackTests {
    @Test func noDaemonFallsBackAndSaysWhy() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-client")
        defer { scratch.remove() }
        let socket = scratch.path("none.sock").path
        let client = SemanticClient(configuration: tinyConfiguration(socket: socket))
        let result = try client.embed(["hello world"])
        #expect(result.servedBy == .inProcess(.noDaemonSpawnDisabled))
        #expect(result.servedBy.name == "in-process" && result.servedBy.reason?.tag == "no-daemon")
        let direct = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["hello world"])
        #expect(result.embeddings == direct)
        let reranked = try client.rerank(query: "q", documents: ["a", "b", "c"])
        #expect(reranked.servedBy == .inProcess(.noDaemonSpawnDisabled) && reranked.logits?.count == 3)
        #expect(reranked.scores == CrossEncoder.sigmoid(reranked.logits!))
        #expect(!FileManager.default.fileExists(atPath: socket), "nothing was spawned")
    }

    @Test func daemonOnlyTurnsNoDaemonIntoAnError() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-client")
        defer { scratch.remove() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: scratch.path("none.sock").path, policy: .daemonOnly))
        #expect {
            try client.embed(["x"])
        } throws: { error in
            guard case ClientError.unavailable(let message) = error else { return false }
            return message.contains("no daemon is running")
        }
    }

    @Test func inProcessOnlyNeverTouchesTheSocket() throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .inProcessOnly))
        let result = try client.embed(["hello"])
        #expect(result.servedBy == .inProcess(.daemonDisabled))
        #expect(fake.connections == 0)
        #expect(throws: ClientError.self) { try client.status() }
    }

    @Test func unknownModelIsAnErrorNotAFallback() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-client")
        defer { scratch.remove() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: scratch.path("none.sock").path))
        #expect(throws: ClientError.self) { try client.embed(["x"], model: "bge-large") }
        #expect(throws: ClientError.invalidRequest("dims must be at least 1, not 0")) { try client.embed(["x"], dims: 0) }
        #expect(throws: ClientError.self) { try client.embed(["x"], dims: 17) }
    }
}

@Suite struct SemanticClientRetryTests {
    static let vector: [Float] = [1, 0, 0, 0]

    @Test func requestIDsAreSemdNAndTheConnectionIsKept() throws {
        let fake = try FakeDaemon { _, _ in
            .answer(.embed(EmbedResponse(embeddings: [Self.vector], model: "tiny-16", elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        for _ in 0..<3 { #expect(try client.embed(["x"]).servedBy == .daemon) }
        #expect(fake.connections == 1)
        let numbers = fake.requestIDs.map { id -> Int? in
            id.hasPrefix("semd-") ? Int(id.dropFirst(5)) : nil
        }
        #expect(numbers.allSatisfy { $0 != nil } && numbers.count == 3)
        #expect(Set(numbers).count == 3, "every request has its own id")
    }

    @Test func aDaemonThatDiesMidRequestIsRetriedThenFallenBackFrom() throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let result = try client.embed(["hello world"])
        guard case .inProcess(.daemonFailed(let message)) = result.servedBy else {
            Issue.record("served by \(result.servedBy)")
            return
        }
        #expect(message.contains("closed") || message.contains("went away"))
        #expect(fake.requestIDs.count == 3, "maxAttempts 3")
        #expect(result.embeddings == (try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["hello world"])))
    }

    @Test func retryableErrorsAreRetriedAfterTheirDelay() throws {
        let fake = try FakeDaemon { _, number in
            number < 3
                ? .answer(.error(ErrorResponse(code: .modelLoadFailed, message: "warming", retryable: true,
                                               retryAfterMilliseconds: 30)))
                : .answer(.embed(EmbedResponse(embeddings: [Self.vector], model: "tiny-16", elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let start = ContinuousClock.now
        let result = try client.embed(["x"])
        #expect(result.servedBy == .daemon && result.embeddings == [Self.vector])
        #expect(ContinuousClock.now - start >= .milliseconds(40), "retry_after (30 ms) capped at 20 ms, twice")
        #expect(fake.requestIDs.count == 3)
    }

    @Test func refusalsAreNotRetriedNorFallenBackFrom() throws {
        let fake = try FakeDaemon { _, _ in
            .answer(.error(ErrorResponse(code: .invalidInput, message: "too many texts", retryable: false)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        #expect(throws: ClientError.daemon(code: .invalidInput, message: "too many texts", retryable: false,
                                           retryAfterMilliseconds: nil)) {
            try client.embed(["x"])
        }
        #expect(fake.requestIDs.count == 1)
    }

    @Test func wrongAnswersFallBack() throws {
        let fake = try FakeDaemon { _, _ in
            .answer(.embed(EmbedResponse(embeddings: [], model: "tiny-16", elapsedMilliseconds: 1)))
        }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket))
        let result = try client.embed(["x", "y"])
        guard case .inProcess(.daemonFailed(let message)) = result.servedBy else {
            Issue.record("served by \(result.servedBy)")
            return
        }
        #expect(message.contains("count mismatch"))
        #expect(result.embeddings.count == 2)
    }

    @Test func aKeptConnectionClosedWhileIdleIsReopenedAtOnce() throws {
        let fake = try FakeDaemon { _, _ in
            .answerThenClose(.health(HealthStatus(uptimeSeconds: 1, ready: true, memoryBytes: 1)))
        }
        defer { fake.stop() }
        var configuration = tinyConfiguration(socket: fake.socket)
        configuration.retry = RetryPolicy(maxAttempts: 1)
        let client = SemanticClient(configuration: configuration)
        #expect(try client.health().ready)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try client.health().ready, "reconnected without spending an attempt")
        #expect(fake.connections == 2)
    }

    @Test func daemonOnlyReportsTheLastError() throws {
        let fake = try FakeDaemon { _, _ in .hangUp }
        defer { fake.stop() }
        let client = SemanticClient(configuration: tinyConfiguration(socket: fake.socket, policy: .daemonOnly))
        #expect(throws: ClientError.self) { try client.embed(["x"]) }
        #expect(fake.requestIDs.count == 3)
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[Int]] = []
    func add(_ done: Int, _ total: Int) { lock.withLock { entries.append([done, total]) } }
    var values: [[Int]] { lock.withLock { entries } }
}
