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
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct DaemonSocketTests {
    @Test func everyRequestType() async throws {
        try await RunningDaemon.with { running in
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
        }
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

            // Version 3 (no cass speaks it): answered VersionMismatch with the request id echoed (by the
            // newest version's rules, v2's); the connection keeps v1's rules for what follows.
            let versionThree = try Envelope(version: 3, requestID: "v3-req", payload: Request.health).encodedFrame()
            let mismatch = try await connection.sendRaw(versionThree)
            #expect(mismatch.requestID == "v3-req")
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
                // No other connection may count as active: this one is the only one open.
                try await eventually("only the test's connection is open") { running.daemon.server.openConnections == 1 }
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
            // No other connection holds a slot (the harness waits on the daemon's log, opening none).
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
                let connection = try PlainSocketClient(socket: socket)
                defer { connection.close() }
                // The refusal has gone out once it can be read here; only then does the client write.
                guard connection.waitUntilReadable(within: .seconds(60)) else {
                    return .failure(PlainSocketClient.Failure("no refusal arrived"))
                }
                do {
                    try connection.send(try RequestEnvelope(requestID: "late", request: .health).encodedFrame())
                    return .success(try ResponseEnvelope.decode(from: try connection.receiveFrame(within: .seconds(60))))
                } catch {
                    return .failure(error)
                }
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
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let holding = DispatchSemaphore(value: 0)
            let blockers = (0..<cores).map { _ in
                Task.detached {
                    holding.signal()
                    // Blocking on purpose, and for long: holding the pool past the read timeout is
                    // what this test is about (not a synchronisation).
                    usleep(1_500_000)
                }
            }
            let outcome = try await offPool { () -> String in
                for _ in 0..<cores { holding.wait() }  // the blockers hold the pool
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

/// A client on a plain descriptor, for the moment a test must see the daemon's bytes arrive before it
/// writes (DaemonConnection writes, then reads).
final class PlainSocketClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private let descriptor: Int32

    init(socket path: String) throws {
        descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes.prefix($0.count - 1)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw Failure("connect to \(path): errno \(code)")
        }
    }

    /// Whether bytes (or the end of the stream) arrived within `timeout`; reads nothing.
    func waitUntilReadable(within timeout: Duration) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready == 1
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure("write: errno \(errno)")
            }
            offset += written
        }
    }

    /// One whole frame's body.
    func receiveFrame(within timeout: Duration) throws -> [UInt8] {
        let header = try receive(exactly: Frame.headerLength, within: timeout)
        return try receive(exactly: try Frame.bodyLength(header: header), within: timeout)
    }

    private func receive(exactly count: Int, within timeout: Duration) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            guard waitUntilReadable(within: timeout) else { throw Failure("nothing to read within \(timeout)") }
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + offset, count - offset, 0) }
            if received < 0 && errno == EINTR { continue }
            if received <= 0 { throw Failure("the connection closed after \(offset) of \(count) bytes") }
            offset += received
        }
        return buffer
    }

    func close() { Glibc.close(descriptor) }
}
