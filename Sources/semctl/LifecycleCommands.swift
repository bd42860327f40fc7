// `semctl start`, `stop`, `restart` and `logs`: the daemon's life from the command line. Starting is
// the same first-come-wins spawn the client uses; stopping sends Shutdown and waits until the socket is
// gone and the run lock released.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticRuntime

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start the daemon and wait until it is ready; nothing to do if one runs.",
        discussion: """
        Starts `semd --socket PATH --spawned --log-file <socket name>.log` (found beside semctl, then on \
        PATH, or $SEMD_DAEMON_BINARY) detached in its own session, logging beside the socket, and waits until \
        its model is loaded. A daemon started this way exits after an hour without requests.

        Examples:
          semctl start
          semctl start --socket /tmp/semd-test.sock --models-dir ~/models
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Option(name: .long, help: ArgumentHelp("Models folder for the daemon.", valueName: "dir")) var modelsDir: String?
    @Option(name: .long, help: ArgumentHelp("Seconds to wait until ready (default 30).", valueName: "seconds"))
    var timeout: Double = 30

    func run() throws {
        let client = try socketOption.makeClient(modelsDirectory: modelsDir)
        try start(client, timeout: timeout)
    }
}

/// Starts the daemon of `client` and reports what happened.
func start(_ client: SemanticClient, timeout: Double) throws {
    let paths = client.configuration.paths
    let began = ContinuousClock.now
    let launch: DaemonLaunch
    do {
        launch = try client.startDaemon(readyTimeout: .milliseconds(Int64(max(0, timeout) * 1000)))
    } catch {
        if case .unavailable(let message) = error {
            let hint = message.contains("cannot find semd") || message.contains("not an executable")
                ? "put semd beside semctl or on PATH, or set SEMD_DAEMON_BINARY"
                : "see \(paths.logFile) (`semctl logs`), or run `semd --socket \(paths.socket)` in the foreground"
            throw CommandFailure("cannot start semd: \(message)", hint: hint)
        }
        throw CommandFailure(error, socket: paths.socket)
    }
    let pid = client.daemonProcessID().map { "pid \($0)" } ?? "pid unknown"
    switch launch {
    case .alreadyRunning:
        print("semd is already running (\(pid)) at \(paths.socket)")
    case .started:
        print("started semd (\(pid)) at \(paths.socket); ready in \(formatted(ContinuousClock.now - began)); log \(paths.logFile)")
    case .startedElsewhere:
        print("semd was started by another client (\(pid)) at \(paths.socket); ready")
    }
}

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Ask the daemon to stop and wait until its socket is gone.",
        discussion: """
        Sends Shutdown; the daemon finishes the requests in flight, removes its socket and releases its \
        run lock. Nothing to do (exit 0) when no daemon runs.

        Examples:
          semctl stop
          semctl stop --socket /tmp/semd-test.sock --timeout 30
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Option(name: .long, help: ArgumentHelp("Seconds to wait for it to stop (default 10).", valueName: "seconds"))
    var timeout: Double = 10

    func run() throws {
        try stop(try socketOption.makeClient(), timeout: timeout)
    }
}

/// Stops the daemon of `client` and reports what happened.
func stop(_ client: SemanticClient, timeout: Double) throws {
    let socket = client.configuration.paths.socket
    let began = ContinuousClock.now
    let pid: Int32?
    do {
        pid = try client.stopDaemon(timeout: .milliseconds(Int64(max(0, timeout) * 1000)))
    } catch {
        let owner = client.daemonProcessID().map { " (pid \($0))" } ?? ""
        throw CommandFailure("could not stop the daemon\(owner) at \(socket): \(error)",
                             hint: owner.isEmpty ? "see `semctl logs`" : "see `semctl logs`, or end it with kill\(owner.dropFirst(5).dropLast())")
    }
    if let pid {
        print("stopped semd (pid \(pid)) at \(socket) in \(formatted(ContinuousClock.now - began))")
    } else {
        print("no daemon is running at \(socket)")
    }
}

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop the daemon (if one runs) and start a fresh one.",
        discussion: """
        Examples:
          semctl restart
          semctl restart --models-dir ~/models    # pick up newly installed models
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Option(name: .long, help: ArgumentHelp("Models folder for the new daemon.", valueName: "dir")) var modelsDir: String?
    @Option(name: .long, help: ArgumentHelp("Seconds to wait for each step (default 30).", valueName: "seconds"))
    var timeout: Double = 30

    func run() throws {
        let client = try socketOption.makeClient(modelsDirectory: modelsDir)
        try stop(client, timeout: timeout)
        try start(client, timeout: timeout)
    }
}

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the end of the daemon's log (the log of a daemon a client started).",
        discussion: """
        A daemon started by semctl or SemanticClient logs to <socket name>.log beside the socket \
        (/tmp/semantic-daemon-$USER.log by default). A daemon you run yourself logs to its stderr or \
        to its --log-file instead. When the log reaches its size cap (10 MiB, semd --log-max-size) the \
        daemon renames it to <log>.1 and starts a new one; the lines shown here come from both.

        Examples:
          semctl logs
          semctl logs -n 200
          semctl logs --follow
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Option(name: [.customShort("n"), .long], help: "Lines to print (default 50).") var lines = 50
    @Flag(name: .shortAndLong, help: "Keep printing lines as they are written (Ctrl-C ends).") var follow = false

    func validate() throws {
        guard lines >= 0 else { throw ValidationError("--lines must not be negative") }
    }

    func run() throws {
        let path = socketOption.paths.logFile
        guard let shown = DaemonLogFiles.newestLines(of: path, count: lines) else {
            throw CommandFailure("there is no daemon log at \(path)",
                                 hint: "a daemon logs there only when a client started it; `semctl start` starts one")
        }
        FileHandle.standardOutput.write(Data(shown.map { $0 + "\n" }.joined().utf8))
        if follow { Self.follow(path) }
    }

    /// Prints what is appended to the log from its end on. When the daemon rotates it (the path then
    /// names a new file), the rest of the old file is printed first, then the new one from its start.
    static func follow(_ path: String) -> Never {
        var handle = FileHandle(forReadingAtPath: path)
        var offset = (try? handle?.seekToEnd()) ?? 0
        while true {
            if let open = handle {
                try? open.seek(toOffset: offset)
                if let data = try? open.readToEnd(), !data.isEmpty {
                    offset += UInt64(data.count)
                    FileHandle.standardOutput.write(data)
                    continue
                }
                if identity(of: open.fileDescriptor) != identity(atPath: path) {
                    // Rotated or replaced, and the old file read to its end: go on with the new one.
                    try? open.close()
                    (handle, offset) = (FileHandle(forReadingAtPath: path), 0)
                    continue
                }
                if let size = try? open.seekToEnd(), size < offset { offset = 0 }  // truncated: start over
            } else {
                (handle, offset) = (FileHandle(forReadingAtPath: path), 0)
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// Device and inode of an open file or a path (nil: none there).
    static func identity(of descriptor: Int32) -> [UInt64]? {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? [UInt64(status.st_dev), UInt64(status.st_ino)] : nil
    }

    static func identity(atPath path: String) -> [UInt64]? {
        var status = stat()
        return stat(path, &status) == 0 ? [UInt64(status.st_dev), UInt64(status.st_ino)] : nil
    }
}
