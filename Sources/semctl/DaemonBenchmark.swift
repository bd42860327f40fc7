// Daemon workloads for `semctl bench`: RT, the round-trip overhead of a one-text Embed through a
// real semd (socket + framing + scheduler) against the same call in-process; C8, the total throughput
// of 8 concurrent clients sending W1 queries against one client. Starts its own semd on a temporary
// socket and stops it afterwards.
import CSQLite
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticWire

struct DaemonBenchmark {
    let inputs: BenchmarkInputs
    let root: ModelsRoot
    let threads: Int

    /// Starts semd (beside this executable) on a temporary socket and waits until it is ready.
    func withDaemon<T>(extraArguments: [String] = [], _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semd-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("d.sock").path
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("semd")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CommandFailure("semd is not beside semctl (\(executable.path))", hint: "build both: swift build -c release")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--socket", socket, "--models-dir", root.url.path, "--nice", "0", "--threads", String(threads),
                             "--log-level", "warning"] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let connection = try? DaemonConnection(socketPath: socket),
               case .health(let health)? = try? connection.send(.health).response, health.ready {
                return try body(socket)
            }
            usleep(20_000)
        }
        throw CommandFailure("semd did not become ready on \(socket)")
    }

    /// The in-process call and the daemon call alternate in blocks of `blockSize` (each block warmed
    /// by a few untimed calls), so a drift in the machine's speed (a neighbour's load, the host's
    /// frequency) weighs on both alike; the overhead is the median of the per-block differences of
    /// medians. A Health round trip on the same connection measures the transport alone.
    ///
    /// Measured twice: back to back, and paced, with the same idle `pace` before every call on both
    /// sides. Back to back, the in-process engine runs with no pause at all while the daemon's
    /// engine idles for each round trip, and a core that idled even briefly runs the next forward
    /// pass slower (on the development VM, a 2 ms pause made the daemon's engine time itself 1.3 ms
    /// longer). A client's calls follow idle time, so the paced overhead is the one a client sees.
    ///
    /// Then interleaved: `pairs` pairs of one in-process call and one daemon call, back to back, in
    /// alternating order; the overhead is the median of the pairs' differences. A pair's two calls
    /// are a few milliseconds apart, so the machine's drift (which moves W1 by more than the overhead
    /// within minutes on a shared host) cancels in each difference, and each side's engine idles
    /// for the same time (the other side's call) before its call.
    func roundTrip(blocks: Int = 16, blockSize: Int = 25, pace: Duration = .milliseconds(2), pairs: Int = 400) throws -> [(String, JSONValue)] {
        let embedder = try Embedder.load(directory: try root.installedDirectory(for: .miniLM),
                                         configuration: EngineConfiguration(threads: threads))
        let query = [inputs.w1Query]
        return try withDaemon { socket in
            let connection = try DaemonConnection(socketPath: socket)
            let remoteCall = {
                guard case .embed = try connection.send(.embed(texts: query, model: "default", dims: nil)).response else {
                    throw CommandFailure("the daemon did not answer the Embed")
                }
            }
            var local: [Double] = [], remote: [Double] = [], health: [Double] = [], differences: [Double] = []
            var pacedLocal: [Double] = [], pacedRemote: [Double] = [], pacedDifferences: [Double] = []
            for _ in 0..<blocks {
                let localBlock = try Statistics.time(runs: blockSize, warmup: 5) { _ = try embedder.embed(query) }.map { $0 * 1000 }
                let remoteBlock = try Statistics.time(runs: blockSize, warmup: 5, remoteCall).map { $0 * 1000 }
                health += try Statistics.time(runs: blockSize, warmup: 1) { _ = try connection.send(.health) }.map { $0 * 1000 }
                local += localBlock
                remote += remoteBlock
                differences.append(Statistics.median(remoteBlock) - Statistics.median(localBlock))
                let pacedLocalBlock = try Statistics.time(runs: blockSize, warmup: 2, pause: pace) { _ = try embedder.embed(query) }
                    .map { $0 * 1000 }
                let pacedRemoteBlock = try Statistics.time(runs: blockSize, warmup: 2, pause: pace, remoteCall).map { $0 * 1000 }
                pacedLocal += pacedLocalBlock
                pacedRemote += pacedRemoteBlock
                pacedDifferences.append(Statistics.median(pacedRemoteBlock) - Statistics.median(pacedLocalBlock))
            }
            var pairDifferences: [Double] = []
            for pair in 0..<pairs {
                let localFirst = pair % 2 == 0
                var localTime = 0.0, remoteTime = 0.0
                for side in 0..<2 {
                    if (side == 0) == localFirst {
                        localTime = try Statistics.time(runs: 1, warmup: 0) { _ = try embedder.embed(query) }[0] * 1000
                    } else {
                        remoteTime = try Statistics.time(runs: 1, warmup: 0, remoteCall)[0] * 1000
                    }
                }
                pairDifferences.append(remoteTime - localTime)
            }
            return [("workload", .string("RT")), ("in_process_p50_ms", .double(Statistics.median(local))),
                    ("daemon_p50_ms", .double(Statistics.median(remote))),
                    ("daemon_p99_ms", .double(Statistics.percentile(remote, 0.99))),
                    ("health_p50_ms", .double(Statistics.median(health))),
                    ("overhead_ms", .double(Statistics.median(differences))),
                    ("pace_ms", .double(pace.seconds * 1000)),
                    ("paced_in_process_p50_ms", .double(Statistics.median(pacedLocal))),
                    ("paced_daemon_p50_ms", .double(Statistics.median(pacedRemote))),
                    ("paced_overhead_ms", .double(Statistics.median(pacedDifferences))),
                    ("interleaved_overhead_ms", .double(Statistics.median(pairDifferences))),
                    ("interleaved_pairs", .int(pairs))]
        }
    }

    /// `sgemmPeak` (GFLOP/s, measured in the same run) bounds what any batching could reach: the
    /// clients' queries as one batch can take no less than their FLOPs at the sgemm peak.
    func concurrentClients(_ clients: Int = 8, queriesPerClient: Int = 100, sgemmPeak: Double) throws -> [(String, JSONValue)] {
        try withDaemon { socket in
            func throughput(_ count: Int) throws -> Double {
                let failures = ResultList()
                let start = ContinuousClock.now
                let group = DispatchGroup()
                for _ in 0..<count {
                    group.enter()
                    Thread.detachNewThread {
                        defer { group.leave() }
                        do {
                            let connection = try DaemonConnection(socketPath: socket)
                            for _ in 0..<queriesPerClient {
                                guard case .embed = try connection.send(.embed(texts: [inputs.w1Query], model: "default",
                                                                                dims: nil)).response else {
                                    failures.append("not an Embed answer")
                                    return
                                }
                            }
                        } catch {
                            failures.append("\(error)")
                        }
                    }
                }
                group.wait()
                let seconds = (ContinuousClock.now - start).seconds
                if let failure = failures.first { throw CommandFailure("a client failed: \(failure)") }
                return Double(count * queriesPerClient) / seconds
            }
            // One client and all clients alternate, three rounds each: drift weighs on both alike.
            _ = try throughput(1)
            var one: [Double] = [], many: [Double] = []
            for _ in 0..<3 {
                one.append(try throughput(1))
                many.append(try throughput(clients))
            }
            let (oneQPS, manyQPS) = (Statistics.median(one), Statistics.median(many))
            // The engine's own ceiling: all the clients' queries as one batch, in-process, on every
            // thread. No scheduler can serve them faster than this.
            let embedder = try Embedder.load(directory: try root.installedDirectory(for: .miniLM),
                                             configuration: EngineConfiguration(threads: threads))
            let batch = Array(repeating: inputs.w1Query, count: clients)
            let batchSeconds = Statistics.median(try Statistics.time(runs: 50, warmup: 5) { _ = try embedder.embed(batch) })
            let ceilingQPS = Double(clients) / batchSeconds
            let tokens = embedder.tokenizer.encode(inputs.w1Query).ids.count
            let batchFLOPs = embedder.forwardFLOPs(tokenCounts: Array(repeating: tokens, count: clients))
            // At the sgemm peak, every FLOP of the batch in a GEMM and nothing else costing time.
            let peakQPS = Double(clients) / (batchFLOPs / (sgemmPeak * 1e9))
            return [("workload", .string("C\(clients)")), ("one_client_qps", .double(oneQPS)),
                    ("clients", .int(clients)), ("all_clients_qps", .double(manyQPS)), ("speedup", .double(manyQPS / oneQPS)),
                    ("engine_ceiling_qps", .double(ceilingQPS)), ("engine_ceiling_speedup", .double(ceilingQPS / oneQPS)),
                    ("engine_ceiling_gflops", .double(batchFLOPs / batchSeconds / 1e9)),
                    ("speedup_bound_at_sgemm_peak", .double(peakQPS / oneQPS))]
        }
    }
}

/// Thread-safe list of failure messages.
final class ResultList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var first: String? { lock.withLock { items.first } }
}

extension DaemonBenchmark {
    /// JW: W1 latency through a real semd while a MiniLM job embeds an archive (one query every 50 ms
    /// for 20 s), against idle, and the job's documents/s meanwhile against embedding the same texts
    /// in-process in batches on every core.
    func latencyDuringJob(messages: Int = 2000) throws -> [(String, JSONValue)] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semd-bench-job-\(getpid())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("index"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("archive.db").path
        let texts = (0..<messages).map { inputs.w6Texts[$0 % inputs.w6Texts.count] + " (\($0))" }
        try BenchmarkArchive.write(texts, to: database)

        let embedder = try Embedder.load(directory: try root.installedDirectory(for: .miniLM),
                                         configuration: EngineConfiguration(threads: threads))
        let sample = Array(texts.prefix(256))
        let inProcessSeconds = Statistics.median(try Statistics.time(runs: 3) { _ = try embedder.embed(sample) })

        return try withDaemon { socket in
            let connection = try DaemonConnection(socketPath: socket)
            let query = SemanticWire.Request.embed(texts: [inputs.w1Query], model: "default", dims: nil)
            let idle = try Statistics.time(runs: 100, warmup: 10) { _ = try connection.send(query) }.map { $0 * 1000 }
            let control = try DaemonConnection(socketPath: socket)
            _ = try control.send(.submitEmbeddingJob(dbPath: database, indexPath: directory.appendingPathComponent("index").path,
                                                     twoTier: false, fastModel: nil, qualityModel: "minilm"))
            // Wait for the first recorded progress, then send one W1 query every 50 ms (someone
            // searching while the archive is embedded) for 20 s, reading the job's progress once a second.
            func progress() throws -> (running: Bool, completed: Int64) {
                guard case .jobStatus(let info) = try control.send(.embeddingJobStatus(dbPath: database)).response,
                      let job = info.jobs.first else { return (false, 0) }
                return (job.status == "running" || job.status == "pending", job.completedDocuments)
            }
            let waitDeadline = ContinuousClock.now + .seconds(120)
            var (running, firstCompleted) = try progress()
            while running && firstCompleted == 0 && ContinuousClock.now < waitDeadline {
                usleep(100_000)
                (running, firstCompleted) = try progress()
            }
            let started = ContinuousClock.now
            var lastCompleted = firstCompleted
            var lastAt = started
            var nextStatus = started + .seconds(1)
            var busy: [Double] = []
            while running && ContinuousClock.now < started + .seconds(20) {
                let sent = ContinuousClock.now
                _ = try connection.send(query)
                busy.append((ContinuousClock.now - sent).seconds * 1000)
                if ContinuousClock.now >= nextStatus {
                    let (stillRunning, completed) = try progress()
                    running = stillRunning
                    if completed != lastCompleted { lastCompleted = completed; lastAt = .now }
                    nextStatus = .now + .seconds(1)
                }
                let pause = sent + .milliseconds(50) - ContinuousClock.now
                if pause > .zero { usleep(UInt32(pause.seconds * 1_000_000)) }
            }
            _ = try? control.send(.cancelEmbeddingJob(dbPath: database, modelID: nil))
            let jobSeconds = (lastAt - started).seconds
            let idleMedian = Statistics.median(idle)
            let busyMedian = Statistics.median(busy)
            return [("workload", .string("JW")), ("idle_p50_ms", .double(idleMedian)), ("during_job_p50_ms", .double(busyMedian)),
                    ("during_job_p99_ms", .double(Statistics.percentile(busy, 0.99))),
                    ("latency_ratio", .double(busyMedian / idleMedian)),
                    ("job_docs_per_s", .double(Double(lastCompleted - firstCompleted) / jobSeconds)),
                    ("in_process_docs_per_s", .double(Double(sample.count) / inProcessSeconds))]
        }
    }
}

/// A cass-schema archive holding `texts` as messages, for the JW workload.
enum BenchmarkArchive {
    static func write(_ texts: [String], to path: String) throws {
        var database: OpaquePointer?
        guard sqlite3_open(path, &database) == SQLITE_OK, let database else {
            throw CommandFailure("cannot create the benchmark archive \(path)")
        }
        defer { sqlite3_close(database) }
        var sql = """
            CREATE TABLE conversations (id INTEGER PRIMARY KEY, agent_id INTEGER NOT NULL, workspace_id INTEGER,
                source_id TEXT NOT NULL DEFAULT 'local', source_path TEXT NOT NULL);
            CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, idx INTEGER NOT NULL,
                role TEXT NOT NULL, created_at INTEGER, content TEXT NOT NULL);
            INSERT INTO conversations(id, agent_id, source_path) VALUES (1, 1, '/bench');
            BEGIN;
            """
        for (index, text) in texts.enumerated() {
            let escaped = text.replacingOccurrences(of: "'", with: "''")
            sql += "INSERT INTO messages VALUES (\(index + 1), 1, \(index), 'user', \(1_700_000_000_000 + index), '\(escaped)');"
        }
        sql += "COMMIT;"
        guard sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK else {
            throw CommandFailure("cannot fill the benchmark archive: \(String(cString: sqlite3_errmsg(database)))")
        }
    }
}
