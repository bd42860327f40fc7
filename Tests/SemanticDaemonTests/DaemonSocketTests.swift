// The daemon over a real Unix socket, in this process (so its counters can be read): every request
// type, protocol errors, hostile frames, concurrency and batching, limits and timeouts.
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticService
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

/// A daemon serving the tiny models on a temporary socket for the duration of a test.
final class RunningDaemon: Sendable {
    let daemon: Daemon
    let scratch: TemporaryDirectory
    let task: Task<Void, Error>
    var socket: String { daemon.configuration.paths.socket }

    init(registry: ModelRegistry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker]),
         modelsRoot: URL = Fixtures.url("goldens"),
         configure: (inout DaemonConfiguration) -> Void = { _ in }) async throws {
        scratch = try TemporaryDirectory(prefix: "semd-daemon")
        var configuration = DaemonConfiguration(
            paths: DaemonPaths(socket: scratch.path("d.sock").path),
            modelsRoot: ModelsRoot(url: modelsRoot, source: .flag))
        configuration.niceness = 0
        configure(&configuration)
        var logger = Logger(label: "semd-test")
        logger.logLevel = .warning
        let daemon = Daemon(configuration: configuration, registry: registry, logger: logger)
        self.daemon = daemon
        task = Task { try await daemon.run() }
        // Wait until the socket answers. Generous: at the start of the full suite (and far more under
        // ThreadSanitizer, `make test-tsan`) hundreds of tests hold both threads of the concurrency pool
        // of a 2-core machine for minutes, and nothing of this daemon runs meanwhile. Ends when ready.
        let deadline = ContinuousClock.now + .seconds(900)
        let socket = configuration.paths.socket
        while ContinuousClock.now < deadline {
            let ready = (try? await offPool { () -> Bool in
                guard let connection = try? DaemonConnection(socketPath: socket),
                      case .health(let health)? = try? connection.send(.health, timeout: .seconds(30)).response else { return false }
                return health.ready
            }) ?? false
            if ready { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        // No daemon outlives the test that started it, not even one that never became ready.
        daemon.requestStop(reason: "never became ready")
        _ = try? await task.value
        scratch.remove()
        throw FixtureError.malformed("the daemon did not become ready")
    }

    func connect() async throws -> AsyncConnection { try await AsyncConnection(socketPath: socket) }

    /// Runs `body` against a fresh daemon and stops it afterwards, also when `body` throws, so no
    /// daemon (and none of its inference) outlives its test.
    static func with(registry: ModelRegistry = ModelRegistry(models: [.tinyEmbedder, .tinyReranker]),
                     modelsRoot: URL = Fixtures.url("goldens"),
                     configure: (inout DaemonConfiguration) -> Void = { _ in },
                     _ body: (RunningDaemon) async throws -> Void) async throws {
        let running = try await RunningDaemon(registry: registry, modelsRoot: modelsRoot, configure: configure)
        do {
            try await body(running)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    func stop() async {
        daemon.requestStop(reason: "test finished")
        _ = try? await task.value
        scratch.remove()
    }
}

@Suite(.serialized) struct DaemonSocketTests {
    @Test func everyRequestType() async throws {
        let running = try await RunningDaemon()
        let connection = try await running.connect()

        let health = try await connection.send(.health)
        guard case .health(let status) = health.response else { Issue.record("\(health)"); return }
        #expect(status.ready && status.version == 1 && status.memoryBytes > 0)
        #expect(health.requestID.hasPrefix("semd-"))

        let embed = try await connection.send(.embed(texts: ["hello world", ""], model: "default", dims: nil))
        guard case .embed(let vectors) = embed.response else { Issue.record("\(embed)"); return }
        #expect(vectors.model == "tiny-16")
        #expect(vectors.embeddings.count == 2 && vectors.embeddings.allSatisfy { $0.count == 16 })
        let direct = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["hello world"])
        #expect(compare(vectors.embeddings[0], direct[0]).maxAbs <= 1e-6)

        let empty = try await connection.send(.embed(texts: [], model: "default", dims: nil))
        #expect(empty.response == .embed(EmbedResponse(embeddings: [], model: "tiny-16", elapsedMilliseconds: 0))
            || { if case .embed(let e) = empty.response { return e.embeddings.isEmpty } else { return false } }())

        let rerank = try await connection.send(.rerank(query: "what is a cat", documents: ["a cat is an animal", "stocks fell"],
                                                 model: "default"))
        guard case .rerank(let scores) = rerank.response else { Issue.record("\(rerank)"); return }
        #expect(scores.model == "tiny-ce" && scores.scores.count == 2)
        #expect(scores.scores.allSatisfy { $0 > 0 && $0 < 1 })

        let statusAnswer = try await connection.send(.status)
        guard case .status(let report) = statusAnswer.response else { Issue.record("\(statusAnswer)"); return }
        #expect(report.embedders.map(\.id) == ["tiny-16"] && report.embedders[0].loaded)
        #expect(report.embedders[0].dimension == 16)
        #expect(report.rerankers.map(\.id) == ["tiny-ce"] && report.rerankers[0].loaded)
        #expect(report.totalRequests >= 5)

        // Job requests on an archive that does not exist: a clear Internal error, nothing created.
        let missing = running.scratch.path("missing.db").path
        for request in [Request.submitEmbeddingJob(dbPath: missing, indexPath: running.scratch.url.path, twoTier: false,
                                                   fastModel: nil, qualityModel: nil),
                        .embeddingJobStatus(dbPath: missing), .cancelEmbeddingJob(dbPath: missing, modelID: nil)] {
            let answer = try await connection.send(request)
            guard case .error(let error) = answer.response else { Issue.record("\(answer)"); continue }
            #expect(error.code == .internalError && error.message.contains(missing))
        }
        #expect(!FileManager.default.fileExists(atPath: missing))

        let shutdown = try await connection.send(.shutdown)
        #expect(shutdown.response == .shutdown(message: "daemon shutting down"))
        try await running.task.value
        #expect(!FileManager.default.fileExists(atPath: running.socket))
        running.scratch.remove()
    }

    @Test func protocolErrorsKeepTheConnectionUsable() async throws {
        try await RunningDaemon.with { running in
            let connection = try await running.connect()

            let unknown = try await connection.send(.embed(texts: ["x"], model: "bge-small", dims: nil))
            guard case .error(let notFound) = unknown.response else { Issue.record("\(unknown)"); return }
            #expect(notFound.code == .modelNotFound && notFound.message.contains("tiny-16") && !notFound.retryable)

            let badDims = try await connection.send(.embed(texts: ["x"], model: "default", dims: 99))
            guard case .error(let invalid) = badDims.response else { Issue.record("\(badDims)"); return }
            #expect(invalid.code == .invalidInput)

            // Version 2: answered VersionMismatch with the request id echoed.
            let versionTwo = try Envelope(version: 2, requestID: "v2-req", payload: Request.health).encodedFrame()
            let mismatch = try await connection.sendRaw(versionTwo)
            #expect(mismatch.requestID == "v2-req")
            guard case .error(let version) = mismatch.response else { Issue.record("\(mismatch)"); return }
            #expect(version.code == .versionMismatch)

            // Garbage and a zero-length frame: InvalidInput with id "error", connection still usable.
            for body in [[UInt8](repeating: 0xc1, count: 7), []] {
                let answer = try await connection.sendRaw(try Frame.encode(body: body))
                #expect(answer.requestID == "error")
                guard case .error(let error) = answer.response else { Issue.record("\(answer)"); continue }
                #expect(error.code == .invalidInput)
            }
            // A struct sent as a map keyed by field names, as Rust peers may: accepted.
            var writer = MessagePackWriter()
            try writer.writeArrayHeader(count: 3)
            writer.writeUnsigned(1)
            try writer.writeString("map-form")
            try writer.writeMapHeader(count: 1)
            try writer.writeString("Embed")
            try writer.writeMapHeader(count: 2)
            try writer.writeString("texts")
            try writer.writeArrayHeader(count: 1)
            try writer.writeString("hello")
            try writer.writeString("model")
            try writer.writeString("default")
            let mapForm = try await connection.sendRaw(try Frame.encode(body: writer.bytes))
            #expect(mapForm.requestID == "map-form")
            guard case .embed(let mapped) = mapForm.response else { Issue.record("\(mapForm)"); return }
            #expect(mapped.embeddings.count == 1)

            guard case .health = try await connection.send(.health).response else { Issue.record("not healthy"); return }
        }
    }

    @Test func oversizedAndTruncatedFramesLeaveTheDaemonHealthy() async throws {
        try await RunningDaemon.with { running in

            // A 4 GiB length prefix: an error frame, then the connection is closed.
            let huge = try await running.connect()
            let answer = try await huge.sendRaw([0xff, 0xff, 0xff, 0xff, 0x93, 0x01])
            guard case .error(let error) = answer.response else { Issue.record("\(answer)"); return }
            #expect(error.code == .invalidInput && error.message.contains("limit"))
            await #expect(throws: ClientError.self) { try await huge.send(.health) }

            // Half a frame, then the client goes away.
            let raw = try UnixSocketConnection.connect(to: running.socket)
            try raw.send([0, 0, 0, 100, 0x93], deadline: .now + .seconds(1))
            raw.close()

            // The daemon still answers a fresh client.
            let fresh = try await running.connect()
            guard case .health(let health) = try await fresh.send(.health).response else { Issue.record("not healthy"); return }
            #expect(health.ready)
        }
    }

    @Test func eightConcurrentClientsGetCorrectAnswersInMergedBatches() async throws {
        try await RunningDaemon.with(configure: { $0.maxBatchWait = .milliseconds(5) }) { running in
            let texts = (0..<8).map { "client \($0) asks about topic \($0 * 7)" }
            let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
            let before = running.daemon.service.ledger.batchStatistics
            // Blocking clients run on threads of their own, as separate client processes would, so they
            // never occupy the in-process daemon's concurrency pool.
            let failures = await runOnThreads(count: 8) { client -> String? in
                do {
                    let connection = try DaemonConnection(socketPath: running.socket)
                    for _ in 0..<10 {
                        // Patient: under ThreadSanitizer the in-process engine runs many times slower.
                        let answer = try connection.send(.embed(texts: [texts[client]], model: "default", dims: nil),
                                                         timeout: .seconds(600))
                        guard case .embed(let response) = answer.response else { return "client \(client): \(answer)" }
                        let difference = compare(response.embeddings[0], expected[client])
                        if difference.maxAbs > 1e-6 { return "client \(client): \(difference)" }
                    }
                    return nil
                } catch {
                    return "client \(client): \(error)"
                }
            }
            #expect(failures.isEmpty, "\(failures)")
            let after = running.daemon.service.ledger.batchStatistics
            #expect(after.requests - before.requests == 80)
            #expect(after.mergedBatches > before.mergedBatches, "no batch carried more than one request")
            #expect(after.batches - before.batches < 80)
        }
    }

    /// A lone client's small request runs inline on the event loop (the 8-client test above shows
    /// that several active clients still go through the lane and merge).
    @Test func aLoneClientsRequestsRunInline() async throws {
        try await RunningDaemon.with { running in
            let connection = try await running.connect()
            let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(["a lone query"])
            let before = running.daemon.service.ledger.batchStatistics
            for _ in 0..<5 {
                // past the 50 ms in which another connection's frame (the readiness probe's) counts
                try await Task.sleep(for: .milliseconds(60))
                guard case .embed(let response) = try await connection.send(.embed(texts: ["a lone query"], model: "default", dims: nil),
                                                                              timeout: .seconds(600)).response else {
                    Issue.record("not an Embed answer")
                    return
                }
                #expect(compare(response.embeddings[0], expected[0]).maxAbs <= 1e-6)
            }
            let after = running.daemon.service.ledger.batchStatistics
            #expect(after.requests - before.requests == 5)
            #expect(after.inlineBatches - before.inlineBatches >= 4, "a lone client's requests went through the lane")
        }
    }

    @Test func oneConnectionTooManyGetsOverloaded() async throws {
        try await RunningDaemon.with(configure: { $0.maxConnections = 2 }) { running in
            // The readiness probe's connection counts until the daemon has seen it close.
            try await eventually { running.daemon.server.openConnections == 0 }
            let first = try await running.connect()
            let second = try await running.connect()
            _ = try await first.send(.health)
            _ = try await second.send(.health)
            let socket = running.socket
            let body = try await offPool { () -> [UInt8] in
                let third = try UnixSocketConnection.connect(to: socket)
                let header = try third.receive(exactly: 4, deadline: .now + .seconds(5))
                return try third.receive(exactly: try Frame.bodyLength(header: header), deadline: .now + .seconds(5))
            }
            let refusal = try ResponseEnvelope.decode(from: body)
            guard case .error(let error) = refusal.response else { Issue.record("\(refusal)"); return }
            #expect(error.code == .overloaded && error.retryable && error.retryAfterMilliseconds != nil)
            // A client that writes its request first, as clients do, a moment after the refusal went
            // out: the refused connection is still open, so the write lands and the refusal is read
            // (closed at once, the write failed with EPIPE and the client saw a bare close).
            let late = try await offPool { () -> Result<ResponseEnvelope, any Error> in
                let connection = try DaemonConnection(socketPath: socket)
                defer { connection.close() }
                Thread.sleep(forTimeInterval: 0.05)
                do { return .success(try connection.send(.health, timeout: .seconds(60))) } catch { return .failure(error) }
            }
            guard case .success(let lateAnswer) = late, case .error(let lateError) = lateAnswer.response else {
                Issue.record("a client writing after the refusal: \(late)")
                return
            }
            #expect(lateError.code == .overloaded)
            // The first two are still served, and a slot frees up when one leaves.
            _ = try await first.send(.health)
            second.close()
            // The daemon frees the slot once it has seen the close (slow on a loaded machine: wait for it).
            try await eventually { running.daemon.server.openConnections < 2 }
            _ = try await running.connect().send(.health)
        }
    }

    /// A whole request that waits for the serving task (here: every thread of the concurrency pool is
    /// held in a blocking sleep, as CPU-bound work can hold it) is not taken for a stalled client when
    /// the read timeout passes: the connection counts as busy from the frame's arrival.
    @Test func aWholeRequestWaitingForABusyPoolOutlastsTheReadTimeout() async throws {
        try await RunningDaemon.with(configure: { $0.readTimeout = .milliseconds(300) }) { running in
            let socket = running.socket
            let blockers = (0..<ProcessInfo.processInfo.activeProcessorCount).map { _ in
                Task.detached { usleep(1_500_000) }  // blocking on purpose
            }
            let outcome = try await offPool { () -> String in
                Thread.sleep(forTimeInterval: 0.05)  // the blockers hold the pool
                do {
                    let connection = try DaemonConnection(socketPath: socket)
                    defer { connection.close() }
                    return "\(try connection.send(.health, timeout: .seconds(60)).response.variantName)"
                } catch {
                    return "\(error)"
                }
            }
            for blocker in blockers { await blocker.value }
            #expect(outcome == "Health", "\(outcome)")
        }
    }

    @Test func aClientStalledInsideAFrameIsDisconnected() async throws {
        try await RunningDaemon.with(configure: { $0.readTimeout = .milliseconds(300) }) { running in
            let raw = try UnixSocketConnection.connect(to: running.socket)
            try raw.send([0, 0, 0, 50, 0x93, 0x01], deadline: .now + .seconds(1))
            // The daemon closes the connection after the read timeout: the read sees the close.
            let outcome = try await offPool { () -> String in
                do {
                    _ = try raw.receive(exactly: 1, deadline: .now + .seconds(5))
                    return "received a byte"
                } catch {
                    return "\(error)"
                }
            }
            #expect(outcome == RuntimeError.connectionClosed(path: running.socket).description)
            _ = try await running.connect().send(.health)
        }
    }

    @Test func aRequestOverItsTimeoutGetsATimeoutError() async throws {
        try await RunningDaemon.with(configure: { $0.requestTimeout = .milliseconds(30) }) { running in
            let connection = try await running.connect()
            let texts = (0..<800).map { "a long enough sentence number \($0) to keep the engine busy for a while" }
            let answer = try await connection.send(.embed(texts: texts, model: "default", dims: nil), timeout: .seconds(60))
            guard case .error(let error) = answer.response else { Issue.record("expected a timeout, got a \(answer.response.variantName)"); return }
            #expect(error.code == .timeout && error.retryable)
            guard case .health = try await connection.send(.health, timeout: .seconds(60)).response else { Issue.record("not healthy"); return }
        }
    }
}

/// A DaemonConnection whose blocking calls run on a thread of their own, so the test never ties up the
/// concurrency pool the in-process daemon needs to answer it.
final class AsyncConnection: Sendable {
    let connection: DaemonConnection

    init(socketPath: String) async throws {
        connection = try await offPool { try DaemonConnection(socketPath: socketPath) }
    }

    func send(_ request: Request, timeout: Duration? = nil) async throws -> ResponseEnvelope {
        let connection = self.connection
        return try await offPool { try connection.send(request, timeout: timeout) }
    }

    func sendRaw(_ bytes: [UInt8]) async throws -> ResponseEnvelope {
        let connection = self.connection
        // Patient (DaemonConnection.sendRaw's own default is 5 s): a sanitizer build on a loaded
        // machine can take longer than that to answer.
        return try await offPool { try connection.sendRaw(bytes, timeout: .seconds(600)) }
    }

    func close() { connection.close() }
}

/// Runs `body` on `count` dedicated threads at once and returns the non-nil results.
func runOnThreads(count: Int, _ body: @escaping @Sendable (Int) -> String?) async -> [String] {
    await withCheckedContinuation { continuation in
        let results = ResultsBox(count: count)
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                results.set(index, body(index))
                group.leave()
            }
            thread.start()
        }
        group.notify(queue: .global()) { continuation.resume(returning: results.all.compactMap { $0 }) }
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: String?) { lock.withLock { values[index] = value } }
    var all: [String?] { lock.withLock { values } }
}
