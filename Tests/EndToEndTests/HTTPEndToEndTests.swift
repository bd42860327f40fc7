// End to end over HTTP: the built semd with --http and the real all-MiniLM-L6-v2. HTTP embeddings
// (single and batched, float and base64) equal `semctl embed` from the same daemon; the official
// OpenAI Python client gets the same vectors (SEMD_OPENAI_PYTHON names an interpreter that has
// `openai`); a non-loopback address is refused without a key; and two replicas behind nginx share the
// requests and lose none when one is killed (SEMD_NGINX, else Debian's paths). The last two skip
// when their tool is missing, except in CI (`CI` set), where a missing tool fails them: `.ci/run`
// installs both (`make deployment-tools`).
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A semd with its HTTP listener on a free loopback port, serving `socket`.
struct HTTPReplica {
    let process: DaemonProcess
    let port: Int

    var endpoint: HTTPConnection.Endpoint { .tcp(host: "127.0.0.1", port: port) }

    static func start(socket: String, modelsDirectory: URL, extra: [String] = []) async throws -> HTTPReplica {
        let process = try DaemonProcess(socket: socket, arguments: ["--models-dir", modelsDirectory.path, "--http", "127.0.0.1:0",
                                                                    "--log-level", "info"] + extra)
        do {
            let port = try await offPool { () -> Int in
                var port: Int?
                try process.waitUntil("semd logs its HTTP port", within: .seconds(120)) {
                    guard let range = process.errorOutput.range(of: #"HTTP listening on http://127\.0\.0\.1:[0-9]+"#,
                                                                 options: .regularExpression) else { return false }
                    port = Int(process.errorOutput[range].split(separator: ":").last ?? "")
                    return port != nil
                }
                try process.waitUntil("semd's /health answers 200", within: .seconds(180)) {
                    (try? HTTPConnection.connect(to: .tcp(host: "127.0.0.1", port: port!)).request("GET", "/health").status) == 200
                }
                return port!
            }
            return HTTPReplica(process: process, port: port)
        } catch {
            process.stop()
            throw error
        }
    }

    /// Starts a replica, runs `body`, and stops the replica (off the concurrency pool) whatever happened.
    static func with<T>(socket: String, modelsDirectory: URL, _ body: (HTTPReplica) async throws -> T) async throws -> T {
        let replica = try await start(socket: socket, modelsDirectory: modelsDirectory)
        do {
            let result = try await body(replica)
            await replica.stop()
            return result
        } catch {
            await replica.stop()
            throw error
        }
    }

    func stop() async {
        let process = self.process
        _ = try? await offPool { process.stop() }
    }

    func post(_ path: String, _ json: String) async throws -> HTTPAnswer {
        let endpoint = self.endpoint
        return try await offPool { try HTTPConnection.connect(to: endpoint).postJSON(path, json) }
    }

    /// `semd_requests_total` for successful embeddings, from this replica's own /metrics.
    func servedEmbeddings() async throws -> Double {
        let endpoint = self.endpoint
        let text = try await offPool { try HTTPConnection.connect(to: endpoint).request("GET", "/metrics").text }
        let series = #"semd_requests_total{endpoint="/v1/embeddings",dialect="http",status="200"} "#
        return text.split(separator: "\n").first { $0.hasPrefix(series) }.flatMap { Double($0.dropFirst(series.count)) } ?? 0
    }
}

func jsonBody(_ object: Any) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// The vectors of an OpenAI embeddings answer, floats or base64 (little-endian f32).
func vectors(in answer: HTTPAnswer) -> [[Float]] {
    guard let data = answer.json?["data"] as? [[String: Any]] else { return [] }
    return data.map { item in
        if let floats = item["embedding"] as? [Double] { return floats.map { Float($0) } }
        guard let text = item["embedding"] as? String, let bytes = Data(base64Encoded: text) else { return [] }
        let words = [UInt8](bytes)
        return stride(from: 0, to: words.count, by: 4).map { offset -> Float in
            var bits: UInt32 = 0
            for byte in 0..<4 { bits |= UInt32(words[offset + byte]) << (8 * UInt32(byte)) }
            return Float(bitPattern: bits)
        }
    }
}

enum ExternalTools {
    /// True in CI (`CI` set and not `0`/`false`): a test whose tool is missing fails there instead of
    /// skipping, so CI's log can only show it passing or failing.
    static let requiredByCI: Bool = {
        guard let value = ProcessInfo.processInfo.environment["CI"]?.lowercased(), !value.isEmpty else { return false }
        return value != "0" && value != "false"
    }()

    /// A Python interpreter that can `import openai`: $SEMD_OPENAI_PYTHON, else python3 on the PATH.
    static let openAIPython: [String]? = {
        var candidates: [[String]] = [["python3"]]
        if let explicit = ProcessInfo.processInfo.environment["SEMD_OPENAI_PYTHON"], !explicit.isEmpty {
            candidates.insert([explicit], at: 0)
        }
        return candidates.first { command in
            let output = try? Subprocess.run(URL(fileURLWithPath: "/usr/bin/env"), command + ["-c", "import openai"],
                                             timeout: .seconds(30))
            return output?.status == 0
        }
    }()

    /// nginx: $SEMD_NGINX, else where Debian and a source build put it.
    static let nginx: URL? = executable(named: "SEMD_NGINX", candidates: ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"])

    /// systemd-analyze (Debian's `systemd` package): $SEMD_SYSTEMD_ANALYZE, else its usual paths.
    static let systemdAnalyze: URL? = executable(named: "SEMD_SYSTEMD_ANALYZE",
                                                 candidates: ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"])

    /// The file `variable` names when set (even when it is not executable: the test then fails and says
    /// so), else the first executable candidate.
    static func executable(named variable: String, candidates: [String]) -> URL? {
        if let explicit = ProcessInfo.processInfo.environment[variable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        return candidates.map { URL(fileURLWithPath: $0) }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Whether a test needing a tool runs: when the tool was found, and always in CI.
    static func runs(whenFound tool: Any?) -> Bool { tool != nil || requiredByCI }
}

@Suite(.serialized) struct HTTPEndToEndTests {
    static let texts = ["hello world", "The quick brown fox jumps over the lazy dog.", "semd answers over HTTP too",
                        "Ünïcödé and emoji 🙂 survive the trip"]

    @Test func httpEmbeddingsEqualSemctlEmbedSingleAndBatchedFloatAndBase64() async throws {
        try await DaemonSandbox.with { sandbox in
            try await HTTPReplica.with(socket: sandbox.paths.socket, modelsDirectory: sandbox.modelsDirectory) { replica in
                for inputs in [[Self.texts[0]], Self.texts] {
                    let cli = try await sandbox.run(["embed", "--json"] + inputs)
                    #expect(cli.status == 0, "\(cli)")
                    let reference = try EmbedOutput(json: cli.standardOutput)
                    #expect(reference.servedBy == "daemon")
                    let input: Any = inputs.count == 1 ? inputs[0] : inputs
                    for format in ["float", "base64"] {
                        let answer = try await replica.post("/v1/embeddings", jsonBody(["input": input, "model": "minilm",
                                                                                        "encoding_format": format]))
                        #expect(answer.status == 200 && answer.json?["model"] as? String == "minilm-384", "\(answer.text)")
                        let got = vectors(in: answer)
                        #expect(got.map(\.count) == Array(repeating: 384, count: inputs.count))
                        #expect(got == reference.embeddings, "\(format), \(inputs.count) text(s): max difference \(maxDifference(got, reference.embeddings))")
                    }
                }
            }
        }
    }

    @Test(.enabled(if: ExternalTools.runs(whenFound: ExternalTools.openAIPython),
                   "no Python with the openai package (set SEMD_OPENAI_PYTHON, or run `make deployment-tools`)"))
    func theOfficialOpenAIClientGetsTheSameVectorsAsSemctl() async throws {
        let python = try #require(ExternalTools.openAIPython,
                                  "CI is set and no Python with the openai package was found (SEMD_OPENAI_PYTHON: `make deployment-tools`)")
        try await DaemonSandbox.with { sandbox in
            try await HTTPReplica.with(socket: sandbox.paths.socket, modelsDirectory: sandbox.modelsDirectory) { replica in
                let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Scripts/openai_client_check.py").path
                let output = try await offPool {
                    try Subprocess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                       python + [script, "http://127.0.0.1:\(replica.port)/v1"] + Self.texts, timeout: .seconds(300))
                }
                #expect(output.status == 0, "\(output)")
                let result = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
                for (name, inputs) in [("single", [Self.texts[0]]), ("batch", Self.texts)] {
                    let reference = try EmbedOutput(json: try await sandbox.run(["embed", "--json"] + inputs).standardOutput)
                    let section = try #require(result[name] as? [String: Any])
                    #expect(section["model"] as? String == "minilm-384")
                    let usage = section["usage"] as? [String: Int]
                    #expect((usage?["prompt_tokens"] ?? 0) > inputs.count && usage?["prompt_tokens"] == usage?["total_tokens"])
                    for format in ["default", "float", "base64"] {
                        let got = ((section[format] as? [[Double]]) ?? []).map { $0.map { Float($0) } }
                        #expect(got == reference.embeddings,
                                "openai \(result["openai_version"] ?? "?") \(name)/\(format): max difference \(maxDifference(got, reference.embeddings))")
                    }
                }
                let errors = try #require(result["errors"] as? [String: [String: Any]])
                #expect(errors["unknown_model"]?["status"] as? Int == 404 && errors["unknown_model"]?["code"] as? String == "model_not_found")
                #expect(errors["empty_input"]?["status"] as? Int == 400)
            }
        }
    }

    @Test func aNonLoopbackListenerIsRefusedWithoutAKeyAndTheFlagsAreDocumented() async throws {
        let semd = try BuiltExecutables.url("semd")
        let scratch = try TemporaryDirectory(prefix: "semd-http-flags")
        defer { scratch.remove() }
        let socket = scratch.path("d.sock").path
        let refused = try await offPool { try Subprocess.run(semd, ["--socket", socket, "--no-xf", "--http", "0.0.0.0:0"]) }
        #expect(refused.status != 0 && refused.standardError.contains("without an API key") &&
                refused.standardError.contains("--api-key-file"), "\(refused)")
        let keyFile = scratch.path("key").path
        try "a-key-that-is-long-enough".write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o644)
        let readable = try await offPool {
            try Subprocess.run(semd, ["--socket", socket, "--no-xf", "--http", "0.0.0.0:0", "--api-key-file", keyFile])
        }
        #expect(readable.status != 0 && readable.standardError.contains("chmod 600"), "\(readable)")
        #expect(!FileManager.default.fileExists(atPath: socket), "nothing was started")

        let help = try await offPool { try Subprocess.run(semd, ["--help"]) }
        for flag in ["--http <host:port>", "--http-socket", "--api-key-file", "--http-max-concurrent", "--http-max-body",
                     "non-loopback", "/v1/embeddings", "/metrics"] {
            #expect(help.standardOutput.contains(flag), "semd --help mentions \(flag)")
        }
        #expect(!help.standardOutput.contains("\\\n"), "no stray line-continuation backslashes")
    }

    @Test(.enabled(if: ExternalTools.runs(whenFound: ExternalTools.nginx),
                   "nginx is not installed (apt-get install nginx, or `make deployment-tools`)"))
    func twoReplicasBehindNginxShareRequestsAndLoseNoneWhenOneIsKilled() async throws {
        let nginx = try #require(ExternalTools.nginx, "CI is set and nginx is not installed (`make deployment-tools`)")
        try #require(FileManager.default.isExecutableFile(atPath: nginx.path), "\(nginx.path) is not an executable nginx")
        try await DaemonSandbox.with { sandbox in
            try await HTTPReplica.with(socket: sandbox.scratch.path("a.sock").path, modelsDirectory: sandbox.modelsDirectory) { first in
                try await HTTPReplica.with(socket: sandbox.scratch.path("b.sock").path, modelsDirectory: sandbox.modelsDirectory) { second in
                    // The configuration Docs/DEPLOYMENT.md shows, with the ports and paths of this test.
                    let front = LoopbackPort.free()
                    let prefix = sandbox.scratch.path("nginx")
                    try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
                    let configuration = try DeploymentExample.nginxConfiguration(
                        listen: front, replicas: [first.port, second.port], prefix: prefix.path)
                    try configuration.write(to: prefix.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
                    let server = Process()
                    server.executableURL = nginx
                    server.arguments = ["-p", prefix.path, "-c", prefix.appendingPathComponent("nginx.conf").path, "-e",
                                        prefix.appendingPathComponent("logs/error.log").path]
                    server.standardOutput = FileHandle.nullDevice
                    server.standardError = FileHandle.nullDevice
                    try server.run()
                    do {
                        try await throughTheBalancer(front: front, first: first, second: second, errorLog: {
                            (try? String(contentsOf: prefix.appendingPathComponent("logs/error.log"), encoding: .utf8)) ?? ""
                        })
                    } catch {
                        await Self.stop(server)
                        throw error
                    }
                    await Self.stop(server)
                }
            }
        }
    }

    static func stop(_ server: Process) async {
        _ = try? await offPool {
            server.terminate()
            server.waitUntilExit()
        }
    }

    /// Requests through nginx reach both replicas; then one replica is killed under load and no request fails.
    private func throughTheBalancer(front: Int, first: HTTPReplica, second: HTTPReplica,
                                    errorLog: @escaping @Sendable () -> String) async throws {
        let balancer = HTTPConnection.Endpoint.tcp(host: "127.0.0.1", port: front)
        let up = try await offPool {
            Poll.blockUntilHolds(within: .seconds(30)) {
                (try? HTTPConnection.connect(to: balancer).request("GET", "/health").status) == 200
            }
        }
        try #require(up, "nginx answers /health: \(errorLog())")

        // Round robin: both replicas serve.
        let body = jsonBody(["input": ["through the balancer"], "model": "minilm"])
        let statuses = try await offPool { try (0..<20).map { _ in try HTTPConnection.connect(to: balancer).postJSON("/v1/embeddings", body).status } }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        let (servedByFirst, servedBySecond) = (try await first.servedEmbeddings(), try await second.servedEmbeddings())
        #expect(servedByFirst > 0 && servedBySecond > 0 && servedByFirst + servedBySecond == 20,
                "first \(servedByFirst), second \(servedBySecond)")

        // Four clients keep sending; the first replica is killed (SIGKILL) in the middle.
        let results = ResultCounter()
        let stop = StopFlag()
        let clients = (0..<4).map { client in
            Task.detached {
                try await offPool {
                    while !stop.isSet {
                        do {
                            let answer = try HTTPConnection.connect(to: balancer)
                                .postJSON("/v1/embeddings", jsonBody(["input": "client \(client) at \(Date().timeIntervalSince1970)"]),
                                          timeout: .seconds(30))
                            results.record(answer.status == 200 && vectors(in: answer).first?.count == 384
                                           ? nil : "status \(answer.status): \(answer.text.prefix(200))")
                        } catch {
                            results.record("\(error)")
                        }
                    }
                }
            }
        }
        // Requests flow through the balancer before the kill (eight answered, two per client on average).
        let flowing = await Poll.holds(within: .seconds(120)) { results.total >= 8 }
        #expect(flowing, "requests flow before the kill (\(results.total))")
        first.process.signal(SIGKILL)
        let healthFails = try await offPool {
            Poll.blockUntilHolds(within: .seconds(30)) {
                (try? HTTPConnection.connect(to: first.endpoint, timeout: .seconds(1)).request("GET", "/health")) == nil
            }
        }
        #expect(healthFails, "the killed replica's health check fails")
        let afterKill = results.total
        // Well past the kill: many more requests than the check below asks for (or the deadline).
        _ = await Poll.holds(within: .seconds(120)) { results.total > afterKill + 20 }
        stop.set()
        for client in clients { try await client.value }
        #expect(results.total > afterKill + 4, "requests kept flowing after the kill (\(afterKill) → \(results.total))")
        #expect(results.failures.isEmpty, "lost \(results.failures.count) of \(results.total): \(results.failures.prefix(3)); \(errorLog())")
        #expect(try await second.servedEmbeddings() > servedBySecond)
    }
}

final class ResultCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var failed: [String] = []

    func record(_ failure: String?) {
        lock.withLock {
            count += 1
            if let failure { failed.append(failure) }
        }
    }

    var total: Int { lock.withLock { count } }
    var failures: [String] { lock.withLock { failed } }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The nginx configuration of Docs/DEPLOYMENT.md, with this test's ports, inside a minimal main
/// configuration that keeps every file nginx writes under `prefix`.
enum DeploymentExample {
    static func nginxConfiguration(listen: Int, replicas: [Int], prefix: String) throws -> String {
        let document = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Docs/DEPLOYMENT.md"), encoding: .utf8)
        guard let start = document.range(of: "```nginx\n"),
              let end = document.range(of: "\n```", range: start.upperBound..<document.endIndex) else {
            throw FixtureError.malformed("Docs/DEPLOYMENT.md has no ```nginx block")
        }
        var snippet = String(document[start.upperBound..<end.lowerBound])
        for (documented, actual) in [("listen 8080;", "listen 127.0.0.1:\(listen);"),
                                     ("server 127.0.0.1:8081 ", "server 127.0.0.1:\(replicas[0]) "),
                                     ("server 127.0.0.1:8082 ", "server 127.0.0.1:\(replicas[1]) ")] {
            guard snippet.contains(documented) else {
                throw FixtureError.malformed("the nginx block of Docs/DEPLOYMENT.md no longer has '\(documented)'")
            }
            snippet = snippet.replacingOccurrences(of: documented, with: actual)
        }
        return """
            daemon off;
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/logs/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(prefix)/client_body;
                proxy_temp_path \(prefix)/proxy;
            \(snippet)
            }
            """
    }
}
