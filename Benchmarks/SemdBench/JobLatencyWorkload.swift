// `semd-bench bench --workload JW`: W1 latency through a real semd while a MiniLM job embeds a
// 2,000-message archive (built from `CassArchiveSchema` by `CassArchiveFixture`), against idle, and the
// job's documents/s meanwhile against embedding the same texts in-process. Writes only its own
// temporary folder, and cancels the job it started.
import Foundation
import SemanticClient
import SemanticCore
import SemanticTestSupport
import SemanticWire

extension DaemonWorkloads {
    /// One W1 query every 50 ms for 20 s once the job has recorded progress, reading the job's
    /// progress once a second.
    func latencyDuringJob(messages: Int = 2000) throws -> JobLatencyResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semd-bench-job-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("index"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("archive.db").path
        let texts = (0..<messages).map { inputs.w6Texts[$0 % inputs.w6Texts.count] + " (\($0))" }
        try CassArchiveFixture.create(at: database, contents: texts)

        let embedder = try loadEmbedder()
        let sample = Array(texts.prefix(256))
        let inProcessSeconds = Statistics.median(try Statistics.time(runs: 3) { _ = try embedder.embed(sample) })

        return try withDaemon { socket in
            let connection = try DaemonConnection(socketPath: socket)
            let idle = try Statistics.time(runs: 100, warmup: 10) { try embedQuery(on: connection) }.map { $0 * 1000 }
            let control = try DaemonConnection(socketPath: socket)
            let submitted = try control.send(.submitEmbeddingJob(dbPath: database, indexPath: directory.appendingPathComponent("index").path,
                                                                 twoTier: false, fastModel: nil, qualityModel: "minilm"))
            guard case .jobSubmitted = submitted.response else {
                throw BenchmarkFailure("the daemon did not take the job: \(submitted.response)")
            }
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
                try embedQuery(on: connection)
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
            guard !busy.isEmpty else {
                throw BenchmarkFailure("the job ended before any query was sent during it")
            }
            return JobLatencyResult(
                idleP50Milliseconds: Statistics.median(idle), duringJobP50Milliseconds: Statistics.median(busy),
                duringJobP99Milliseconds: Statistics.percentile(busy, 0.99),
                jobDocumentsPerSecond: Double(lastCompleted - firstCompleted) / (lastAt - started).seconds,
                inProcessDocumentsPerSecond: Double(sample.count) / inProcessSeconds)
        }
    }
}
