// The real `semd` binary with the real MiniLM serving cass's socket and xf's at once: concurrent cass
// and xf clients get the same vector for the same text (matching the reference embeddings), the
// hash embedder's spec vectors come back through both dialects, unknown xf names get code 3, and
// SIGTERM removes both sockets. Every blocking call runs on a thread of its own.
import Foundation
import SemanticClient
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct XFLiveDaemonTests {
    /// Reference MiniLM embeddings (sentence-transformers, f32) for a few non-empty goldens.
    func referenceEmbeddings(count: Int) throws -> [(text: String, embedding: [Float])] {
        guard let root = try Fixtures.json("goldens/minilm_embeddings.json") as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else { throw FixtureError.malformed("minilm_embeddings.json") }
        return cases.compactMap { entry -> (String, [Float])? in
            guard let text = entry["text"] as? String, text.count > 10, text.count < 200,
                  let embedding = entry["embedding"] as? [Double] else { return nil }
            return (text, embedding.map(Float.init))
        }.prefix(count).map { $0 }
    }

    @Test func aLiveSemdAnswersCassAndXFAtOnceWithIdenticalVectors() async throws {
        let real = try Fixtures.requireRealEmbedder()
        let references = try referenceEmbeddings(count: 3)
        #expect(references.count == 3)
        let scratch = try TemporaryDirectory.forDaemon()
        defer { scratch.remove() }
        let socket = scratch.path("c.sock").path
        let xfSocket = scratch.path("x.sock").path
        let daemon = try DaemonProcess(socket: socket, arguments: [
            "--models-dir", real.deletingLastPathComponent().path, "--xf-socket", xfSocket,
        ])
        defer { daemon.stop() }
        try await offPool {
            try daemon.waitUntil("the xf socket reports both models loaded", within: .seconds(180)) {
                guard case .health(let health)? = try? xfRequest(.health, socket: xfSocket, timeout: .seconds(5)) else { return false }
                return health.modelsLoaded >= 2
            }
        }

        // Six clients at once: three cass clients on the cass socket, three xf clients on the xf
        // socket (one connection per request, as xf's client does), each embedding every text.
        let texts = references.map(\.text)
        let vectors = VectorsBox()
        let failures = await runOnThreads(count: 6) { client -> String? in
            do {
                for round in 0..<3 {
                    let text = (client + round) % texts.count
                    if client < 3 {
                        let answer = try DaemonConnection(socketPath: socket).send(
                            .embed(texts: [texts[text]], model: "default", dims: nil), timeout: .seconds(120))
                        guard case .embed(let response) = answer.response, response.model == "minilm-384" else {
                            return "cass \(client): \(answer)"
                        }
                        vectors.add(dialect: "cass", model: "default", text: text, response.embeddings[0])
                    } else {
                        let response = try xfRequest(.embed(texts: [texts[text]], model: "default", dims: nil), socket: xfSocket)
                        guard case .embeddings(let answer) = response else { return "xf \(client): \(response)" }
                        vectors.add(dialect: "xf", model: "default", text: text, answer[0])
                    }
                }
                return nil
            } catch {
                return "client \(client): \(error)"
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        for (index, reference) in references.enumerated() {
            let cass = vectors.all(dialect: "cass", model: "default", text: index)
            let xf = vectors.all(dialect: "xf", model: "default", text: index)
            #expect(cass.count == 3 && xf.count == 3)
            // bit for bit when the requests ran alike; within the batching tolerance when the daemon
            // merged some with other clients' texts
            for answer in cass + xf where answer.count == cass.first?.count {
                #expect(compare(answer, cass[0]).maxAbs <= 1e-6, "text \(index): the dialects disagree")
            }
            if let first = xf.first {
                let difference = compare(first, reference.embedding)
                #expect(first.count == 384 && difference.maxAbs <= 1e-5, "text \(index): \(difference)")
            }
        }

        // The hash embedder through both dialects on the live daemon: the spec's vectors.
        let exampleTexts = hashEmbedderExamples.map(\.text)
        let (cassHash, xfHash, unknown, status) = try await offPool { () -> ([[Float]], [[Float]], XFResponse, XFResponse) in
            let cassAnswer = try DaemonConnection(socketPath: socket).send(.embed(texts: exampleTexts, model: "fnv1a-384", dims: nil))
            guard case .embed(let cassVectors) = cassAnswer.response else { throw XFTestError.unexpected("\(cassAnswer)") }
            guard case .embeddings(let xfVectors) = try xfRequest(.embed(texts: exampleTexts, model: "hash", dims: nil),
                                                                   socket: xfSocket) else { throw XFTestError.unexpected("xf") }
            let unknown = try xfRequest(.rerank(query: "q", documents: ["d"], model: "flashrank-nano"), socket: xfSocket)
            return (cassVectors.embeddings, xfVectors, unknown, try xfRequest(.status, socket: xfSocket))
        }
        for (index, example) in hashEmbedderExamples.enumerated() {
            #expect(hashMismatches(cassHash[index], example.buckets).isEmpty, "cass \(example.text)")
            #expect(hashMismatches(xfHash[index], example.buckets).isEmpty, "xf \(example.text)")
        }
        guard case .error(let code, let message) = unknown else { Issue.record("\(unknown)"); return }
        #expect(code == .unknownModel && message.contains("flashrank-nano"))
        guard case .status(let report) = status else { Issue.record("\(status)"); return }
        let miniLM = report.models.first { $0.name == "minilm-384" }
        #expect(miniLM?.modelType == "embedder" && (miniLM?.requestsServed ?? 0) >= 9, "\(report.models)")
        #expect(report.requestsServed >= 20 && report.residentMegabytes > 50)

        // SIGTERM: both sockets go away with the daemon.
        daemon.signal(SIGTERM)
        let status0 = try await offPool { daemon.waitForExit(timeout: .seconds(120)) }
        #expect(status0 == 0)
        var entry = stat()
        #expect(lstat(socket, &entry) != 0 && lstat(xfSocket, &entry) != 0, "a socket was left behind")
    }
}

/// The real `semd`'s xf switches: `XF_DAEMON_SOCKET` picks the socket, `--no-xf` serves cass only.
@Suite(.serialized) struct XFSwitchesTests {
    @Test func xfDaemonSocketPicksTheSocketAndNoXFTurnsItOff() async throws {
        let scratch = try TemporaryDirectory.forDaemon()
        defer { scratch.remove() }
        let noModels = scratch.path("models")
        try FileManager.default.createDirectory(at: noModels, withIntermediateDirectories: true)
        let xfSocket = scratch.path("env-xf.sock").path
        let withXF = try DaemonProcess(socket: scratch.path("a.sock").path, arguments: ["--models-dir", noModels.path],
                                       environment: ["XF_DAEMON_SOCKET": xfSocket])
        defer { withXF.stop() }
        // The hash embedder needs no model files: the xf socket answers it at once.
        let answered = try await offPool { () -> XFResponse? in
            var response: XFResponse?
            try withXF.waitUntil("the xf socket answers", within: .seconds(60)) {
                response = try? xfRequest(.embed(texts: ["hello world"], model: "hash", dims: nil), socket: xfSocket,
                                          timeout: .seconds(5))
                return response != nil
            }
            return response
        }
        guard case .embeddings(let vectors)? = answered else { Issue.record("\(String(describing: answered)) \(withXF.errorOutput)"); return }
        #expect(hashMismatches(vectors[0], hashEmbedderExamples[0].buckets).isEmpty)

        let cassOnly = try DaemonProcess(socket: scratch.path("b.sock").path, arguments: ["--models-dir", noModels.path, "--no-xf"])
        defer { cassOnly.stop() }
        let lock = DaemonPaths(socket: scratch.path("b.sock").path).runLock
        let listeners = try await offPool { () -> [String]? in
            var dialects: [String]?
            try cassOnly.waitUntil("the heartbeat lists the listeners", within: .seconds(60)) {
                dialects = LockFile.readHeartbeat(at: lock)?.listeners?.map(\.dialect)
                return dialects != nil
            }
            return dialects
        }
        #expect(listeners == ["cass"], "\(cassOnly.errorOutput)")
        #expect(!cassOnly.errorOutput.contains("xf dialect"), "\(cassOnly.errorOutput)")
    }
}
