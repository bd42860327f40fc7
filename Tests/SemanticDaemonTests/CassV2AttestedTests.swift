// cass protocol v2 against a real daemon serving the real MiniLM on real sockets: a v2 client's whole
// sequence (Health → ConnectionIdentity → HandshakeAttested → HealthAttested → EmbedAttested embed and
// embed_batch) with every proof verified the way cass's client does (§6.4: the key read from the data
// directory, the endpoint fingerprint of the socket it connected to, challenge and connection pinned,
// payload digest and HMAC), while v1 and xf clients use the same daemon; attested vectors equal v1's.
// Then the faults: a tampered challenge, an operation that does not fit the request, a wrong connection
// fingerprint, an empty text, too many texts, a version-3 frame, trailing bytes, and a channel that
// cannot start (a symlinked key file) while v1 and xf keep serving.
import Foundation
import SemanticAttestation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticService
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

/// A blocking cass v2 client on one connection, as cass's transport: one frame out, one frame in.
final class CassV2TestClient {
    let connection: UnixSocketConnection
    private var next = 0

    init(socket: String) throws {
        connection = try UnixSocketConnection.connect(to: socket)
    }

    deinit { connection.close() }

    /// Sends raw frame bytes and returns the answer's envelope (its version and request id unchecked).
    func exchange(_ frame: [UInt8]) throws -> CassV2ResponseEnvelope {
        try connection.send(frame, deadline: .now + .seconds(120))
        let header = try connection.receive(exactly: 4, deadline: .now + .seconds(120))
        let body = try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: .now + .seconds(120))
        return try CassV2ResponseEnvelope.decode(frameBody: body)
    }

    /// Sends `request` and returns the response, checking what cass's client checks of every answer.
    func send(_ request: CassV2Request) throws -> CassV2Response {
        next += 1
        let id = "cass-test-\(next)"
        let answer = try exchange(try CassV2RequestEnvelope(requestID: id, payload: request).encodedFrame())
        #expect(answer.version == 2 && answer.requestID == id, "\(answer)")
        return answer.payload
    }
}

@Suite(.serialized) struct CassV2AttestedTests {
    static var realModels: URL { Fixtures.repositoryRoot.appendingPathComponent("Models", isDirectory: true) }

    /// A daemon serving the real models with the attested channel for a fresh cass data directory, on a
    /// cass v2 socket of its own beside its v1 and xf sockets; `body` runs once the channel is up (or,
    /// with `expectDown`, once it has failed).
    static func withAttestedDaemon(expectDown: Bool = false, prepare: (String) throws -> Void = { _ in },
                                   _ body: (RunningDaemon, String) async throws -> Void) async throws {
        _ = try Fixtures.requireRealEmbedder()
        let data = try TemporaryDirectory(prefix: "cass-data")
        defer { data.remove() }
        try prepare(data.url.path)
        try await RunningDaemon.with(registry: .daemon, modelsRoot: realModels, configure: { configuration in
            let directory = (configuration.paths.socket as NSString).deletingLastPathComponent
            configuration.cassDataDirectory = data.url.path
            configuration.cassV2Paths = DaemonPaths(socket: directory + "/cass-v2.sock")
            configuration.xfPaths = DaemonPaths(socket: directory + "/xf.sock")
            configuration.preloadReranker = false
        }) { running in
            let channel = try #require(running.daemon.attestedChannel)
            try await Poll.until("the attested channel has started", within: .seconds(600)) { channel.summary.state != .starting }
            if expectDown {
                #expect(channel.summary.state == .down, "\(channel.summary)")
            } else {
                #expect(channel.summary.state == .up, "\(channel.summary)")
            }
            try await body(running, data.url.path)
        }
    }

    /// What cass's client pins after `ConnectionIdentity`, from the data directory and its socket path.
    static func verifier(for identity: DaemonConnectionIdentityV1, dataDirectory: String, socket: String) throws -> AttestationVerifier {
        let key = try AttestationState.loadKey(dataDirectory: dataDirectory)
        let hmac = try key.withUnsafeBytes { try AttestationHMAC(keyBytes: Array($0)) }
        let endpoint = try SocketEndpointFingerprint.fingerprint(ofSocketPath: socket,
                                                                 currentDirectory: FileManager.default.currentDirectoryPath)
        return try AttestationVerifier(connection: identity, key: hmac, expectedEndpointFingerprint: endpoint)
    }

    @Test func aV2ClientsWholeSequenceVerifiesWhileV1AndXFClientsShareTheDaemon() async throws {
        try await Self.withAttestedDaemon { running, dataDirectory in
            let v2Socket = try #require(running.configuration.cassV2Paths?.socket)
            let texts = ["hello world", "semantic search finds related ideas", "a third text about daemons"]
            // v1 and xf clients on the same daemon at the same time, on threads of their own.
            let (v1Socket, xfSocket) = (running.socket, running.xfSocket)
            async let others: [String] = runOnThreads(count: 4) { client -> String? in
                do {
                    for _ in 0..<5 {
                        if client < 2 {
                            let connection = try DaemonConnection(socketPath: v1Socket)
                            defer { connection.close() }
                            guard case .embed = try connection.send(.embed(texts: [texts[0]], model: "default", dims: nil)).response
                            else { return "v1 client \(client) got no vectors" }
                        } else {
                            guard case .embeddings = try xfRequest(.embed(texts: [texts[1]], model: "default", dims: nil), socket: xfSocket)
                            else { return "xf client \(client) got no vectors" }
                        }
                    }
                    return nil
                } catch {
                    return "client \(client): \(error)"
                }
            }.compactMap { $0 }

            let (attested, identity) = try await offPool { () -> ([[Float]], DaemonConnectionIdentityV1) in
                let client = try CassV2TestClient(socket: v2Socket)
                guard case .health(let health) = try client.send(.health) else { throw FixtureError.malformed("no Health") }
                #expect(health.ready && health.version == 2)
                guard case .connectionIdentity(let identity) = try client.send(.connectionIdentity) else {
                    throw FixtureError.malformed("no ConnectionIdentity")
                }
                #expect(identity.embeddingIdentity.producer.backend == SemdEmbeddingIdentity.backend)
                #expect(identity.modelCategory == .transformerEmbedder && identity.embeddingIdentity.space.dimension == 384)
                let verifier = try Self.verifier(for: identity, dataDirectory: dataDirectory, socket: v2Socket)
                for operation in [DaemonOperationV1.handshake, .health] {
                    let challenge = try verifier.challenge(operation: operation, inputs: [])
                    let request: CassV2Request = operation == .handshake ? .handshakeAttested(challenge: challenge)
                        : .healthAttested(challenge: challenge)
                    guard case .attestation(let proof) = try client.send(request) else { throw FixtureError.malformed("no \(operation) proof") }
                    try verifier.verify(proof, challenge: challenge, vectors: [])
                }
                let single = try verifier.challenge(operation: .embed, inputs: [texts[0]])
                guard case .attestedEmbedding(let one) = try client.send(.embedAttested(texts: [texts[0]], model: "default", dims: nil,
                                                                                         challenge: single)) else {
                    throw FixtureError.malformed("no attested embedding")
                }
                let first = try verifier.verify(one, challenge: single)
                let batch = try verifier.challenge(operation: .embedBatch, inputs: texts)
                guard case .attestedEmbedding(let many) = try client.send(.embedAttested(texts: texts, model: "default", dims: nil,
                                                                                          challenge: batch)) else {
                    throw FixtureError.malformed("no attested batch")
                }
                let rest = try verifier.verify(many, challenge: batch)
                #expect(rest.count == 3)
                return (first + rest, identity)
            }
            #expect(identity.generation >= 1)
            #expect(try await others == [])

            // The attested vectors are semd's v1 vectors for the same texts.
            let v1 = try await offPool { () -> [[Float]] in
                let connection = try DaemonConnection(socketPath: running.socket)
                defer { connection.close() }
                guard case .embed(let answer) = try connection.send(.embed(texts: [texts[0]] + texts, model: "default", dims: nil)).response
                else { throw FixtureError.malformed("no v1 vectors") }
                return answer.embeddings
            }
            for (a, b) in zip(attested, v1) { #expect(1 - cosine(a, b) <= 1e-6) }
            #expect(running.service.ledger.requests(of: CassV2Door.door) == 6, "Health, ConnectionIdentity, two proofs, two embeddings")
        }
    }

    @Test func everyFaultGetsTheSpecsAnswerAndTheConnectionKeepsServing() async throws {
        try await Self.withAttestedDaemon { running, dataDirectory in
            let socket = try #require(running.configuration.cassV2Paths?.socket)
            try await offPool {
                let client = try CassV2TestClient(socket: socket)
                guard case .connectionIdentity(let identity) = try client.send(.connectionIdentity) else {
                    throw FixtureError.malformed("no ConnectionIdentity")
                }
                let verifier = try Self.verifier(for: identity, dataDirectory: dataDirectory, socket: socket)
                func expectError(_ request: CassV2Request, _ code: ErrorCode, _ message: String, _ note: String) throws {
                    let answer = try client.send(request)
                    guard case .error(let error) = answer else { Issue.record("\(note): \(answer)"); return }
                    #expect(error.code == code && error.message == message && !error.retryable, "\(note): \(error)")
                }
                let failed = "daemon attestation request failed verification"
                // A tampered challenge: the digest of other inputs.
                var tampered = try verifier.challenge(operation: .embed, inputs: ["hello"])
                tampered.orderedRequestSHA256 = try verifier.challenge(operation: .embed, inputs: ["other"]).orderedRequestSHA256
                try expectError(.embedAttested(texts: ["hello"], model: "default", dims: nil, challenge: tampered), .invalidInput, failed,
                                "tampered digest")
                // A wrong connection fingerprint.
                var foreign = try verifier.challenge(operation: .handshake, inputs: [])
                foreign.expectedConnectionFingerprint = String(repeating: "a", count: 64)
                try expectError(.handshakeAttested(challenge: foreign), .invalidInput, failed, "foreign connection")
                // An operation that does not fit the request's shape: `embed` with two texts.
                let twoAsOne = try verifier.challenge(operation: .embed, inputs: ["a"])
                try expectError(.embedAttested(texts: ["a", "b"], model: "default", dims: nil, challenge: twoAsOne), .invalidInput,
                                "attested embedding operation does not match the request shape", "operation")
                // A health challenge sent as a handshake.
                let health = try verifier.challenge(operation: .health, inputs: [])
                try expectError(.handshakeAttested(challenge: health), .invalidInput, failed, "handshake with a health challenge")
                // An empty text and too many texts.
                let empty = try verifier.challenge(operation: .embedBatch, inputs: ["x", ""])
                try expectError(.embedAttested(texts: ["x", ""], model: "default", dims: nil, challenge: empty), .invalidInput,
                                "inference input contains an empty text", "empty text")
                let many = Array(repeating: "t", count: 1_025)
                let tooMany = try verifier.challenge(operation: .embedBatch, inputs: many)
                try expectError(.embedAttested(texts: many, model: "default", dims: nil, challenge: tooMany), .invalidInput,
                                "inference request exceeds 1024 items", "too many texts")
                // An unknown model and a dimension the channel does not serve.
                let one = try verifier.challenge(operation: .embed, inputs: ["x"])
                let unknown = try client.send(.embedAttested(texts: ["x"], model: "bge-small", dims: nil, challenge: one))
                guard case .error(let unknownError) = unknown, unknownError.code == .modelNotFound else { Issue.record("\(unknown)"); return }
                let truncated = try client.send(.embedAttested(texts: ["x"], model: "default", dims: 128, challenge: one))
                guard case .error(let dimsError) = truncated, dimsError.code == .invalidInput else { Issue.record("\(truncated)"); return }
                // A version-3 frame: VersionMismatch with the id echoed, not run.
                let version3 = try client.exchange(try CassV2RequestEnvelope(version: 3, requestID: "v3", payload: .health).encodedFrame())
                #expect(version3.requestID == "v3" && version3.payload == .error(ErrorResponse(
                    code: .versionMismatch, message: "protocol version mismatch: expected 2, got 3", retryable: false)))
                // Trailing bytes after a whole request: a decode error, request id "error".
                let body = try CassV2RequestEnvelope(requestID: "t", payload: .health).encodedBody() + [0xc0]
                let trailing = try client.exchange(try Frame.encode(body: body))
                #expect(trailing.requestID == "error" && trailing.payload == .error(ErrorResponse(
                    code: .invalidInput, message: "decode error: decode error: trailing data in daemon frame", retryable: false)))
                // The connection still serves a verified proof.
                let challenge = try verifier.challenge(operation: .handshake, inputs: [])
                guard case .attestation(let proof) = try client.send(.handshakeAttested(challenge: challenge)) else {
                    throw FixtureError.malformed("no proof after the faults")
                }
                try verifier.verify(proof, challenge: challenge, vectors: [])
            }
        }
    }

    /// One connection, both versions: each frame is answered by its own envelope version's rules.
    @Test func aConnectionThatMixesVersionsGetsEachFrameAnsweredInItsOwnVersion() async throws {
        try await RunningDaemon.with { running in
            try await offPool {
                let client = try CassV2TestClient(socket: running.socket)
                let v1 = try client.connection.exchangeV1(.health)
                guard case .health(let first) = v1.response else { throw FixtureError.malformed("\(v1)") }
                #expect(first.version == 1)
                guard case .health(let second) = try client.send(.health) else { throw FixtureError.malformed("no v2 Health") }
                #expect(second.version == 2)
                // Plain (unattested) Embed and Rerank in v2, answered through the same service as v1.
                guard case .embed(let vectors) = try client.send(.embed(texts: ["x", "y"], model: "default", dims: nil)) else {
                    throw FixtureError.malformed("no v2 Embed")
                }
                #expect(vectors.model == "tiny-16" && vectors.embeddings.map(\.count) == [16, 16])
                guard case .rerank(let scores) = try client.send(.rerank(query: "q", documents: ["a", "b"], model: "default")) else {
                    throw FixtureError.malformed("no v2 Rerank")
                }
                #expect(scores.model == "tiny-ce" && scores.scores.count == 2)
                // The channel is not configured: attested requests are refused as cass's daemon refuses them.
                #expect(try client.send(.connectionIdentity) == .error(AttestedRequestError.channelUnavailable.errorResponse))
                guard case .health(let third) = try client.connection.exchangeV1(.health).response else {
                    throw FixtureError.malformed("no v1 Health after v2")
                }
                #expect(third.version == 1)
            }
        }
    }

    @Test func aSymlinkedKeyFileKeepsTheChannelDownWhileV1AndXFServe() async throws {
        try await Self.withAttestedDaemon(expectDown: true, prepare: { dataDirectory in
            let daemonDirectory = dataDirectory + "/daemon"
            try FileManager.default.createDirectory(atPath: daemonDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let elsewhere = dataDirectory + "/elsewhere.bin"
            FileManager.default.createFile(atPath: elsewhere, contents: Data(repeating: 7, count: 32),
                                           attributes: [.posixPermissions: 0o600])
            try FileManager.default.createSymbolicLink(atPath: daemonDirectory + "/attestation-key-v1.bin", withDestinationPath: elsewhere)
        }) { running, _ in
            let channel = try #require(running.daemon.attestedChannel)
            #expect(channel.summary.reason?.contains("attestation-key-v1.bin") == true, "\(channel.summary)")
            let socket = try #require(running.configuration.cassV2Paths?.socket)
            try await offPool {
                let client = try CassV2TestClient(socket: socket)
                #expect(try client.send(.connectionIdentity) == .error(AttestedRequestError.channelUnavailable.errorResponse))
                guard case .health(let health) = try client.send(.health) else { throw FixtureError.malformed("no Health") }
                #expect(health.ready && health.version == 2)
                let connection = try DaemonConnection(socketPath: running.socket)
                defer { connection.close() }
                guard case .embed(let answer) = try connection.send(.embed(texts: ["still serving"], model: "default", dims: nil)).response
                else { throw FixtureError.malformed("v1 stopped serving") }
                #expect(answer.embeddings.first?.count == 384)
                guard case .embeddings(let vectors) = try xfRequest(.embed(texts: ["still serving"], model: "default", dims: nil),
                                                                      socket: running.xfSocket) else {
                    throw FixtureError.malformed("xf stopped serving")
                }
                #expect(vectors.first?.count == 384)
            }
            // The heartbeat says why (what `semctl status` shows).
            try await Poll.until("the heartbeat reports the channel", within: .seconds(30)) {
                LockFile.readHeartbeat(at: running.configuration.paths.runLock)?.attestedChannel?.state == "down"
            }
        }
    }
}

extension UnixSocketConnection {
    /// One cass v1 request and its answer on this connection.
    func exchangeV1(_ request: Request) throws -> ResponseEnvelope {
        try send(try RequestEnvelope(requestID: "v1", request: request).encodedFrame(), deadline: .now + .seconds(60))
        let header = try receive(exactly: 4, deadline: .now + .seconds(60))
        return try ResponseEnvelope.decode(from: try receive(exactly: try Frame.bodyLength(header: header), deadline: .now + .seconds(60)))
    }
}

private func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}
