// `semctl bench`: how fast embedding is on this machine, through the path semctl itself uses (the
// daemon, started when needed, or this process with --no-daemon): one short query many times (p50 and
// p99 latency) and a batch of 32 sentences (sentences/s), a few lines of output. The benchmark suite
// (engine workloads, daemon overhead, HTTP, the soak) is semd-bench's, not semctl's.
import ArgumentParser
import Foundation
import SemanticClient

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "How fast embedding is on this machine: one-query latency and batch throughput.",
        discussion: """
        Embeds one short query --runs times and a batch of 32 sentences a tenth as often (at least \
        once), after a few untimed calls that start the daemon or load the model. Times are what \
        semctl sees: the round trip to the daemon included, or the in-process engine with --no-daemon.

        The developer's benchmark suite (the standard workloads, the daemon's overhead, HTTP, a soak \
        under mixed load) is semd-bench: `make bench`, Docs/PERFORMANCE.md.

        Examples:
          semctl bench                       # through the daemon (started when needed)
          semctl bench --no-daemon --runs 50 # the engine in this process
          semctl bench --json                # {"served_by", "model", "query_p50_ms", ..., "sentences_per_s"}
        """
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Embedding model (an id or alias; default: minilm).") var model = "default"
    @Option(help: "Timed one-query calls (default 100; the batch runs a tenth as often, at least once).") var runs = 100
    @Flag(help: "One JSON object.") var json = false

    static let query = "how fast does this machine embed a short question"
    static let batch = (1...32).map { "sentence \($0) of the batch: a daemon keeps the model warm so every call is fast" }

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        let client = try client.makeClient()
        let socket = client.configuration.paths.socket
        func embed(_ texts: [String]) throws -> (EmbeddingResult, Double) {
            let start = ContinuousClock.now
            do {
                let result = try client.embed(texts, model: model)
                let elapsed = ContinuousClock.now - start
                return (result, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            } catch {
                throw CommandFailure(error, socket: socket)
            }
        }
        let (first, _) = try embed([Self.query])
        for _ in 0..<5 { _ = try embed([Self.query]) }
        let queryTimes = try (0..<runs).map { _ in try embed([Self.query]).1 }
        let batchTimes = try (0..<max(1, runs / 10)).map { _ in try embed(Self.batch).1 }
        let (queryP50, queryP99, batchP50) = (percentile(queryTimes, 0.5), percentile(queryTimes, 0.99), percentile(batchTimes, 0.5))
        let sentencesPerSecond = Double(Self.batch.count) / (batchP50 / 1000)
        if json {
            print(JSONValue.object([
                ("served_by", .string(first.servedBy.name)), ("model", .string(first.model)), ("dimension", .int(first.dimension)),
                ("runs", .int(queryTimes.count)), ("query_p50_ms", .double(queryP50)), ("query_p99_ms", .double(queryP99)),
                ("batch_size", .int(Self.batch.count)), ("batch_runs", .int(batchTimes.count)), ("batch_p50_ms", .double(batchP50)),
                ("sentences_per_s", .double(sentencesPerSecond)),
            ]).text)
            return
        }
        switch first.servedBy {
        case .daemon: print("\(first.model) (\(first.dimension)-d), served by the daemon at \(socket)")
        case .inProcess(let reason): print("\(first.model) (\(first.dimension)-d), computed in this process (\(reason))")
        }
        func calls(_ count: Int) -> String { count == 1 ? "1 call" : "\(count) calls" }
        print(String(format: "one query:      p50 %.2f ms, p99 %.2f ms (%@)", queryP50, queryP99, calls(queryTimes.count)))
        print(String(format: "32 sentences:   %.1f ms a call, %.0f sentences/s (%@)", batchP50, sentencesPerSecond, calls(batchTimes.count)))
    }

    /// Nearest-rank percentile of `values` (not empty).
    private func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(max(Int((fraction * Double(sorted.count)).rounded(.up)) - 1, 0), sorted.count - 1)]
    }
}
