// The HTTP listener's configuration without a socket: address parsing, what counts as loopback, the
// refusal to serve a non-loopback address without a key, the key file's rules, the constant-time
// key check, and the environment. Then an HTTP Unix socket: owner-only, removed after the stop.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticHTTP

@Suite struct HTTPConfigurationTests {
    @Test func addressesParseAndLoopbackIsRecognised() throws {
        #expect(try HTTPConfiguration.Address.parse("127.0.0.1:8088") == .tcp(host: "127.0.0.1", port: 8088))
        #expect(try HTTPConfiguration.Address.parse("[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(try HTTPConfiguration.Address.parse("localhost:0") == .tcp(host: "localhost", port: 0))
        #expect(try HTTPConfiguration.Address.parse(":8088") == .tcp(host: "0.0.0.0", port: 8088))
        for bad in ["8088", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", "[::1]8088", ""] {
            #expect(throws: HTTPConfigurationError.invalidAddress(bad)) { try HTTPConfiguration.Address.parse(bad) }
        }
        let loopback = ["127.0.0.1:1", "127.1.2.3:1", "[::1]:1", "localhost:1", "LOCALHOST:1"]
        let open = ["0.0.0.0:1", ":1", "10.0.0.5:1", "[::]:1", "example.org:1", "127.0.0.1.nip.io:1", "128.0.0.1:1"]
        for text in loopback { #expect(try HTTPConfiguration.Address.parse(text).isLoopback, "\(text)") }
        for text in open { #expect(try !HTTPConfiguration.Address.parse(text).isLoopback, "\(text)") }
        #expect(HTTPConfiguration.Address.unixSocket(path: "/run/semd.sock").isLoopback)
        #expect(HTTPConfiguration.Address.tcp(host: "::1", port: 80).description == "http://[::1]:80")
    }

    @Test func aNonLoopbackAddressNeedsAKeyFile() throws {
        #expect(try HTTPConfiguration.resolve(environment: [:]) == nil, "off by default")
        #expect(throws: HTTPConfigurationError.nonLoopbackWithoutKey("http://0.0.0.0:8088")) {
            try HTTPConfiguration.resolve(http: "0.0.0.0:8088", environment: [:])
        }
        #expect(throws: HTTPConfigurationError.nonLoopbackWithoutKey("http://10.1.2.3:80")) {
            try HTTPConfiguration.resolve(environment: ["SEMD_HTTP": "10.1.2.3:80"])
        }
        #expect(throws: HTTPConfigurationError.bothAddresses) {
            try HTTPConfiguration.resolve(http: "127.0.0.1:1", httpSocket: "/tmp/x.sock", environment: [:])
        }
        let local = try #require(try HTTPConfiguration.resolve(http: "127.0.0.1:8088", environment: ["SEMD_HTTP": "0.0.0.0:1"]))
        #expect(local.address == .tcp(host: "127.0.0.1", port: 8088) && local.apiKey == nil, "the flag wins")
        #expect(local.maxBodyBytes == 10 << 20 && local.maxInputsPerRequest == 2048 && local.maxConcurrentRequests == 64)

        let scratch = try TemporaryDirectory(prefix: "semd-key")
        defer { scratch.remove() }
        let keyFile = scratch.path("key").path
        try "  0123456789abcdef-secret\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o644)
        #expect(throws: HTTPConfigurationError.self) { try HTTPConfiguration.resolve(http: "0.0.0.0:1", apiKeyFile: keyFile, environment: [:]) }
        do {
            _ = try HTTPConfiguration.resolve(http: "0.0.0.0:1", apiKeyFile: keyFile, environment: [:])
        } catch {
            #expect(error.description.contains("chmod 600"), "\(error)")
        }
        chmod(keyFile, 0o600)
        let open = try #require(try HTTPConfiguration.resolve(http: "0.0.0.0:1", apiKeyFile: keyFile, environment: [:]))
        #expect(open.apiKey?.accepts(authorization: "Bearer 0123456789abcdef-secret") == true)
        let fromEnvironment = try HTTPConfiguration.resolve(environment: [
            "SEMD_HTTP": "[::]:9", "SEMD_API_KEY_FILE": keyFile, "SEMD_HTTP_MAX_CONCURRENT": "3", "SEMD_HTTP_MAX_BODY": "1M"])
        #expect(fromEnvironment?.maxConcurrentRequests == 3 && fromEnvironment?.maxBodyBytes == 1 << 20)
        #expect(throws: HTTPConfigurationError.keyWithoutListener) { try HTTPConfiguration.resolve(apiKeyFile: keyFile, environment: [:]) }
        #expect(throws: HTTPConfigurationError.self) {
            try HTTPConfiguration.resolve(http: "127.0.0.1:1", maxConcurrentRequests: 0, environment: [:])
        }

        try "short".write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o600)
        #expect(throws: HTTPConfigurationError.self) { try APIKey.load(fromFile: keyFile) }
        #expect(throws: HTTPConfigurationError.self) { try APIKey.load(fromFile: scratch.path("absent").path) }
        #expect(throws: HTTPConfigurationError.self) { try APIKey.load(fromFile: scratch.url.path) }
    }

    @Test func theKeyCheckIsExact() {
        let key = APIKey("correct horse battery staple")
        #expect(key.accepts(authorization: "Bearer correct horse battery staple"))
        #expect(key.accepts(authorization: "bearer correct horse battery staple"))
        for wrong in [nil, "", "Bearer", "Bearer ", "Bearer correct horse battery stapl", "Bearer correct horse battery staple!",
                      "Basic correct horse battery staple", "correct horse battery staple"] as [String?] {
            #expect(!key.accepts(authorization: wrong), "\(wrong ?? "nil")")
        }
        #expect(APIKey.constantTimeEqual([1, 2, 3], [1, 2, 3]) && !APIKey.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!APIKey.constantTimeEqual([1, 2], [1, 2, 3]))
    }

    @Test func httpOverAUnixSocketIsOwnerOnlyAndRemovedAfterwards() async throws {
        let directory = try TemporaryDirectory(prefix: "semd-hsock")
        defer { directory.remove() }
        chmod(directory.url.path, 0o700)
        let path = directory.path("http.sock").path
        var status = stat()
        try await RunningHTTPDaemon.with(address: .unixSocket(path: path)) { running in
            #expect(lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK && (status.st_mode & 0o777) == 0o600)
            let answer = try await running.post("/v1/embeddings", jsonText(["input": "over a unix socket"]))
            #expect(answer.status == 200 && embeddings(in: answer)?.first?.count == 16)
            #expect(throws: HTTPConfigurationError.self, "a second listener refuses a live socket") {
                try HTTPListener.prepareSocketPath(path)
            }
        }
        #expect(lstat(path, &status) != 0, "the socket is gone after the stop")

        chmod(directory.url.path, 0o755)
        #expect(throws: HTTPConfigurationError.self, "a directory others can enter is refused") {
            try HTTPListener.prepareSocketPath(path)
        }
    }

    /// The HTTP socket checks SO_PEERCRED as the daemon's sockets do: a listener told to serve another
    /// uid closes our connection before any request reaches the API, even with the socket's mode loosened.
    @Test func httpOverAUnixSocketServesOnlyTheDaemonsUser() async throws {
        let directory = try TemporaryDirectory(prefix: "semd-hpeer")
        defer { directory.remove() }
        chmod(directory.url.path, 0o700)
        let path = directory.path("http.sock").path
        try await RunningHTTPDaemon.with(address: .unixSocket(path: path), configure: { $0.servedUserID = getuid() &+ 4242 },
                                         waitUntilReady: false) { running in
            chmod(path, 0o666)
            let outcome: String
            do {
                let answer = try await running.post("/v1/embeddings", jsonText(["input": "from the wrong user"]))
                outcome = "answered \(answer.status)"
            } catch {
                outcome = "\(error)"
            }
            #expect(!outcome.hasPrefix("answered"), "\(outcome)")
            #expect(running.listener.refusedPeers.load(ordering: .relaxed) >= 1)
            let metrics = String(decoding: running.exposition.text(), as: UTF8.self)
            #expect(!metrics.contains(#"dialect="http""#), "no request of a refused peer reached the API: \(metrics)")
        }
    }
}
