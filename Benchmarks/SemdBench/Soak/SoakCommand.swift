// `semd-bench soak` (`make soak`): a real semd (the one beside semd-bench) on a temporary socket, its xf socket
// and a loopback HTTP port, under mixed load from one worker process per SoakRole for a bounded time;
// then requests served, errors, p50/p99 per window and semd's RSS at start, middle and end. Exits 1
// when any well-formed request failed, semd died, or RSS grew more than the limit after warm-up.
// The reranker is the installed ms-marco model, or the tiny test cross-encoder when none is installed.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire

struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run semd under mixed load for a bounded time; report errors, latency over time and memory.",
        discussion: """
        Starts semd (beside semd-bench) with --http on a free loopback port and its own xf socket, then one \
        process per kind of load until the time is up: cass single-text and batch embeds, xf requests, \
        HTTP embeddings and reranks, cass reranks, background embedding jobs over generated archives, \
        clients that disconnect mid-frame, and bursts of 16 connections. Every answer is checked.

        Exit status 1 when a well-formed request got an error or a wrong answer, when semd died, or when \
        its RSS grew by more than --growth-limit percent between the end of warm-up and the end.

        Example: semd-bench soak --seconds 60     (make soak SOAK_SECONDS=60)
        """
    )

    @OptionGroup var locations: BenchmarkLocations
    @Option(help: "Seconds of measured load after warm-up (default 600).") var seconds: Double = 600
    @Option(help: "Seconds of warm-up load before the RSS baseline is taken (default 180: the first background jobs finish and the scratch buffers reach their largest batch).") var warmup: Double = 180
    @Option(help: "Seconds per reported window (default 30).") var window: Double = 30
    @Option(help: "Largest allowed RSS growth after warm-up, in percent (default 5).") var growthLimit: Double = 5
    @Option(help: "semd's engine threads (default: all cores).") var threads: Int?

    @Option(help: .hidden) var worker: String?
    @Option(help: .hidden) var socket: String?
    @Option(help: .hidden) var xfSocket: String?
    @Option(help: .hidden) var httpPort: Int?
    @Option(help: .hidden) var deadline: Double?
    @Option(help: .hidden) var workDirectory: String?

    func run() throws {
        let texts = try locations.loadInputs()
        if let worker {
            guard let role = SoakRole(rawValue: worker), let socket, let xfSocket, let httpPort, let deadline, let workDirectory else {
                throw BenchmarkFailure("a soak worker needs a known role and every target option")
            }
            let target = SoakTarget(socket: socket, xfSocket: xfSocket, httpPort: httpPort,
                                    deadline: Date(timeIntervalSince1970: deadline), workDirectory: workDirectory,
                                    texts: texts.w6Texts, query: texts.ceQuery, documents: texts.ceDocuments)
            SoakWorker(role: role, target: target).run()
            return
        }
        let report = try coordinate(inputsURL: locations.inputsURL, query: texts.w1Query)
        print(report.text())
        if !report.passed { throw ExitCode(1) }
    }

    private func coordinate(inputsURL: URL, query: String) throws -> SoakReport {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semd-soak-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let models = try modelsFolder(in: directory)
        let socketPath = directory.appendingPathComponent("semd.sock").path
        let xfSocketPath = directory.appendingPathComponent("xf.sock").path
        let port = LoopbackPort.free()
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let semdURL = try BenchmarkLocations.semdExecutable()

        // The daemon: generous connection limit (the storms open 16 at once), an idle timeout as a
        // safety net should this process die before it stops semd.
        let daemon = Process()
        daemon.executableURL = semdURL
        daemon.arguments = ["--socket", socketPath, "--xf-socket", xfSocketPath, "--http", "127.0.0.1:\(port)",
                            "--models-dir", models.path, "--nice", "0", "--max-connections", "64", "--idle-timeout", "120",
                            "--log-level", "warning"] + (threads.map { ["--threads", String($0)] } ?? [])
        let logURL = directory.appendingPathComponent("semd.log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = try FileHandle(forWritingTo: logURL)
        try daemon.run()
        defer {
            if daemon.isRunning {
                daemon.terminate()
                daemon.waitUntilExit()
            }
        }
        let reference = try waitUntilReady(socketPath, daemon: daemon, query: query)
        FileHandle.standardError.write(Data(("soak: semd pid \(daemon.processIdentifier) ready on \(socketPath) (xf \(xfSocketPath), "
                                             + "http 127.0.0.1:\(port)); \(Int(warmup)) s warm-up + \(Int(seconds)) s load\n").utf8))

        let origin = Date().addingTimeInterval(warmup)
        let end = origin.addingTimeInterval(seconds)
        let log = SoakLog()
        var workers: [Process] = []
        defer { for worker in workers where worker.isRunning { worker.terminate() } }
        let readers = DispatchGroup()
        for role in SoakRole.allCases {
            let worker = Process()
            worker.executableURL = executable
            worker.arguments = ["soak", "--worker", role.rawValue, "--socket", socketPath, "--xf-socket", xfSocketPath,
                                "--http-port", String(port), "--deadline", String(end.timeIntervalSince1970),
                                "--work-directory", directory.path, "--inputs", inputsURL.path]
            let pipe = Pipe()
            worker.standardOutput = pipe
            try worker.run()
            let output = pipe.fileHandleForReading
            workers.append(worker)
            readers.enter()
            Thread.detachNewThread {
                defer { readers.leave() }
                var pending = Data()
                while true {
                    let chunk = output.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        log.add(line: String(decoding: pending[pending.startIndex..<newline], as: UTF8.self), measuredFrom: origin)
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                }
            }
        }

        // RSS once a second until the load ends (or semd dies).
        var daemonFailure: String?
        var nextProgress = origin
        while Date() < end {
            guard daemon.isRunning else {
                daemonFailure = "semd exited during the soak (status \(daemon.terminationStatus)); its log: \(logURL.path)"
                break
            }
            if let bytes = Self.residentBytes(of: daemon.processIdentifier) {
                log.addRSS(bytes, at: Date().timeIntervalSince(origin))
            }
            if Date() >= nextProgress {
                let snapshot = log.snapshot
                let errors = snapshot.events.filter { $0.kind == .error }.count
                FileHandle.standardError.write(Data(("soak: \(Int(Date().timeIntervalSince(origin))) s, \(snapshot.events.count) events, "
                                                     + "\(errors) errors\n").utf8))
                nextProgress = nextProgress.addingTimeInterval(window)
            }
            usleep(1_000_000)
        }
        if let bytes = Self.residentBytes(of: daemon.processIdentifier) { log.addRSS(bytes, at: Date().timeIntervalSince(origin)) }
        // Workers stop at the deadline; a request in flight may take a little longer.
        let stopBy = Date().addingTimeInterval(90)
        while workers.contains(where: { $0.isRunning }) && Date() < stopBy { usleep(100_000) }
        for worker in workers where worker.isRunning {
            worker.terminate()
            daemonFailure = daemonFailure ?? "a worker did not stop within 90 s of the deadline"
        }
        readers.wait()

        // After all of it the daemon still answers, and with the same vector as before the load.
        if daemonFailure == nil {
            do {
                let connection = try DaemonConnection(socketPath: socketPath)
                guard case .health(let health) = try connection.send(.health).response, health.ready,
                      case .embed(let answer) = try connection.send(.embed(texts: [query], model: "default", dims: nil)).response,
                      let vector = answer.embeddings.first, vector.count == reference.count else {
                    throw SoakFailure("the daemon did not answer Health and Embed after the soak")
                }
                let difference = zip(vector, reference).map { abs($0 - $1) }.max() ?? 0
                if difference > 1e-4 { throw SoakFailure("the vector after the soak differs from before by \(difference)") }
            } catch {
                daemonFailure = "\(error)"
            }
        }
        let snapshot = log.snapshot
        return SoakReport(events: snapshot.events, rss: snapshot.rss, unreadable: snapshot.unreadable, seconds: seconds,
                          warmup: warmup, window: window, growthLimitPercent: growthLimit, daemonFailure: daemonFailure)
    }

    /// A models folder for the soak: MiniLM as installed, and the ms-marco reranker as installed or,
    /// when it is not, the tiny test cross-encoder under its name (same architecture, fewer layers).
    private func modelsFolder(in directory: URL) throws -> URL {
        let folder = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let root = locations.root
        let miniLM: URL
        do { miniLM = try root.installedDirectory(for: .miniLM) } catch {
            throw BenchmarkFailure("\(error)", hint: "run `make models`, or pass --models-dir")
        }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(ModelDescriptor.miniLM.directoryName),
                                                   withDestinationURL: miniLM.resolvingSymlinksInPath())
        var reranker = try? root.installedDirectory(for: .msMarcoMiniLM)
        let testCrossEncoder = Fixtures.tinyCrossEncoderDirectory
        if reranker == nil, FileManager.default.fileExists(atPath: testCrossEncoder.appendingPathComponent("model.safetensors").path) {
            reranker = testCrossEncoder
        }
        guard let reranker else {
            throw BenchmarkFailure("no reranker to soak: ms-marco is not installed and the test cross-encoder was not found",
                                   hint: "see `semctl models list`, or run the semd-bench built in the repository")
        }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(ModelDescriptor.msMarcoMiniLM.directoryName),
                                                   withDestinationURL: reranker.resolvingSymlinksInPath())
        return folder
    }

    /// Waits for Health ready, then returns the vector of `query` taken before any load.
    private func waitUntilReady(_ socket: String, daemon: Process, query: String) throws -> [Float] {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline && daemon.isRunning {
            if let connection = try? DaemonConnection(socketPath: socket),
               case .health(let health)? = try? connection.send(.health).response, health.ready,
               case .embed(let answer)? = try? connection.send(.embed(texts: [query], model: "default", dims: nil)).response,
               let vector = answer.embeddings.first {
                return vector
            }
            usleep(100_000)
        }
        throw BenchmarkFailure("semd did not become ready on \(socket) within 120 s")
    }

    /// VmRSS of `pid` from /proc, in bytes.
    static func residentBytes(of pid: Int32) -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = UInt64(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }
}
