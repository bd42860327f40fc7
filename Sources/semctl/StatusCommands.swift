// `semctl status` and `semctl ping`: what the running daemon reports, and how long a round trip takes.
// Neither starts a daemon.
import ArgumentParser
import Foundation
import SemanticClient

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running daemon: sockets, pid, uptime, models, memory, requests.",
        discussion: """
        Never starts a daemon. Exits 3 when none is running (with --json, {"socket", "running": false} \
        is printed first). The sockets table lists each socket the daemon serves (cass's and xf's) with \
        the requests answered in that dialect, as of the daemon's last heartbeat (at most a second old). \
        When the daemon serves a cass data directory (semd --cass-data-dir), the cass v2 attested channel \
        is shown: up, starting or down (with the reason), its data directory, socket, generation and key \
        id (never the key).

        Examples:
          semctl status
          semctl status --json | jq '.models[] | select(.loaded) | .id'
          SEMD_SOCKET=/tmp/other.sock semctl status
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Flag(name: .long, help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let client = try socketOption.makeClient()
        let socket = client.configuration.paths.socket
        let status: DaemonStatus
        do {
            status = try client.status()
        } catch {
            if json, case .unavailable = error {
                print(JSONValue.object([("socket", .string(socket)), ("running", .bool(false))]).text)
            }
            if case .unavailable = error {
                throw CommandFailure("no daemon is running at \(socket)",
                                     hint: "start one with `semctl start` (embed and rerank start one too)",
                                     exitCode: daemonUnavailableExitCode)
            }
            throw CommandFailure(error, socket: socket)
        }
        if json {
            print(JSONValue.object([
                ("socket", .string(status.socket)),
                ("running", .bool(true)),
                ("pid", status.pid.map { .int(Int($0)) } ?? .null),
                ("uptime_secs", .int(Int(status.uptimeSeconds))),
                ("protocol_version", .int(Int(status.protocolVersion))),
                ("memory_bytes", .int(Int(status.memoryBytes))),
                ("total_requests", .int(Int(status.totalRequests))),
                ("served_by", .string("daemon")),
                ("log_file", .string(client.configuration.paths.logFile)),
                ("listeners", .array(status.listeners.map { listener in
                    .object([
                        ("dialect", .string(listener.dialect)),
                        ("socket", .string(listener.socket)),
                        ("requests", .int(Int(listener.requests))),
                    ])
                })),
                ("attested_channel", status.attestedChannel.map { channel in
                    .object([
                        ("state", .string(channel.state)),
                        ("data_dir", .string(channel.dataDirectory)),
                        ("socket", .string(channel.socket)),
                        ("generation", channel.generation.map { .int(Int($0)) } ?? .null),
                        ("key_id", channel.keyID.map { .string($0) } ?? .null),
                        ("reason", channel.reason.map { .string($0) } ?? .null),
                    ])
                } ?? .null),
                ("models", .array(status.models.map { model in
                    .object([
                        ("id", .string(model.id)),
                        ("kind", .string(model.kind.rawValue)),
                        ("name", .string(model.name)),
                        ("dimension", model.dimension.map { .int($0) } ?? .null),
                        ("loaded", .bool(model.loaded)),
                        ("memory_bytes", .int(Int(model.memoryBytes))),
                    ])
                })),
            ]).text)
            return
        }
        let rows = [
            ("socket", status.socket),
            ("pid", status.pid.map(String.init) ?? "unknown"),
            ("uptime", formattedUptime(status.uptimeSeconds)),
            ("memory", formattedBytes(status.memoryBytes)),
            ("requests", String(status.totalRequests)),
            ("protocol", "v\(status.protocolVersion)"),
            ("served_by", "daemon"),
            ("log", client.configuration.paths.logFile),
        ]
        print("semd is running")
        for (key, value) in rows { print("  \(key.padding(toLength: 10, withPad: " ", startingAt: 0)) \(value)") }
        print("")
        if !status.listeners.isEmpty {
            let sockets = TextTable(columns: ["DIALECT", "SOCKET", "REQUESTS"], rightAligned: [2])
            for listener in status.listeners {
                sockets.add([listener.dialect, listener.socket, String(listener.requests)])
            }
            print(sockets.render())
            print("")
        }
        if let channel = status.attestedChannel {
            print("cass v2 attested channel: \(channel.state)")
            print("  data dir   \(channel.dataDirectory)")
            print("  socket     \(channel.socket)")
            if let generation = channel.generation, let keyID = channel.keyID {
                print("  generation \(generation), key \(keyID)")
            }
            if let reason = channel.reason { print("  reason     \(reason)") }
            print("")
        }
        let models = TextTable(columns: ["MODEL", "KIND", "LOADED", "DIM", "MEMORY", "NAME"], rightAligned: [3, 4])
        for model in status.models {
            models.add([model.id, model.kind.rawValue, model.loaded ? "yes" : "no",
                        model.dimension.map(String.init) ?? "-",
                        model.loaded ? formattedBytes(model.memoryBytes) : "-", model.name])
        }
        print(models.render())
    }
}

struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Measure the round trip of a Health request to the running daemon.",
        discussion: """
        Never starts a daemon; exits 1 when none answers. With --count, sends that many requests over \
        one connection and prints each round trip and the median.

        Examples:
          semctl ping
          semctl ping --count 20
          semctl ping --socket /tmp/semd-test.sock || echo "no daemon"
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Option(name: .shortAndLong, help: "Requests to send (default 1).") var count = 1

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let client = try socketOption.makeClient()
        let socket = client.configuration.paths.socket
        var roundTrips: [Duration] = []
        for _ in 0..<count {
            let health: DaemonHealth
            do {
                health = try client.health()
            } catch {
                if case .unavailable = error {
                    throw CommandFailure("no daemon is running at \(socket)", hint: "start one with `semctl start`")
                }
                throw CommandFailure(error, socket: socket)
            }
            roundTrips.append(health.roundTrip)
            print("pong from \(socket): \(formatted(health.roundTrip)) (\(health.ready ? "ready" : "loading models"), "
                  + "up \(formattedUptime(health.uptimeSeconds)), \(formattedBytes(health.memoryBytes)))")
        }
        if count > 1 {
            let sorted = roundTrips.sorted()
            print("median \(formatted(sorted[sorted.count / 2])), min \(formatted(sorted[0])), max \(formatted(sorted[sorted.count - 1]))")
        }
    }
}
