// Hostile requests at the socket boundary, over real Unix sockets of an in-process daemon, each with
// its defined outcome: invalid UTF-8 in every string field of every cass and xf request gets the
// dialect's invalid-input error naming the field; a 10 MB text (inside the 10 MiB frame) is embedded,
// truncated like any long text, and one over the limit is refused before it is sent or read; as many
// one-letter texts as a frame holds (millions) are refused from the array's header, before decoding,
// and 5,000 get "too many texts" before any inference. After each,
// the daemon answers Health and an Embed with the right vector.
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
@testable import SemanticDaemon

/// A string field's stand-in while encoding; its bytes are then overwritten with invalid UTF-8 of
/// the same length, so every length prefix stays right.
private let marker = "\u{7}BAD\u{7}"
private let invalidUTF8: [UInt8] = [0xff, 0xfe, 0xc3, 0x28, 0xa0]

private func replacingMarker(in bytes: [UInt8]) -> [UInt8] {
    let pattern = Array(marker.utf8)
    var result = bytes
    var index = 0
    var replaced = 0
    while index + pattern.count <= result.count {
        if Array(result[index..<index + pattern.count]) == pattern {
            result.replaceSubrange(index..<index + pattern.count, with: invalidUTF8)
            replaced += 1
            index += pattern.count
        } else {
            index += 1
        }
    }
    precondition(replaced == 1, "the marker must occur exactly once")
    return result
}

/// The daemon answers Health on a fresh cass connection and embeds `text` as the engine does.
private func expectHealthyAndCorrect(_ socket: String, expected: [Float], text: String) async throws {
    let answers = try await offPool { () -> (Bool, [Float]?) in
        let connection = try DaemonConnection(socketPath: socket)
        defer { connection.close() }
        guard case .health(let health) = try connection.send(.health).response else { return (false, nil) }
        guard case .embed(let answer) = try connection.send(.embed(texts: [text], model: "default", dims: nil)).response else {
            return (health.ready, nil)
        }
        return (health.ready, answer.embeddings.first)
    }
    #expect(answers.0, "Health is ready")
    let vector = try #require(answers.1, "an Embed is answered")
    #expect(maxAbsoluteDifference(vector, expected) < 1e-5)
}

private func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite(.serialized) struct HostileRequestTests {
    static let probe = "the daemon is still here"

    @Test func invalidUTF8InEveryStringFieldOfEveryCassRequestIsAClearError() async throws {
        let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed([Self.probe])[0]
        let cases: [(request: Request, field: String)] = [
            (.embed(texts: ["fine", marker], model: "default", dims: nil), "texts[1]"),
            (.embed(texts: ["fine"], model: marker, dims: nil), "model"),
            (.rerank(query: marker, documents: ["a"], model: "default"), "query"),
            (.rerank(query: "q", documents: ["a", marker], model: "default"), "documents[1]"),
            (.rerank(query: "q", documents: ["a"], model: marker), "model"),
            (.submitEmbeddingJob(dbPath: marker, indexPath: "/nonexistent/i", twoTier: false, fastModel: nil, qualityModel: nil), "db_path"),
            (.submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: marker, twoTier: false, fastModel: nil, qualityModel: nil), "index_path"),
            (.submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: "/nonexistent/i", twoTier: true, fastModel: marker, qualityModel: nil), "fast_model"),
            (.submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: "/nonexistent/i", twoTier: true, fastModel: nil, qualityModel: marker), "quality_model"),
            (.embeddingJobStatus(dbPath: marker), "db_path"),
            (.cancelEmbeddingJob(dbPath: marker, modelID: nil), "db_path"),
            (.cancelEmbeddingJob(dbPath: "/nonexistent/a.db", modelID: marker), "model_id"),
        ]
        try await RunningDaemon.with { running in
            let connection = try await running.connect()
            for (number, item) in cases.enumerated() {
                let frame = replacingMarker(in: try RequestEnvelope(requestID: "hostile-\(number)", request: item.request).encodedFrame())
                let answer = try await connection.sendRaw(frame)
                guard case .error(let error) = answer.response else {
                    Issue.record("\(item.request.variantName).\(item.field): answered \(answer.response)")
                    continue
                }
                #expect(error.code == .invalidInput && !error.retryable, "\(item.field): \(error)")
                #expect(error.message.contains("UTF-8") && error.message.contains(item.field), "\(item.field): \(error.message)")
            }
            // The envelope's own string: the request id.
            let badID = replacingMarker(in: try RequestEnvelope(requestID: marker, request: .health).encodedFrame())
            let answer = try await connection.sendRaw(badID)
            guard case .error(let error) = answer.response else { Issue.record("request_id: answered \(answer)"); return }
            #expect(error.code == .invalidInput && error.message.contains("request_id") && error.message.contains("UTF-8"),
                    "\(error.message)")
            #expect(answer.requestID == "error", "an unreadable id is answered with the id \"error\"")
            // The same connection still serves, and so does a fresh one.
            guard case .health = try await connection.send(.health).response else { Issue.record("the connection broke"); return }
            try await expectHealthyAndCorrect(running.socket, expected: expected, text: Self.probe)
        }
    }

    @Test func invalidUTF8InEveryStringFieldOfEveryXFRequestIsAClearError() async throws {
        let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed([Self.probe])[0]
        let cases: [XFRequest] = [
            .embed(texts: ["fine", marker], model: "default", dims: nil),
            .embed(texts: ["fine"], model: marker, dims: nil),
            .rerank(query: marker, documents: ["a"], model: "default"),
            .rerank(query: "q", documents: [marker], model: "default"),
            .rerank(query: "q", documents: ["a"], model: marker),
            .submitEmbeddingJob(dbPath: marker, indexPath: "/nonexistent/i", modelID: "minilm", twoTier: false, fastModel: nil, qualityModel: nil),
            .submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: marker, modelID: "minilm", twoTier: false, fastModel: nil, qualityModel: nil),
            .submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: "/nonexistent/i", modelID: marker, twoTier: false, fastModel: nil, qualityModel: nil),
            .submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: "/nonexistent/i", modelID: "m", twoTier: true, fastModel: marker, qualityModel: nil),
            .submitEmbeddingJob(dbPath: "/nonexistent/a.db", indexPath: "/nonexistent/i", modelID: "m", twoTier: true, fastModel: nil, qualityModel: marker),
            .embeddingJobStatus(dbPath: marker),
            .cancelEmbeddingJob(dbPath: marker, modelID: nil),
            .cancelEmbeddingJob(dbPath: "/nonexistent/a.db", modelID: marker),
        ]
        try await RunningDaemon.withXF { running in
            let xfSocket = running.xfSocket
            let problems = try await offPool { () -> [String] in
                var problems: [String] = []
                let client = try XFTestClient(socketPath: xfSocket)
                defer { client.close() }
                for (number, request) in cases.enumerated() {
                    let id = UInt64(1000 + number)
                    let payload = replacingMarker(in: try request.messagePackBytes())
                    let reply = try client.sendRaw(try XFEnvelope(id: id, payload: payload).encodedFrame())
                    guard reply.id == id, case .error(let code, let message) = try reply.response(), code == .invalidRequest,
                          message.contains("UTF-8") else {
                        problems.append("\(request.variantName) #\(number): \(reply.id) \(String(describing: try? reply.response()))")
                        continue
                    }
                }
                guard case .health = try client.send(.health).response else { return problems + ["the connection broke"] }
                return problems
            }
            #expect(problems.isEmpty, "\(problems)")
            try await expectHealthyAndCorrect(running.socket, expected: expected, text: Self.probe)
        }
    }

    @Test func aTenMegabyteTextIsEmbeddedTruncatedAndALargerOneIsRefused() async throws {
        let embedder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory)
        // 10,000,000 bytes of one repeated word: within the 10 MiB frame. The model reads its first
        // max-length tokens, so the answer equals the vector of any text of the same word that long.
        let huge = String(repeating: "word ", count: 2_000_000)
        let truncatedEquivalent = try embedder.embed([String(repeating: "word ", count: 1_000)])[0]
        let expected = try embedder.embed([Self.probe])[0]
        // Tokenizing 10 MB takes a while in a debug build on a busy machine: no request timeout here.
        try await RunningDaemon.withXF(configure: { $0.requestTimeout = .seconds(900) }) { running in
            let socket = running.socket, xfSocket = running.xfSocket
            let answer = try await offPool { try DaemonConnection(socketPath: socket).send(.embed(texts: [huge], model: "default", dims: nil),
                                                                                            timeout: .seconds(600)) }
            guard case .embed(let embedded) = answer.response else { Issue.record("\(answer.response)"); return }
            #expect(embedded.embeddings.count == 1 && maxAbsoluteDifference(embedded.embeddings[0], truncatedEquivalent) < 1e-5)

            let overXF = try await offPool { try xfRequest(.embed(texts: [huge], model: "default", dims: nil), socket: xfSocket,
                                                           timeout: .seconds(600)) }
            guard case .embeddings(let vectors) = overXF else { Issue.record("xf: \(overXF)"); return }
            #expect(vectors.count == 1 && maxAbsoluteDifference(vectors[0], truncatedEquivalent) < 1e-5)

            // Over the limit: the client refuses to frame it; a peer that announces it anyway is
            // answered with an error naming the limit before its body is read.
            let tooLarge = String(repeating: "word ", count: 2_200_000)
            await #expect(throws: ClientError.self) {
                _ = try await offPool { try DaemonConnection(socketPath: socket).send(.embed(texts: [tooLarge], model: "default", dims: nil)) }
            }
            let refusal = try await offPool { () -> ResponseEnvelope in
                let raw = try DaemonConnection(socketPath: socket)
                let length = UInt32(Frame.maximumBodyLength + 1)
                return try raw.sendRaw([UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), 0x93])
            }
            guard case .error(let error) = refusal.response else { Issue.record("\(refusal)"); return }
            #expect(error.code == .invalidInput && error.message.contains("limit"), "\(error.message)")
            try await expectHealthyAndCorrect(socket, expected: expected, text: Self.probe)
        }
    }

    @Test func millionsOfTinyTextsInOneFrameAreRefusedBeforeTheyAreDecoded() async throws {
        let expected = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory).embed([Self.probe])[0]
        // "a" is 2 bytes as MessagePack: about 5.2 million of them fill a cass frame, 3.4 million an xf
        // frame (whose payload spends 3 bytes on each). Decoded they would cost 16 bytes a text, so the
        // decoder refuses any array over 1,048,576 elements from its header, before reserving anything.
        // Up to that, a request over the daemon's 4,096 texts gets "too many texts" with its own id.
        let cassCount = (Frame.maximumBodyLength - 64) / 2
        let xfCount = (Frame.maximumBodyLength - 64) / 3
        try await RunningDaemon.withXF { running in
            let socket = running.socket, xfSocket = running.xfSocket
            let answer = try await offPool { () -> ResponseEnvelope in
                let frame = try RequestEnvelope(requestID: "many", request: .embed(texts: Array(repeating: "a", count: cassCount),
                                                                                     model: "default", dims: nil)).encodedFrame()
                precondition(frame.count <= Frame.maximumBodyLength + 4)
                return try DaemonConnection(socketPath: socket).sendRaw(frame, timeout: .seconds(600))
            }
            guard case .error(let error) = answer.response else { Issue.record("\(answer.response)"); return }
            #expect(error.code == .invalidInput && error.message.contains("payload.Embed.texts: \(cassCount) elements")
                    && error.message.contains("1048576"), "\(error.message)")
            #expect(answer.requestID == "error")

            let some = try await offPool { () -> ResponseEnvelope in
                try DaemonConnection(socketPath: socket).sendRaw(try RequestEnvelope(
                    requestID: "some", request: .embed(texts: Array(repeating: "a", count: 5_000), model: "default", dims: nil))
                    .encodedFrame(), timeout: .seconds(60))
            }
            guard case .error(let tooMany) = some.response else { Issue.record("\(some.response)"); return }
            #expect(tooMany.code == .invalidInput && tooMany.message.contains("too many texts: 5000"), "\(tooMany.message)")
            #expect(some.requestID == "some")

            let xfAnswer = try await offPool {
                try xfRequest(.embed(texts: Array(repeating: "a", count: xfCount), model: "default", dims: nil), socket: xfSocket,
                              timeout: .seconds(600))
            }
            guard case .error(let code, let message) = xfAnswer else { Issue.record("xf: \(xfAnswer)"); return }
            #expect(code == .invalidRequest && message.contains("1048576"), "\(message)")
            try await expectHealthyAndCorrect(socket, expected: expected, text: Self.probe)
        }
    }
}
