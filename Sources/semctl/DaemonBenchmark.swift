// Daemon workloads for `semctl bench`: RT, the round-trip overhead of a one-text Embed through a
// real semd (socket + framing + scheduler) against the same call in-process; C8, the total throughput
// of 8 concurrent clients sending W1 queries against one client. Starts its own semd on a temporary
// socket and stops it afterwards.
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
    func withDaemon<T>(_ body: (String) throws -> T) throws -> T {
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
                             "--log-level", "warning"]
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

    func roundTrip() throws -> [(String, JSONValue)] {
        let embedder = try Embedder.load(directory: try root.installedDirectory(for: .miniLM),
                                         configuration: EngineConfiguration(threads: threads))
        let query = [inputs.w1Query]
        let local = try Statistics.time(runs: 200, warmup: 20) { _ = try embedder.embed(query) }.map { $0 * 1000 }
        let remote = try withDaemon { socket -> [Double] in
            let connection = try DaemonConnection(socketPath: socket)
            return try Statistics.time(runs: 200, warmup: 20) {
                guard case .embed = try connection.send(.embed(texts: query, model: "default", dims: nil)).response else {
                    throw CommandFailure("the daemon did not answer the Embed")
                }
            }.map { $0 * 1000 }
        }
        let localMedian = Statistics.median(local)
        let remoteMedian = Statistics.median(remote)
        return [("workload", .string("RT")), ("in_process_p50_ms", .double(localMedian)),
                ("daemon_p50_ms", .double(remoteMedian)), ("daemon_p99_ms", .double(Statistics.percentile(remote, 0.99))),
                ("overhead_ms", .double(remoteMedian - localMedian))]
    }

    func concurrentClients(_ clients: Int = 8, queriesPerClient: Int = 100) throws -> [(String, JSONValue)] {
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
            _ = try throughput(1)
            let one = try throughput(1)
            let many = try throughput(clients)
            return [("workload", .string("C\(clients)")), ("one_client_qps", .double(one)),
                    ("clients", .int(clients)), ("all_clients_qps", .double(many)), ("speedup", .double(many / one))]
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
