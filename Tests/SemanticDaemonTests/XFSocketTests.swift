// One in-process daemon serving cass's socket and xf's over real Unix sockets, on the tiny models and
// the hash embedder: both dialects at once from concurrent clients with the same vectors, either
// dialect on either socket, malformed xf frames answered while the daemon keeps serving, the
// heartbeat's sockets and counts, and the xf socket's lock, foreign-daemon and cleanup rules.
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

extension RunningDaemon {
    /// Serves the tiny models and the hash embedder with an xf socket beside the cass socket.
    static func startWithXF(configure: (inout DaemonConfiguration) -> Void = { _ in }) async throws -> RunningDaemon {
        try await RunningDaemon(registry: XFDialectTests.registry) { configuration in
            configuration.xfPaths = DaemonPaths(socket: (configuration.paths.parentDirectory as NSString)
                .appendingPathComponent("xf.sock"))
            configure(&configuration)
        }
    }

    /// Runs `body` against such a daemon and stops it (awaited) afterwards, also when `body` throws.
    static func withXF(configure: (inout DaemonConfiguration) -> Void = { _ in },
                       _ body: (RunningDaemon) async throws -> Void) async throws {
        try await startWithXF(configure: configure).run(body)
    }
}

@Suite(.serialized) struct XFSocketTests {
    @Test func bothSocketsAnswerTheirDialectsAtOnceWithIdenticalVectors() async throws {
        try await RunningDaemon.withXF(configure: { $0.maxBatchWait = .milliseconds(5) }) { running in
            let texts = (0..<4).map { "shared text \($0) about daemons and dialects" }
            let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed(texts)
            let (cassSocket, xfSocket) = (running.socket, running.xfSocket)
            let vectors = VectorsBox()
            let cassBefore = running.daemon.service.ledger.requests(of: .cass)  // the readiness polls
            // Eight clients at once, each on a thread of its own: four speak cass on the cass socket (one
            // connection, many requests), four speak xf on the xf socket (one connection per request).
            let failures = await runOnThreads(count: 8) { client -> String? in
                let text = client % 4
                do {
                    for round in 0..<5 {
                        let model = round == 4 ? "hash" : "default"
                        if client < 4 {
                            let connection = try DaemonConnection(socketPath: cassSocket)
                            let answer = try connection.send(.embed(texts: [texts[text]], model: model == "hash" ? "fnv1a-384" : model,
                                                                    dims: nil))
                            guard case .embed(let response) = answer.response else { return "cass \(client): \(answer)" }
                            vectors.add(dialect: "cass", model: model, text: text, response.embeddings[0])
                        } else {
                            let response = try xfRequest(.embed(texts: [texts[text]], model: model, dims: nil), socket: xfSocket)
                            guard case .embeddings(let answer) = response else { return "xf \(client): \(response)" }
                            vectors.add(dialect: "xf", model: model, text: text, answer[0])
                        }
                    }
                    return nil
                } catch {
                    return "client \(client): \(error)"
                }
            }
            #expect(failures.isEmpty, "\(failures)")
            for text in 0..<4 {
                let cass = vectors.all(dialect: "cass", model: "default", text: text)
                let xf = vectors.all(dialect: "xf", model: "default", text: text)
                #expect(cass.count == 4 && xf.count == 4)
                // The same vector across dialects and requests, and the engine's own: bit for bit when the
                // requests ran alike, within the batching tolerance when the scheduler merged some of them
                // with other clients' texts (the AVX-512 kernels take another code path for a few rows).
                for answer in cass + xf where answer.count == cass.first?.count {
                    #expect(compare(answer, cass[0]).maxAbs <= 1e-6, "text \(text) differs between answers")
                }
                #expect(compare(xf[0], expected[text]).maxAbs <= 1e-6)
                let hashes = vectors.all(dialect: "cass", model: "hash", text: text) + vectors.all(dialect: "xf", model: "hash", text: text)
                #expect(hashes.count == 2 && hashes[0].map(\.bitPattern) == hashes[1].map(\.bitPattern))
                #expect(hashes[0] == (try HashEmbedder().embed(texts[text])))
            }
            #expect(running.daemon.service.ledger.requests(of: .cass) - cassBefore == 20)
            #expect(running.daemon.service.ledger.requests(of: .xf) == 20)
        }
    }

    @Test func theHashEmbedderGivesTheSpecVectorsOverBothSockets() async throws {
        try await RunningDaemon.withXF { running in
            let (cassSocket, xfSocket) = (running.socket, running.xfSocket)
            let texts = hashEmbedderExamples.map(\.text)
            let (cass, xf) = try await offPool { () -> ([[Float]], [[Float]]) in
                let cassAnswer = try DaemonConnection(socketPath: cassSocket).send(.embed(texts: texts, model: "fnv1a-384", dims: nil))
                guard case .embed(let cassVectors) = cassAnswer.response, cassVectors.model == "fnv1a-384" else {
                    throw XFTestError.unexpected("\(cassAnswer)")
                }
                guard case .embeddings(let xfVectors) = try xfRequest(.embed(texts: texts, model: "hash-fnv1a-384", dims: nil),
                                                                       socket: xfSocket) else {
                    throw XFTestError.unexpected("xf")
                }
                return (cassVectors.embeddings, xfVectors)
            }
            for (index, example) in hashEmbedderExamples.enumerated() {
                #expect(hashMismatches(cass[index], example.buckets).isEmpty, "cass \(example.text)")
                #expect(hashMismatches(xf[index], example.buckets).isEmpty, "xf \(example.text)")
            }
        }
    }

    @Test func eitherSocketAcceptsEitherDialect() async throws {
        try await RunningDaemon.withXF { running in
            let (cassSocket, xfSocket) = (running.socket, running.xfSocket)
            let (onCass, onXF) = try await offPool { () -> (XFResponse, ResponseEnvelope) in
                let xfOnCass = try xfRequest(.health, socket: cassSocket)
                let cassOnXF = try DaemonConnection(socketPath: xfSocket).send(.health)
                return (xfOnCass, cassOnXF)
            }
            guard case .health = onCass else { Issue.record("\(onCass)"); return }
            guard case .health = onXF.response else { Issue.record("\(onXF)"); return }
        }
    }

    @Test func unknownModelsOverTheSocketGetCode3() async throws {
        try await RunningDaemon.withXF { running in
            let xfSocket = running.xfSocket
            let answers = try await offPool {
                try [XFRequest.embed(texts: ["x"], model: "bge-small-en-v1.5", dims: nil),
                     .rerank(query: "q", documents: ["d"], model: "flashrank-nano")].map { try xfRequest($0, socket: xfSocket) }
            }
            #expect(answers.allSatisfy { if case .error(.unknownModel, _) = $0 { true } else { false } }, "\(answers)")
        }
    }

    @Test func malformedXFFramesGetAnErrorAndTheDaemonKeepsServing() async throws {
        try await RunningDaemon.withXF { running in
            let xfSocket = running.xfSocket
            let outcome = try await offPool { () -> [String] in
                var problems: [String] = []
                let client = try XFTestClient(socketPath: xfSocket)
                defer { client.close() }
                guard case .health = try client.send(.health).response else { return ["no health"] }
                // The connection speaks xf now: garbage, a bad payload and a byte value over 255 each get
                // INVALID_REQUEST (id 0 when the envelope itself is unreadable), and it stays usable.
                let frames: [([UInt8], UInt64)] = [
                    (try Frame.encode(body: [0x93, 0x01, 0x05, 0xc1]), 0),
                    (try XFEnvelope(id: 77, payload: [0x81, 0xa5] + Array("Embed".utf8) + [0x93]).encodedFrame(), 77),
                    (try Frame.encode(body: [0x93, 0x01, 0x06, 0x91, 0xcd, 0x01, 0x00]), 0),
                    (try Frame.encode(body: []), 0),
                ]
                for (frame, id) in frames {
                    let reply = try client.sendRaw(frame)
                    guard case .error(.invalidRequest, let message) = try reply.response(), reply.id == id else {
                        problems.append("\(WireFrames.hex(frame)): \(reply)")
                        continue
                    }
                    if !message.contains("decode error") { problems.append(message) }
                }
                guard case .health = try client.send(.health).response else { return problems + ["no health after errors"] }

                // A first frame that is neither dialect's envelope: cass's InvalidInput.
                let other = try XFTestClient(socketPath: xfSocket)
                defer { other.close() }
                let neither = try ResponseEnvelope.decode(from: try other.sendRawForBody(try Frame.encode(body: [0xa5] + Array("hello".utf8))))
                if case .error(let error) = neither.response, error.code == .invalidInput, neither.requestID == "error" {} else {
                    problems.append("neither: \(neither)")
                }

                // An oversized first frame on the xf socket: an xf error, then the connection closes.
                let huge = try XFTestClient(socketPath: xfSocket)
                defer { huge.close() }
                let refusal = try huge.sendRaw([0x7f, 0xff, 0xff, 0xff, 0x93])
                if case .error(.invalidRequest, let message) = try refusal.response(), message.contains("limit") {} else {
                    problems.append("oversized: \(refusal)")
                }
                // Half a frame, then the client goes away.
                let half = try UnixSocketConnection.connect(to: xfSocket)
                try half.send([0, 0, 0, 40, 0x93, 0x01], deadline: .now + .seconds(1))
                half.close()
                // A fresh xf client is served.
                guard case .health = try xfRequest(.health, socket: xfSocket) else { return problems + ["no health at the end"] }
                return problems
            }
            #expect(outcome.isEmpty, "\(outcome)")
        }
    }

    @Test func theHeartbeatAndStatusListBothSocketsWithTheirCounts() async throws {
        try await RunningDaemon.withXF { running in
            let (cassSocket, xfSocket) = (running.socket, running.xfSocket)
            try await offPool {
                for _ in 0..<3 { _ = try xfRequest(.health, socket: xfSocket) }
                _ = try DaemonConnection(socketPath: cassSocket).send(.status)
            }
            let cassCount = running.daemon.service.ledger.requests(of: .cass)
            #expect(running.daemon.service.ledger.requests(of: .xf) == 3)
            let expected = [LockFile.Listener(dialect: "cass", socket: cassSocket, requests: cassCount),
                            LockFile.Listener(dialect: "xf", socket: xfSocket, requests: 3)]
            let paths = running.daemon.configuration
            try await eventually {
                LockFile.readHeartbeat(at: paths.paths.runLock)?.listeners == expected
                    && LockFile.readHeartbeat(at: paths.xfPaths!.runLock)?.listeners == expected
            }
            #expect(LockFile.isHeld(at: paths.xfPaths!.runLock) == true)
            let status = try await offPool {
                try SemanticClient(configuration: ClientConfiguration(
                    paths: DaemonPaths(socket: cassSocket), modelsRoot: ModelsRoot(url: Fixtures.url("goldens"), source: .flag))).status()
            }
            #expect(status.listeners.map(\.dialect) == ["cass", "xf"] && status.listeners.map(\.socket) == [cassSocket, xfSocket])
            #expect(status.listeners[1].requests == 3)
        }
    }

    @Test func stoppingRemovesTheXFSocketAndReleasesItsLock() async throws {
        let running = try await RunningDaemon.startWithXF()
        let xf = running.daemon.configuration.xfPaths!
        #expect(FileManager.default.fileExists(atPath: xf.socket))
        running.daemon.requestStop(reason: "test")
        try await running.task.value
        var status = stat()
        #expect(lstat(xf.socket, &status) != 0, "the xf socket or its symlink is left behind")
        // The daemon closed the lock's descriptor before it returned; a subprocess another test forks at
        // that moment holds a copy of every descriptor until its exec (close-on-exec), so the lock may
        // read as held for that instant: wait for it to be free.
        #expect(await Poll.holds(within: .seconds(10)) { LockFile.isHeld(at: xf.runLock) == false })
        running.scratch.remove()
    }

    @Test func aSecondDaemonLeavesTheXFSocketToTheFirstOrFailsWhenItWasRequired() async throws {
        try await RunningDaemon.withXF { first in
            let shared = first.daemon.configuration.xfPaths!
            // Not required (xf's default path): the second daemon serves cass only.
            try await RunningDaemon.with(registry: XFDialectTests.registry, configure: { $0.xfPaths = shared }) { second in
                let secondLock = second.daemon.configuration.paths.runLock
                try await eventually {
                    LockFile.readHeartbeat(at: secondLock)?.listeners?.map(\.dialect) == ["cass"]
                }
                let xfSocket = first.xfSocket
                guard case .health = try await offPool({ try xfRequest(.health, socket: xfSocket) }) else {
                    Issue.record("xf lost")
                    return
                }
                #expect(first.daemon.service.ledger.requests(of: .xf) == 1)
            }
            try await requiredXFSocketFails(shared)
        }
    }

    /// Required (given with --xf-socket): the start fails and the cass socket is cleaned up.
    func requiredXFSocketFails(_ shared: DaemonPaths) async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-xf-required")
        defer { scratch.remove() }
        var configuration = RunningDaemon.configuration(in: scratch)
        configuration.xfPaths = shared
        configuration.xfSocketRequired = true
        let third = RunningDaemon.makeDaemon(configuration: configuration, registry: XFDialectTests.registry,
                                             logger: Logger(label: "test"))
        await #expect(throws: DaemonError.self) { try await third.run() }
        #expect(!FileManager.default.fileExists(atPath: configuration.paths.socket))
        #expect(LockFile.isHeld(at: configuration.paths.runLock) == false)
    }

    @Test func aForeignProcessListeningOnTheXFPathKeepsIt() async throws {
        let scratch = try TemporaryDirectory(prefix: "semd-xf-foreign")
        defer { scratch.remove() }
        // Something that is not semd (no run lock) listens where xf's daemon would.
        let foreignPaths = DaemonPaths(socket: scratch.path("xf-daemon-test.sock").path)
        let foreign = try OwnerOnlySocket.bind(foreignPaths)
        defer {
            close(foreign.descriptor)
            OwnerOnlySocket.cleanUp(foreign)
        }
        try await RunningDaemon.with(registry: XFDialectTests.registry, configure: { $0.xfPaths = foreignPaths }) { running in
            let lock = running.daemon.configuration.paths.runLock
            try await eventually { LockFile.readHeartbeat(at: lock)?.listeners?.map(\.dialect) == ["cass"] }
            #expect(OwnerOnlySocket.isStillPublished(foreign))
        }
    }
}

/// Vectors collected from many client threads.
final class VectorsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var vectors: [String: [[Float]]] = [:]

    func add(dialect: String, model: String, text: Int, _ vector: [Float]) {
        lock.withLock { vectors["\(dialect)|\(model)|\(text)", default: []].append(vector) }
    }

    func all(dialect: String, model: String, text: Int) -> [[Float]] {
        lock.withLock { vectors["\(dialect)|\(model)|\(text)"] ?? [] }
    }
}
