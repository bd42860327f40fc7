// The client's configuration from flags and environment, and the retry policy's backoff arithmetic.
import Foundation
import SemanticCore
import SemanticRuntime
import Testing
@testable import SemanticClient

@Suite struct ClientConfigurationTests {
    let base = ["USER": "ada", "TMPDIR": "/run/t", "HOME": "/home/ada"]

    @Test func socketResolutionMatchesTheDaemon() throws {
        #expect(try ClientConfiguration.resolve(environment: base).paths.socket == "/run/t/semantic-daemon-ada.sock")
        var environment = base
        environment["SEMD_SOCKET"] = "/tmp/env.sock"
        #expect(try ClientConfiguration.resolve(environment: environment).paths.socket == "/tmp/env.sock")
        #expect(try ClientConfiguration.resolve(socket: "/tmp/flag.sock", environment: environment).paths.socket
            == "/tmp/flag.sock")
        #expect(try ClientConfiguration.resolve(environment: environment).paths
            == DaemonPaths.resolve(environment: environment))
    }

    @Test func defaultsFollowTheCassClient() throws {
        let configuration = try ClientConfiguration.resolve(environment: base)
        #expect(configuration.policy == .daemonThenInProcess)
        #expect(configuration.spawnDaemon)
        #expect(configuration.connectTimeout == .seconds(2))
        #expect(configuration.requestTimeout == .seconds(30))
        #expect(configuration.spawnTimeout == .seconds(5))
        #expect(configuration.retry == RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(200), maxDelay: .seconds(5),
                                                   jitter: 0.2))
        #expect(configuration.daemonExecutable == nil)
    }

    @Test func environmentSwitches() throws {
        var environment = base
        environment["SEMD_NO_DAEMON"] = "1"
        #expect(try ClientConfiguration.resolve(environment: environment).policy == .inProcessOnly)
        environment["SEMD_NO_DAEMON"] = "0"
        #expect(try ClientConfiguration.resolve(environment: environment).policy == .daemonThenInProcess)
        environment["SEMD_NO_SPAWN"] = "true"
        #expect(try !ClientConfiguration.resolve(environment: environment).spawnDaemon)
        #expect(try !ClientConfiguration.resolve(noSpawn: true, environment: base).spawnDaemon)
        #expect(try ClientConfiguration.resolve(noDaemon: true, environment: base).policy == .inProcessOnly)
        #expect(try ClientConfiguration.resolve(noFallback: true, environment: base).policy == .daemonOnly)
        environment["SEMD_DAEMON_BINARY"] = "/opt/semd/bin/semd"
        environment["SEMD_CONNECT_TIMEOUT_MS"] = "7000"
        environment["SEMD_REQUEST_TIMEOUT_MS"] = "1500"
        let configuration = try ClientConfiguration.resolve(environment: environment)
        #expect(configuration.daemonExecutable == "/opt/semd/bin/semd")
        #expect(configuration.connectTimeout == .seconds(7))
        #expect(configuration.requestTimeout == .milliseconds(1500))
        #expect(configuration.spawnTimeout == .seconds(7), "max(connect timeout, 5 s)")
    }

    @Test func contradictionsAndBadValuesAreReported() {
        var environment = base
        environment["SEMD_NO_DAEMON"] = "1"
        #expect(throws: ClientConfigurationError.self) { try ClientConfiguration.resolve(noFallback: true, environment: environment) }
        #expect(throws: ClientConfigurationError.self) { try ClientConfiguration.resolve(noDaemon: true, noFallback: true, environment: base) }
        environment["SEMD_NO_DAEMON"] = "maybe"
        #expect(throws: ClientConfigurationError.invalid(name: "SEMD_NO_DAEMON", value: "maybe", expected: "1 or 0")) {
            try ClientConfiguration.resolve(environment: environment)
        }
        #expect(throws: ClientConfigurationError.self) {
            try ClientConfiguration.resolve(environment: base.merging(["SEMD_REQUEST_TIMEOUT_MS": "soon"]) { $1 })
        }
        #expect(throws: ClientConfigurationError.self) {
            try ClientConfiguration.resolve(environment: base.merging(["SEMD_RETRY_MAX": "x"]) { $1 })
        }
    }

    @Test func modelsDirectoryReachesTheDaemonOnlyWhenChosenExplicitly() throws {
        let explicit = try ClientConfiguration.resolve(modelsDirectory: "/srv/models", environment: base)
        #expect(explicit.modelsRoot.source == .flag)
        #expect(explicit.modelsDirectoryForDaemon == "/srv/models")
        let fromEnvironment = try ClientConfiguration.resolve(environment: base.merging(["SEMD_MODELS_DIR": "/m"]) { $1 })
        #expect(fromEnvironment.modelsRoot.url.path == "/m")
        #expect(fromEnvironment.modelsDirectoryForDaemon == nil, "the spawned daemon inherits the environment")
        // Same resolution as the daemon's.
        #expect(fromEnvironment.modelsRoot == ModelsRoot.resolve(environment: base.merging(["SEMD_MODELS_DIR": "/m"]) { $1 }))
    }
}

@Suite struct RetryPolicyTests {
    @Test func exponentialBackoffCappedWithJitter() {
        let policy = RetryPolicy()
        let middle = { 0.5 }  // u = 0.5: no jitter
        #expect(policy.delay(afterFailure: 1, random: middle) == .milliseconds(200))
        #expect(policy.delay(afterFailure: 2, random: middle) == .milliseconds(400))
        #expect(policy.delay(afterFailure: 3, random: middle) == .milliseconds(800))
        #expect(policy.delay(afterFailure: 6, random: middle) == .seconds(5))
        #expect(policy.delay(afterFailure: 200, random: middle) == .seconds(5))
        #expect(policy.delay(afterFailure: 1, random: { 0 }) == .milliseconds(160), "-20 %")
        #expect(policy.delay(afterFailure: 1, random: { 0.999_999 }) == .milliseconds(240), "+20 %")
        for _ in 0..<200 {
            let delay = policy.delay(afterFailure: 2)
            #expect(delay >= .milliseconds(320) && delay <= .milliseconds(480))
        }
    }

    @Test func serverRetryAfterIsHonouredAndCapped() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterFailure: 1, retryAfter: .milliseconds(1000)) == .milliseconds(1000))
        #expect(policy.delay(afterFailure: 1, retryAfter: .seconds(60)) == .seconds(5))
    }

    @Test func boundsAndEnvironment() throws {
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
        #expect(RetryPolicy(jitter: 7).jitter == 1)
        #expect(RetryPolicy(baseDelay: .zero).delay(afterFailure: 1, random: { 0 }) == .milliseconds(1), "at least 1 ms")
        let resolved = try RetryPolicy.resolve(environment: [
            "SEMD_RETRY_MAX": "4", "SEMD_BACKOFF_BASE_MS": "50", "SEMD_BACKOFF_MAX_MS": "0", "SEMD_JITTER_PCT": "1.5",
        ])
        #expect(resolved == RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .milliseconds(1), jitter: 1))
    }
}
