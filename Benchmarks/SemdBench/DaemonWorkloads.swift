// The daemon workloads of `semd-bench bench`: RT, the round-trip overhead of a one-text Embed through a
// real semd (socket + framing + scheduler) against the same call in-process; C8, the total throughput
// of 8 concurrent clients sending W1 queries against one client. Each starts its own semd (the one
// beside semd-bench) on a temporary socket and stops it afterwards; JW and HT live beside this file.
import Foundation
import SemanticClient
import SemanticCore
import SemanticWire

struct DaemonWorkloads: Sendable {
    let inputs: BenchmarkInputs
    let root: ModelsRoot
    let threads: Int

    /// MiniLM in this process, on the same threads as the daemon's engine.
    func loadEmbedder() throws -> Embedder {
        let directory: URL
        do { directory = try root.installedDirectory(for: .miniLM) } catch {
            throw BenchmarkFailure("\(error)", hint: "run `make models`, or pass --models-dir")
        }
        return try Embedder.load(directory: directory, configuration: EngineConfiguration(threads: threads))
    }

    /// Starts semd on a temporary socket, waits until it is ready, runs `body` with the socket path,
    /// then stops semd.
    func withDaemon<T>(extraArguments: [String] = [], _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semd-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("d.sock").path
        let process = Process()
        process.executableURL = try BenchmarkLocations.semdExecutable()
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
        while ContinuousClock.now < deadline && process.isRunning {
            if let connection = try? DaemonConnection(socketPath: socket),
               case .health(let health)? = try? connection.send(.health).response, health.ready {
                return try body(socket)
            }
            usleep(20_000)
        }
        if !process.isRunning {
            throw BenchmarkFailure("semd exited (status \(process.terminationStatus)) before it was ready on \(socket)",
                                   hint: "run it by hand: \(process.executableURL!.path) --socket \(socket) --models-dir \(root.url.path)")
        }
        throw BenchmarkFailure("semd did not become ready on \(socket) within 60 s")
    }

    /// One W1 Embed request on `connection`; anything but an Embed answer is a failure.
    func embedQuery(on connection: DaemonConnection) throws {
        guard case .embed = try connection.send(.embed(texts: [inputs.w1Query], model: "default", dims: nil)).response else {
            throw BenchmarkFailure("the daemon did not answer the Embed")
        }
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
    func roundTrip(blocks: Int = 16, blockSize: Int = 25, pace: Duration = .milliseconds(2), pairs: Int = 400) throws
        -> RoundTripResult {
        let embedder = try loadEmbedder()
        let query = [inputs.w1Query]
        return try withDaemon { socket in
            let connection = try DaemonConnection(socketPath: socket)
            let remoteCall = { try embedQuery(on: connection) }
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
            return RoundTripResult(
                inProcessP50Milliseconds: Statistics.median(local), daemonP50Milliseconds: Statistics.median(remote),
                daemonP99Milliseconds: Statistics.percentile(remote, 0.99), healthP50Milliseconds: Statistics.median(health),
                overheadMilliseconds: Statistics.median(differences), paceMilliseconds: pace.seconds * 1000,
                pacedInProcessP50Milliseconds: Statistics.median(pacedLocal),
                pacedDaemonP50Milliseconds: Statistics.median(pacedRemote),
                pacedOverheadMilliseconds: Statistics.median(pacedDifferences),
                interleavedOverheadMilliseconds: Statistics.median(pairDifferences), interleavedPairs: pairs)
        }
    }

    /// `sgemmPeak` (GFLOP/s, measured in the same run) bounds what any batching could reach: the
    /// clients' queries as one batch can take no less than their FLOPs at the sgemm peak.
    func concurrentClients(_ clients: Int = 8, queriesPerClient: Int = 100, sgemmPeak: Double) throws -> ConcurrentClientsResult {
        try withDaemon { socket in
            let client: @Sendable () throws -> Void = {
                let connection = try DaemonConnection(socketPath: socket)
                for _ in 0..<queriesPerClient { try embedQuery(on: connection) }
            }
            // One client and all clients alternate, three rounds each: drift weighs on both alike.
            _ = try ConcurrentClients.queriesPerSecond(1, queriesEach: queriesPerClient, client)
            var one: [Double] = [], many: [Double] = []
            for _ in 0..<3 {
                one.append(try ConcurrentClients.queriesPerSecond(1, queriesEach: queriesPerClient, client))
                many.append(try ConcurrentClients.queriesPerSecond(clients, queriesEach: queriesPerClient, client))
            }
            // The engine's own ceiling: all the clients' queries as one batch, in-process, on every
            // thread. No scheduler can serve them faster than this.
            let embedder = try loadEmbedder()
            let batch = Array(repeating: inputs.w1Query, count: clients)
            let batchSeconds = Statistics.median(try Statistics.time(runs: 50, warmup: 5) { _ = try embedder.embed(batch) })
            let tokens = embedder.tokenizer.encode(inputs.w1Query).ids.count
            let batchFLOPs = embedder.forwardFLOPs(tokenCounts: Array(repeating: tokens, count: clients))
            let oneQPS = Statistics.median(one)
            // At the sgemm peak, every FLOP of the batch in a GEMM and nothing else costing time.
            let peakQPS = Double(clients) / (batchFLOPs / (sgemmPeak * 1e9))
            return ConcurrentClientsResult(
                clients: clients, oneClientQueriesPerSecond: oneQPS, allClientsQueriesPerSecond: Statistics.median(many),
                engineCeilingQueriesPerSecond: Double(clients) / batchSeconds,
                engineCeilingGFLOPs: batchFLOPs / batchSeconds / 1e9, speedupBoundAtSGEMMPeak: peakQPS / oneQPS)
        }
    }
}

/// Clients on threads of their own, started together.
enum ConcurrentClients {
    /// Runs `client` on `count` threads at once; the queries all of them sent per second. The first
    /// failure of any client is thrown once all have finished.
    static func queriesPerSecond(_ count: Int, queriesEach: Int, _ client: @escaping @Sendable () throws -> Void) throws -> Double {
        let failures = FailureList()
        let group = DispatchGroup()
        let start = ContinuousClock.now
        for _ in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do { try client() } catch { failures.append("\(error)") }
            }
        }
        group.wait()
        let seconds = (ContinuousClock.now - start).seconds
        if let failure = failures.first { throw BenchmarkFailure("a client failed: \(failure)") }
        return Double(count * queriesEach) / seconds
    }
}

/// Thread-safe list of failure messages.
final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var first: String? { lock.withLock { items.first } }
}
