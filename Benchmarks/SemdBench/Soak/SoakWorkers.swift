// The load of `semd-bench soak`: each role runs in its own `semd-bench soak --worker ROLE` process until a
// wall-clock deadline and prints one line per finished request on stdout (`SoakLine`), which the
// coordinator reads. Every answer is checked (shape, dimension, count), so a wrong answer counts as
// an error like a refused one. The hostile roles (mid-frame disconnects) send nothing well-formed and
// count actions, not requests. Pacing pauses keep the load steady rather than flat out.
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire

/// The kinds of load; one worker process each.
enum SoakRole: String, CaseIterable {
    case cassEmbed = "cass-embed"      // two threads, one text per Embed, persistent connections
    case cassBatch = "cass-batch"      // 8 to 32 texts per Embed
    case xf = "xf"                     // xf dialect, one request per connection as xf's client does
    case http = "http"                 // OpenAI embeddings and TEI rerank over keep-alive HTTP
    case rerank = "rerank"             // cass Rerank, one query against 8 documents
    case job = "job"                   // background embedding jobs over generated archives, back to back
    case disconnect = "disconnect"     // clients that go away mid-frame, mid-body, or before the answer
    case storm = "storm"               // bursts of 16 connections at once, each Health + close
}

/// Where the workers find the daemon and what they send.
struct SoakTarget {
    let socket: String
    let xfSocket: String
    let httpPort: Int
    let deadline: Date
    let workDirectory: String
    let texts: [String]
    let query: String
    let documents: [String]
}

/// One result line: `ok ROLE END_EPOCH_MS LATENCY_MS`, `error ROLE END_EPOCH_MS MESSAGE`, or
/// `hostile ROLE END_EPOCH_MS 0` for an action that is not a request.
enum SoakLine {
    static let lock = NSLock()

    static func ok(_ role: String, _ started: ContinuousClock.Instant) {
        emit("ok \(role) \(nowMilliseconds()) \((ContinuousClock.now - started).seconds * 1000)")
    }
    static func error(_ role: String, _ message: String) {
        emit("error \(role) \(nowMilliseconds()) \(message.replacingOccurrences(of: "\n", with: " ").prefix(300))")
    }
    static func hostile(_ role: String) { emit("hostile \(role) \(nowMilliseconds()) 0") }

    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private static func emit(_ line: String) {
        lock.withLock { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }
}

struct SoakWorker {
    let role: SoakRole
    let target: SoakTarget

    var running: Bool { Date() < target.deadline }

    /// The dimension of every vector the daemon answers (MiniLM's).
    private var dimension: Int { ModelDescriptor.miniLM.dimension ?? 0 }

    func run() {
        switch role {
        case .cassEmbed: onThreads(2) { thread in cassEmbed(thread) }
        case .cassBatch: cassBatch()
        case .xf: xf()
        case .http: onThreads(2) { thread in http(thread) }
        case .rerank: rerank()
        case .job: job()
        case .disconnect: disconnect()
        case .storm: storm()
        }
    }

    // MARK: roles

    private func cassEmbed(_ thread: Int) {
        var connection: DaemonConnection?
        var index = thread * 7919
        while running {
            index += 1
            let text = target.texts[index % target.texts.count]
            let started = ContinuousClock.now
            do {
                if connection == nil || connection!.isBroken { connection = try DaemonConnection(socketPath: target.socket) }
                try checkEmbed(connection!.send(.embed(texts: [text], model: "default", dims: nil)), count: 1)
                SoakLine.ok("cass-embed", started)
            } catch {
                SoakLine.error("cass-embed", "\(error)")
                connection = nil
            }
            pause(milliseconds: 20)
        }
    }

    private func cassBatch() {
        var connection: DaemonConnection?
        var index = 0
        while running {
            let count = 8 + (index % 25)
            let texts = (0..<count).map { target.texts[(index + $0) % target.texts.count] }
            index += count
            let started = ContinuousClock.now
            do {
                if connection == nil || connection!.isBroken { connection = try DaemonConnection(socketPath: target.socket) }
                try checkEmbed(connection!.send(.embed(texts: texts, model: "minilm", dims: nil)), count: count)
                SoakLine.ok("cass-batch", started)
            } catch {
                SoakLine.error("cass-batch", "\(error)")
                connection = nil
            }
            pause(milliseconds: 150)
        }
    }

    private func xf() {
        var number: UInt64 = 0
        while running {
            number += 1
            let texts = number % 3 == 0 ? Array(target.texts.prefix(4)) : [target.texts[Int(number) % target.texts.count]]
            let request: XFRequest = number % 10 == 0 ? .health : .embed(texts: texts, model: "all-MiniLM-L6-v2", dims: nil)
            let started = ContinuousClock.now
            do {
                let response = try xfExchange(XFEnvelope(id: number, request: request))
                switch (request, response) {
                case (.health, .health): break
                case (.embed, .embeddings(let vectors)):
                    guard vectors.count == texts.count, vectors.allSatisfy({ $0.count == dimension }) else {
                        throw SoakFailure("xf: \(vectors.count) vectors for \(texts.count) texts")
                    }
                default: throw SoakFailure("xf: answered \(response.variantName) to \(request.variantName): \(response)")
                }
                SoakLine.ok("xf", started)
            } catch {
                SoakLine.error("xf", "\(error)")
            }
            pause(milliseconds: 60)
        }
    }

    private func http(_ thread: Int) {
        let endpoint = HTTPConnection.Endpoint.tcp(host: "127.0.0.1", port: target.httpPort)
        var connection: HTTPConnection?
        var number = thread * 104_729
        while running {
            number += 1
            let isRerank = number % 5 == 0
            let started = ContinuousClock.now
            do {
                // Every 20th request on a fresh connection, the rest keep-alive.
                if connection == nil || number % 20 == 0 {
                    connection?.close()
                    connection = try HTTPConnection.connect(to: endpoint)
                }
                if isRerank {
                    let body = try jsonText(["query": target.query, "documents": Array(target.documents.prefix(6)), "model": "ms-marco"])
                    let answer = try connection!.postJSON("/v1/rerank", body)
                    guard answer.status == 200, let results = answer.json?["results"] as? [[String: Any]], results.count == 6 else {
                        throw SoakFailure("http rerank: \(answer.status) \(answer.text.prefix(200))")
                    }
                } else {
                    let texts = number % 4 == 0 ? Array(target.texts.dropFirst(number % 50).prefix(8))
                        : [target.texts[number % target.texts.count]]
                    let answer = try connection!.postJSON("/v1/embeddings", try jsonText(["input": texts, "model": "minilm"]))
                    guard answer.status == 200, let data = answer.json?["data"] as? [[String: Any]], data.count == texts.count,
                          (data.first?["embedding"] as? [Double])?.count == dimension else {
                        throw SoakFailure("http embeddings: \(answer.status) \(answer.text.prefix(200))")
                    }
                }
                SoakLine.ok(isRerank ? "http-rerank" : "http-embed", started)
            } catch {
                SoakLine.error(isRerank ? "http-rerank" : "http-embed", "\(error)")
                connection?.close()
                connection = nil
            }
            pause(milliseconds: 40)
        }
        connection?.close()
    }

    private func rerank() {
        var connection: DaemonConnection?
        var shift = 0
        while running {
            shift += 1
            let documents = (0..<8).map { target.documents[($0 + shift) % target.documents.count] }
            let started = ContinuousClock.now
            do {
                if connection == nil || connection!.isBroken { connection = try DaemonConnection(socketPath: target.socket) }
                let answer = try connection!.send(.rerank(query: target.query, documents: documents, model: "default"))
                guard case .rerank(let scores) = answer.response, scores.scores.count == 8,
                      scores.scores.allSatisfy({ $0.isFinite }) else {
                    throw SoakFailure("rerank answered \(answer.response)")
                }
                SoakLine.ok("rerank", started)
            } catch {
                SoakLine.error("rerank", "\(error)")
                connection = nil
            }
            pause(milliseconds: 100)
        }
    }

    /// Jobs back to back, each over a fresh 300-message archive; every status poll is a request, a
    /// finished job is checked (all documents, index file present) and its archive removed.
    private func job() {
        var round = 0
        while running {
            round += 1
            let directory = "\(target.workDirectory)/job-\(round)"
            let database = "\(directory)/archive.db"
            do {
                try FileManager.default.createDirectory(atPath: "\(directory)/index", withIntermediateDirectories: true)
                let texts = (0..<300).map { "\(target.texts[($0 + round) % target.texts.count]) (round \(round), message \($0))" }
                try CassArchiveFixture.create(at: database, contents: texts)
                let control = try DaemonConnection(socketPath: target.socket)
                var started = ContinuousClock.now
                let submitted = try control.send(.submitEmbeddingJob(dbPath: database, indexPath: "\(directory)/index",
                                                                     twoTier: false, fastModel: nil, qualityModel: "minilm"))
                guard case .jobSubmitted = submitted.response else { throw SoakFailure("submit answered \(submitted.response)") }
                SoakLine.ok("job-submit", started)
                var finished = false
                while !finished {
                    pause(milliseconds: 500)
                    started = ContinuousClock.now
                    let answer = try control.send(.embeddingJobStatus(dbPath: database))
                    guard case .jobStatus(let info) = answer.response, let job = info.jobs.first else {
                        throw SoakFailure("job status answered \(answer.response)")
                    }
                    SoakLine.ok("job-status", started)
                    switch job.status {
                    case "completed":
                        guard job.completedDocuments == 300, job.totalDocuments == 300 else {
                            throw SoakFailure("job completed \(job.completedDocuments) of \(job.totalDocuments) documents, expected 300")
                        }
                        let indexFiles = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/index/vector_index")) ?? []
                        guard indexFiles.contains(where: { $0.hasSuffix(".fsvi") }) else {
                            throw SoakFailure("job completed but wrote no index file (\(indexFiles))")
                        }
                        SoakLine.hostile("job-done")
                        finished = true
                    case "pending", "running":
                        if !running {
                            _ = try control.send(.cancelEmbeddingJob(dbPath: database, modelID: nil))
                            finished = true
                        }
                    default:
                        throw SoakFailure("job ended \(job.status): \(job.errorMessage ?? "no reason")")
                    }
                }
                control.close()
            } catch {
                SoakLine.error("job", "\(error)")
                pause(milliseconds: 1000)
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Clients that leave mid-frame: a header announcing more than is sent, half a body, a whole
    /// request whose answer is never read (on both sockets), and an HTTP body cut short.
    private func disconnect() {
        var number = 0
        while running {
            number += 1
            do {
                let cass = try RequestEnvelope(requestID: "gone-\(number)", request: .embed(texts: [target.query], model: "default", dims: nil))
                    .encodedFrame()
                let xf = try XFEnvelope(id: UInt64(number), request: .embed(texts: [target.query], model: "minilm", dims: nil))
                    .encodedFrame()
                let deadline = ContinuousClock.now + .seconds(5)
                switch number % 5 {
                case 0: try sendAndLeave(Array(cass.prefix(2)), to: target.socket, deadline)             // half a header
                case 1: try sendAndLeave(Array(cass.prefix(cass.count / 2)), to: target.socket, deadline) // half a body
                case 2: try sendAndLeave(cass, to: target.socket, deadline)                                // answer never read
                case 3: try sendAndLeave(Array(xf.prefix(xf.count - 3)), to: target.xfSocket, deadline)   // xf, cut short
                default:
                    let connection = try HTTPConnection.connect(to: .tcp(host: "127.0.0.1", port: target.httpPort))
                    let head = "POST /v1/embeddings HTTP/1.1\r\nHost: semd\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                    try connection.send(Array((head + "{\"input\": [\"cut").utf8), deadline: deadline)
                    connection.close()
                }
                SoakLine.hostile("disconnect")
            } catch {
                // The daemon may refuse while busy; a hostile client has no right to an answer.
            }
            pause(milliseconds: 50)
        }
    }

    private func sendAndLeave(_ bytes: [UInt8], to path: String, _ deadline: ContinuousClock.Instant) throws {
        let connection = try UnixSocketConnection.connect(to: path)
        defer { connection.close() }
        try connection.send(bytes, deadline: deadline)
    }

    /// Every 3 s, 16 connections at once (cass and xf alternately), each one Health, then close. With
    /// the other workers' connections open this passes the daemon's connection limit, so some are
    /// refused: Overloaded (cass, retry_after_ms) or OVERLOADED with id 0 (xf, as xf's daemon does).
    /// A refusal is the daemon's defined answer, so the client does what a well-behaved one does: it
    /// waits and reconnects, for up to 30 s, and only a connection never served is an error.
    private func storm() {
        while running {
            onThreads(16) { thread in
                let started = ContinuousClock.now
                let giveUp = started + .seconds(30)
                do {
                    while true {
                        let retryAfter: Int?
                        if thread % 2 == 0 {
                            let connection = try DaemonConnection(socketPath: target.socket, connectTimeout: .seconds(10))
                            defer { connection.close() }
                            switch try connection.send(.health).response {
                            case .health(let health) where health.ready: retryAfter = nil
                            case .error(let error) where error.code == .overloaded: retryAfter = Int(error.retryAfterMilliseconds ?? 100)
                            case let other: throw SoakFailure("storm: Health answered \(other)")
                            }
                        } else {
                            switch try xfExchange(XFEnvelope(id: UInt64(thread) + 1, request: .health), refusalAllowed: true) {
                            case .health: retryAfter = nil
                            case .error(.overloaded, _): retryAfter = 100
                            case let other: throw SoakFailure("storm: xf Health answered \(other)")
                            }
                        }
                        guard let retryAfter else { break }
                        SoakLine.hostile("refused")
                        guard ContinuousClock.now < giveUp else { throw SoakFailure("storm: refused for 30 s") }
                        Thread.sleep(forTimeInterval: Double(retryAfter) / 1000)
                    }
                    SoakLine.ok("storm", started)
                } catch {
                    SoakLine.error("storm", "\(error)")
                }
            }
            pause(milliseconds: 3000)
        }
    }

    // MARK: helpers

    private func checkEmbed(_ answer: ResponseEnvelope, count: Int) throws {
        guard case .embed(let embedded) = answer.response else { throw SoakFailure("Embed answered \(answer.response)") }
        guard embedded.embeddings.count == count, embedded.embeddings.allSatisfy({ $0.count == dimension }) else {
            throw SoakFailure("\(embedded.embeddings.count) vectors for \(count) texts")
        }
        let norm = embedded.embeddings[0].reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard abs(norm - 1) < 1e-3 else { throw SoakFailure("a vector of norm \(norm), expected 1") }
    }

    /// One xf request on its own connection, as xf's client sends it. With `refusalAllowed`, the
    /// daemon's connection-limit refusal (OVERLOADED with id 0) is returned rather than an id mismatch.
    private func xfExchange(_ envelope: XFEnvelope, refusalAllowed: Bool = false) throws -> XFResponse {
        let connection = try UnixSocketConnection.connect(to: target.xfSocket, timeout: .seconds(10))
        defer { connection.close() }
        let deadline = ContinuousClock.now + .seconds(60)
        try connection.send(try envelope.encodedFrame(), deadline: deadline)
        let header = try connection.receive(exactly: Frame.headerLength, deadline: deadline)
        let body = try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: deadline)
        let answer = try XFEnvelope.decode(from: body)
        if refusalAllowed, answer.id == 0, case .error(.overloaded, _)? = try? answer.response() { return try answer.response() }
        guard answer.id == envelope.id else { throw SoakFailure("xf: answer id \(answer.id) for request \(envelope.id)") }
        return try answer.response()
    }

    private func jsonText(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    private func pause(milliseconds: Int) {
        let left = target.deadline.timeIntervalSinceNow
        guard left > 0 else { return }
        usleep(UInt32(min(Double(milliseconds) / 1000, left) * 1_000_000))
    }

    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for thread in 0..<count {
            group.enter()
            Thread.detachNewThread {
                body(thread)
                group.leave()
            }
        }
        group.wait()
    }
}

struct SoakFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
