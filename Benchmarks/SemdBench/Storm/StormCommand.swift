// `semd-bench storm` (`make storm`): what clients that ignore retry_after_ms cost everyone else. A
// release semd (the one beside semd-bench, or --semd) with its default --max-connections 16 on a
// temporary socket; 16 served clients send 8 texts per Embed back to back; per round, a storm-free
// phase, then a phase in which 8 more clients reconnect without backoff after every refusal. Reports
// the served texts/s of both (a same-run ratio, so the machine's other load mostly cancels), semd's
// CPU from /proc/PID/stat, the machine's load, the lines semd's log gained, and whether semd is alive
// and answering at the end; prints one JSON line and a summary; exits 1 when the verdict fails
// (StormReport). Never leaves semd running.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticWire

struct StormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "Served clients' throughput with and without clients that reconnect at once after every refusal.",
        discussion: """
        Starts semd (beside semd-bench, or --semd) with its defaults (--max-connections 16, --nice 10 unless \
        --nice) and a log file, \
        connects the served clients, warms up, then runs --rounds rounds of a storm-free phase and a storm \
        phase of --seconds each. The storm clients send an Embed on a fresh connection, read the Overloaded \
        answer, close and reconnect with no pause.

        Exit status 1 when the served texts/s under the storm fall below --min-ratio of the storm-free \
        figure, semd died or stopped answering, more than --max-log-lines lines per 15 s were logged \
        during the storm, a served request failed, or the storm clients were never refused.

        Example: semd-bench storm --seconds 15     (make storm)
        """
    )

    @OptionGroup var locations: BenchmarkLocations
    @Option(help: "Seconds of each phase (default 15).") var seconds: Double = 15
    @Option(help: "Seconds of served load before the first phase (default 15: the inference queue's merged batches settle).")
    var warmup: Double = 15
    @Option(help: "Storm-free + storm rounds (default 1); the figures are summed over them.") var rounds: Int = 1
    @Option(help: "Clients served throughout (default 16, semd's default connection limit).") var servedClients: Int = 16
    @Option(help: "Clients reconnecting without backoff during the storm (default 8).") var stormClients: Int = 8
    @Option(help: "Texts per Embed request (default 8).") var textsPerRequest: Int = 8
    @Option(help: "Least served throughput under the storm, as a share of the storm-free figure (default 0.70).")
    var minRatio: Double = 0.70
    @Option(help: "Most log lines per 15 s of storm (default 100).") var maxLogLines: Int = 100
    @Option(help: ArgumentHelp("The semd to run (default: the one beside semd-bench).", valueName: "path")) var semd: String?
    @Option(help: "semd's --nice (default: not passed, so semd's own default, 10).") var nice: Int?
    @Flag(help: "Print only the JSON line.") var json = false

    func validate() throws {
        guard seconds > 0, warmup >= 0, rounds >= 1 else { throw ValidationError("--seconds must be positive, --warmup not negative, --rounds at least 1") }
        guard servedClients >= 1, stormClients >= 1, textsPerRequest >= 1 else {
            throw ValidationError("--served-clients, --storm-clients and --texts-per-request must be at least 1")
        }
        guard minRatio >= 0, maxLogLines >= 0 else { throw ValidationError("--min-ratio and --max-log-lines must not be negative") }
    }

    func run() throws {
        let texts = try locations.loadInputs().w2Sentences
        let report = try measure(texts: texts)
        print(report.jsonLine)
        if !json { print(report.text()) }
        if !report.passed { throw ExitCode(1) }
    }

    private func measure(texts: [String]) throws -> StormReport {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semd-storm-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let models = try embedderFolder(in: directory)
        let socket = directory.appendingPathComponent("semd.sock").path
        let log = directory.appendingPathComponent("semd.log").path
        let executable = try semd.map { path -> URL in
            guard FileManager.default.isExecutableFile(atPath: path) else { throw BenchmarkFailure("\(path) is not an executable") }
            return URL(fileURLWithPath: path)
        } ?? BenchmarkLocations.semdExecutable()

        // semd's defaults, but for the paths: its own socket, no xf socket, the log in a file.
        let daemon = Process()
        daemon.executableURL = executable
        daemon.arguments = ["--socket", socket, "--no-xf", "--models-dir", models.path, "--log-file", log,
                            "--lazy-reranker", "--idle-timeout", "600"] + (nice.map { ["--nice", String($0)] } ?? [])
        daemon.standardOutput = FileHandle.nullDevice
        let errors = directory.appendingPathComponent("semd.stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        daemon.standardError = try FileHandle(forWritingTo: errors)
        try daemon.run()
        defer {
            if daemon.isRunning {
                daemon.terminate()
                daemon.waitUntilExit()
            }
        }
        let dimension = try waitUntilReady(socket, daemon: daemon)
        let pid = daemon.processIdentifier
        FileHandle.standardError.write(Data("storm: semd pid \(pid) ready on \(socket)\n".utf8))

        var setup = StormSetup(servedClients: servedClients, stormClients: stormClients, textsPerRequest: textsPerRequest,
                               phaseSeconds: seconds, rounds: rounds, maxConnections: 16,  // semd's default, not passed
                               minimumRatio: minRatio, maximumLogLines: maxLogLines)
        setup.cores = ProcessInfo.processInfo.activeProcessorCount
        setup.ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        setup.loadAverage = SystemSample.loadAverage() ?? 0

        let tally = StormTally()
        let clients = StormClients(socket: socket, texts: texts, textsPerRequest: textsPerRequest, tally: tally, dimension: dimension)
        // Every served client holds its slot before the load starts.
        var connections: [DaemonConnection] = []
        for _ in 0..<servedClients { connections.append(try clients.connectServed()) }
        let served = ClientThreads()
        let admitted = connections
        served.start(servedClients) { client in clients.serve(client: client, connection: admitted[client], threads: served) }
        defer { _ = served.stop() }
        Thread.sleep(forTimeInterval: warmup)

        var quiet = StormPhase(), storm = StormPhase()
        for round in 0..<rounds {
            quiet = quiet + measurePhase(2 * round, seconds: seconds, tally: tally, pid: pid, log: log) {}
            let stormThreads = ClientThreads()
            storm = storm + measurePhase(2 * round + 1, seconds: seconds, tally: tally, pid: pid, log: log) {
                stormThreads.start(stormClients) { client in clients.storm(client: client, threads: stormThreads) }
            }
            if !stormThreads.stop() { throw BenchmarkFailure("the storm clients did not stop within 120 s") }
            FileHandle.standardError.write(Data(String(format: "storm: round %d: %.1f texts/s storm-free, %.1f under the storm\n",
                                                       round + 1, quiet.textsPerSecond, storm.textsPerSecond).utf8))
        }
        if !served.stop() { throw BenchmarkFailure("the served clients did not stop within 120 s") }
        return StormReport(setup: setup, quiet: quiet, storm: storm, daemonFailure: aliveCheck(daemon, socket: socket, log: log),
                           firstServedError: tally.firstServedError, firstStormFailure: tally.firstStormFailure)
    }

    /// Runs one phase: `begin` (starting its clients) and the phase's measuring window, with the
    /// samples of CPU and log taken at both ends and the outcomes tallied in between.
    private func measurePhase(_ index: Int, seconds: Double, tally: StormTally, pid: Int32, log: String,
                              begin: () -> Void) -> StormPhase {
        let lines = LogLineCounter(path: log)
        let before = SystemSample.take(pid: pid)
        let start = ContinuousClock.now
        tally.currentPhase.store(index, ordering: .releasing)
        begin()
        Thread.sleep(forTimeInterval: seconds)
        tally.currentPhase.store(-1, ordering: .releasing)
        let elapsed = (ContinuousClock.now - start).seconds
        let after = SystemSample.take(pid: pid)
        var phase = tally.phase(index)
        phase.seconds = elapsed
        phase.semdTicks = after.processTicks &- before.processTicks
        phase.benchTicks = after.ownTicks &- before.ownTicks
        phase.machineBusyTicks = after.machineBusyTicks &- before.machineBusyTicks
        phase.machineTotalTicks = after.machineTotalTicks &- before.machineTotalTicks
        phase.logLines = lines.linesAdded()
        return phase
    }

    /// Nil when semd still runs and answers Health on a fresh connection; else what is wrong.
    private func aliveCheck(_ daemon: Process, socket: String, log: String) -> String? {
        guard daemon.isRunning else { return "exited during the run (status \(daemon.terminationStatus)); its log: \(log)" }
        let giveUp = ContinuousClock.now + .seconds(30)
        var last = "no answer"
        while ContinuousClock.now < giveUp {
            do {
                let connection = try DaemonConnection(socketPath: socket, connectTimeout: .seconds(10))
                defer { connection.close() }
                switch try connection.send(.health).response {
                case .health(let health) where health.ready: return nil
                case let other: last = "Health answered \(other)"
                }
            } catch {
                last = "\(error)"
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return "did not answer Health within 30 s after the run: \(last)"
    }

    /// A models folder holding only MiniLM, as installed.
    private func embedderFolder(in directory: URL) throws -> URL {
        let folder = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let miniLM: URL
        do { miniLM = try locations.root.installedDirectory(for: .miniLM) } catch {
            throw BenchmarkFailure("\(error)", hint: "run `make models`, or pass --models-dir")
        }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(ModelDescriptor.miniLM.directoryName),
                                                   withDestinationURL: miniLM.resolvingSymlinksInPath())
        return folder
    }

    /// Waits until semd answers Health ready and an Embed; returns the embedding's dimension.
    private func waitUntilReady(_ socket: String, daemon: Process) throws -> Int {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline && daemon.isRunning {
            if let connection = try? DaemonConnection(socketPath: socket) {
                defer { connection.close() }
                if case .health(let health)? = try? connection.send(.health).response, health.ready,
                   case .embed(let answer)? = try? connection.send(.embed(texts: ["ready?"], model: "default", dims: nil)).response,
                   let vector = answer.embeddings.first {
                    return vector.count
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BenchmarkFailure("semd did not become ready on \(socket) within 120 s")
    }
}

/// CPU counters at one moment: a process's (utime + stime of /proc/PID/stat), this process's, and the
/// whole machine's busy and total (/proc/stat), all in clock ticks.
struct SystemSample {
    var processTicks: UInt64 = 0
    var ownTicks: UInt64 = 0
    var machineBusyTicks: UInt64 = 0
    var machineTotalTicks: UInt64 = 0

    static func take(pid: Int32) -> SystemSample {
        var sample = SystemSample()
        sample.processTicks = processTicks(statLine: try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? 0
        sample.ownTicks = processTicks(statLine: try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)) ?? 0
        if let machine = machineTicks(statText: try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) {
            (sample.machineBusyTicks, sample.machineTotalTicks) = machine
        }
        return sample
    }

    /// utime + stime (fields 14 and 15) of a /proc/PID/stat line; the command name (field 2) may hold
    /// spaces and parentheses, so fields are counted after its last ')'.
    static func processTicks(statLine: String?) -> UInt64? {
        guard let statLine, let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return user + system
    }

    /// Busy (user, nice, system, irq, softirq, steal) and total (busy + idle + iowait) ticks of all
    /// cores, from /proc/stat's first line.
    static func machineTicks(statText: String?) -> (busy: UInt64, total: UInt64)? {
        guard let line = statText?.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 8 else { return nil }
        let busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7]
        return (busy, busy + values[3] + values[4])
    }

    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}

/// Lines a log gained since the counter was made, across one rotation (`<log>.1`): when the file
/// was renamed away meanwhile, its lines past the starting count plus the new file's are counted.
/// After two or more rotations the count is the lower bound of both files' lines.
struct LogLineCounter {
    let path: String
    private let startLines: Int
    private let startInode: UInt64?

    init(path: String) {
        self.path = path
        startLines = Self.lines(in: path)
        startInode = Self.inode(of: path)
    }

    func linesAdded() -> Int {
        let current = Self.lines(in: path)
        guard let startInode, Self.inode(of: path) != startInode else { return max(0, current - startLines) }
        let previous = DaemonLogFiles.previousPath(of: path)
        if Self.inode(of: previous) == startInode { return max(0, Self.lines(in: previous) - startLines) + current }
        return Self.lines(in: previous) + current
    }

    static func lines(in path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return data.reduce(0) { $1 == 0x0a ? $0 + 1 : $0 }
    }

    static func inode(of path: String) -> UInt64? {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_ino) : nil
    }
}
