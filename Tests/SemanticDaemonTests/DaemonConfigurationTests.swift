// Daemon configuration: defaults, flag over environment, malformed values.
import Foundation
import Testing
@testable import SemanticDaemon

@Suite struct DaemonConfigurationTests {
    let base = ["USER": "alice", "TMPDIR": "/tmp", "HOME": "/home/alice"]

    @Test func defaults() throws {
        let configuration = try DaemonConfiguration.resolve(environment: base, executablePath: nil)
        #expect(configuration.paths.socket == "/tmp/semantic-daemon-alice.sock")
        #expect(configuration.maxConnections == 16)
        #expect(configuration.requestTimeout == .seconds(60))
        #expect(configuration.idleTimeout == nil)
        #expect(configuration.memoryLimit == nil)
        #expect(configuration.niceness == 10)
    }

    @Test func theXFSocketComesFromTheFlagTheEnvironmentOrXFsDefault() throws {
        let byDefault = try DaemonConfiguration.resolve(environment: base, executablePath: nil)
        #expect(byDefault.xfPaths?.socket == "/tmp/xf-daemon-alice.sock" && !byDefault.xfSocketRequired)
        var environment = base
        environment["XF_DAEMON_SOCKET"] = "/run/xf-env.sock"
        let fromEnvironment = try DaemonConfiguration.resolve(environment: environment, executablePath: nil)
        #expect(fromEnvironment.xfPaths?.socket == "/run/xf-env.sock" && fromEnvironment.xfSocketRequired)
        let fromFlag = try DaemonConfiguration.resolve(xfSocket: "/run/xf-flag.sock", environment: environment, executablePath: nil)
        #expect(fromFlag.xfPaths?.socket == "/run/xf-flag.sock" && fromFlag.xfSocketRequired)
        let off = try DaemonConfiguration.resolve(xfSocket: "/run/xf-flag.sock", noXF: true, environment: environment,
                                                  executablePath: nil)
        #expect(off.xfPaths == nil && !off.xfSocketRequired)
        // A configuration built in code serves cass's socket only.
        #expect(DaemonConfiguration(paths: byDefault.paths, modelsRoot: byDefault.modelsRoot).xfPaths == nil)
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.resolve(socket: "/run/same.sock", xfSocket: "/run/same.sock", environment: base,
                                            executablePath: nil)
        }
    }

    /// The cass data directory: from the flag or SEMD_CASS_DATA_DIR; cass's own socket for it (hashed
    /// name, or CASS_DAEMON_SOCKET); refused at start-up when it is not a directory.
    @Test func theCassDataDirectoryAndItsSocketComeFromTheFlagOrTheEnvironment() throws {
        #expect(try DaemonConfiguration.resolve(environment: base, executablePath: nil).cassDataDirectory == nil)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cass-data-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let real = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory)) ?? directory
        var environment = base
        environment["SEMD_CASS_DATA_DIR"] = directory
        let fromEnvironment = try DaemonConfiguration.resolve(environment: environment, executablePath: nil)
        #expect(fromEnvironment.cassDataDirectory.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
                    == URL(fileURLWithPath: real).resolvingSymlinksInPath().path)
        let socket = try #require(fromEnvironment.cassV2Paths?.socket)
        #expect(socket.hasSuffix(".sock") && (socket as NSString).lastPathComponent.hasPrefix("cass-semantic-daemon-"))
        #expect(fromEnvironment.cassChannelSocket == socket)
        environment["CASS_DAEMON_SOCKET"] = "/run/cass-v2.sock"
        let explicit = try DaemonConfiguration.resolve(environment: environment, executablePath: nil)
        #expect(explicit.cassV2Paths?.socket == "/run/cass-v2.sock")
        // cass spawned semd on that very socket: no second listener, and the channel names the main socket.
        let spawned = try DaemonConfiguration.resolve(socket: "/run/cass-v2.sock", environment: environment, executablePath: nil)
        #expect(spawned.cassV2Paths == nil && spawned.cassChannelSocket == "/run/cass-v2.sock")
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.resolve(cassDataDirectory: "/etc/passwd", environment: base, executablePath: nil)
        }
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.resolve(cassDataDirectory: directory + "/missing", environment: base, executablePath: nil)
        }
    }

    @Test func theBackgroundBatchSizeComesFromTheEnvironment() throws {
        #expect(try DaemonConfiguration.resolve(environment: base, executablePath: nil).backgroundBatchTokens == 512)
        var environment = base
        environment["SEMD_BACKGROUND_BATCH_TOKENS"] = "2048"
        #expect(try DaemonConfiguration.resolve(environment: environment, executablePath: nil).backgroundBatchTokens == 2048)
        for bad in ["0", "many", "-5"] {
            environment["SEMD_BACKGROUND_BATCH_TOKENS"] = bad
            #expect(throws: ConfigurationError.self) { try DaemonConfiguration.resolve(environment: environment, executablePath: nil) }
        }
    }

    @Test func theBatchBudgetAndWaitComeFromTheEnvironment() throws {
        let byDefault = try DaemonConfiguration.resolve(environment: base, executablePath: nil)
        #expect(byDefault.maxBatchTokens == 16_384 && byDefault.maxBatchWait == .milliseconds(2))
        var environment = base
        environment["SEMD_BATCH_TOKENS"] = "4096"
        environment["SEMD_BATCH_WAIT_MS"] = "0.5"
        let chosen = try DaemonConfiguration.resolve(environment: environment, executablePath: nil)
        #expect(chosen.maxBatchTokens == 4096 && chosen.maxBatchWait == .microseconds(500))
        environment["SEMD_BATCH_WAIT_MS"] = "0"
        #expect(try DaemonConfiguration.resolve(environment: environment, executablePath: nil).maxBatchWait == .zero)
        for (name, bad) in [("SEMD_BATCH_TOKENS", "0"), ("SEMD_BATCH_TOKENS", "lots"), ("SEMD_BATCH_WAIT_MS", "-1"),
                            ("SEMD_BATCH_WAIT_MS", "5000")] {
            var broken = base
            broken[name] = bad
            #expect(throws: ConfigurationError.self) { try DaemonConfiguration.resolve(environment: broken, executablePath: nil) }
        }
    }

    @Test func spawnedDaemonsIdleOutAfterAnHourUnlessTold() throws {
        #expect(try DaemonConfiguration.resolve(spawned: true, environment: base, executablePath: nil).idleTimeout == .seconds(3600))
        #expect(try DaemonConfiguration.resolve(idleTimeoutSeconds: 0, spawned: true, environment: base, executablePath: nil)
            .idleTimeout == nil)
        var environment = base
        environment["SEMD_IDLE_TIMEOUT_SECS"] = "5"
        #expect(try DaemonConfiguration.resolve(spawned: true, environment: environment, executablePath: nil).idleTimeout == .seconds(5))
    }

    @Test func flagsWinOverEnvironment() throws {
        var environment = base
        environment["SEMD_SOCKET"] = "/run/env.sock"
        environment["SEMD_MAX_CONNECTIONS"] = "4"
        environment["SEMD_MEMORY_LIMIT"] = "1G"
        let fromEnvironment = try DaemonConfiguration.resolve(environment: environment, executablePath: nil)
        #expect(fromEnvironment.paths.socket == "/run/env.sock")
        #expect(fromEnvironment.maxConnections == 4)
        #expect(fromEnvironment.memoryLimit == 1 << 30)
        let fromFlags = try DaemonConfiguration.resolve(socket: "/run/flag.sock", maxConnections: 2, memoryLimit: "512M",
                                                        environment: environment, executablePath: nil)
        #expect(fromFlags.paths.socket == "/run/flag.sock")
        #expect(fromFlags.maxConnections == 2)
        #expect(fromFlags.memoryLimit == 512 << 20)
    }

    @Test func malformedValuesAreReported() {
        var environment = base
        environment["SEMD_MAX_CONNECTIONS"] = "many"
        #expect(throws: ConfigurationError.invalid(name: "SEMD_MAX_CONNECTIONS", value: "many", expected: "a non-negative number")) {
            try DaemonConfiguration.resolve(environment: environment, executablePath: nil)
        }
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.resolve(memoryLimit: "lots", environment: base, executablePath: nil)
        }
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.resolve(maxConnections: 0, environment: base, executablePath: nil)
        }
    }

    @Test func byteSizes() {
        #expect(DaemonConfiguration.parseByteSize("1000") == 1000)
        #expect(DaemonConfiguration.parseByteSize("2G") == 2 << 30)
        #expect(DaemonConfiguration.parseByteSize("1.5GiB") == UInt64(1.5 * Double(1 << 30)))
        #expect(DaemonConfiguration.parseByteSize("300 mb") == 300 << 20)
        #expect(DaemonConfiguration.parseByteSize("-1") == nil)
        #expect(DaemonConfiguration.parseByteSize("x") == nil)
    }
}
