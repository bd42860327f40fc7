// Background embedding jobs inside the daemon: SubmitEmbeddingJob records pending rows in the
// archive's `embedding_jobs` table and queues the job; one background worker runs the queue in order,
// its MiniLM passes going through the daemon's own resident embedder at background priority (no second
// model copy), sliced by tokens so interactive requests are served between slices. Cancel works for
// running and queued jobs; rows left `running` by a daemon that stopped are marked failed the first
// time this daemon touches the archive. Speaks SemanticIndex's types (requests, records with a typed
// status); each door maps them onto its wire.
import Foundation
import Logging
import SemanticCore
import SemanticIndex
import Synchronization

public final class JobService: Sendable {
    struct Queued: Sendable {
        let job: SubmittedEmbeddingJob
        let cancellation: JobCancellation
    }

    struct State: Sendable {
        var queue: [Queued] = []
        var running: Queued?
        var recoveredArchives: Set<String> = []
        /// Every archive a request named that could be opened, for "every job" queries.
        var knownArchives: Set<String> = []
        var stopped = false
    }

    let logger: Logger
    /// The queue, shared by the request handlers and the worker.
    final class Shared: Sendable {
        private let value = Mutex(State())
        func withLock<Result>(_ body: (inout State) -> Result) -> Result { value.withLock { body(&$0) } }
    }

    private let state = Shared()
    private let wakeUp: AsyncStream<Void>.Continuation
    private let worker: Task<Void, Never>

    init(embedding: EmbeddingPath, logger: Logger) {
        self.logger = logger
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeUp = continuation
        let state = self.state
        // The embedding path slices background work by tokens, so interactive requests are served
        // between slices.
        let context = RequestContext(door: .job, priority: .background)
        let runner = EmbeddingJobRunner(quality: QualityEmbedder.miniLM { texts in
            try await embedding.embed(EmbedRequest(texts: texts, model: ModelDescriptor.miniLM.id), context: context).vectors
        })
        worker = Task.detached(priority: .utility) {
            for await _ in stream {
                while let next = state.withLock({ current -> Queued? in
                    guard !current.stopped, !current.queue.isEmpty else { return nil }
                    current.running = current.queue.removeFirst()
                    return current.running
                }) {
                    let started = ContinuousClock.now
                    let report = await runner.run(next.job, cancellation: next.cancellation)
                    state.withLock { $0.running = nil }
                    let outcomes = report.passes.map { "\($0.pass.modelName): \($0.outcome)" }.joined(separator: "; ")
                    logger.info("embedding job on \(next.job.request.databasePath) finished in \(ContinuousClock.now - started): \(outcomes)")
                }
                if state.withLock({ $0.stopped }) { return }
            }
        }
    }

    /// Cancels the running job, drops the queue, and ends the worker.
    public func stop() async {
        let cancelled = state.withLock { current -> [Queued] in
            current.stopped = true
            let all = current.queue + (current.running.map { [$0] } ?? [])
            current.queue.removeAll()
            return all
        }
        for queued in cancelled { queued.cancellation.cancel() }
        wakeUp.finish()
        await worker.value
    }

    /// Opens the archive's job table, marking rows a stopped daemon left `running` as failed the
    /// first time this daemon touches the archive.
    func store(for databasePath: String) throws -> JobStore {
        try JobRequestPaths.checkDatabase(databasePath)
        let store = try JobStore(databasePath: databasePath)
        let firstTouch = state.withLock { current -> Bool in
            current.knownArchives.insert(databasePath)
            let isRunningHere = current.running?.job.request.databasePath == databasePath
                || current.queue.contains { $0.job.request.databasePath == databasePath }
            return !isRunningHere && current.recoveredArchives.insert(databasePath).inserted
        }
        if firstTouch {
            let recovered = try store.recoverInterruptedJobs()
            if recovered > 0 { logger.warning("marked \(recovered) interrupted job(s) of \(databasePath) as failed") }
        }
        return store
    }

    /// Records the request's pending rows, queues it, and returns the rows (one per pass).
    /// `requestID` names the job in the log.
    public func submit(_ request: EmbeddingJobRequest, requestID: String) throws -> SubmittedEmbeddingJob {
        let dbPath = request.databasePath
        try JobRequestPaths.checkDatabase(dbPath)
        try JobRequestPaths.checkIndex(request.indexPath)
        for pass in request.passes { _ = try pass.resolveEmbedder() }
        let submitted = try store(for: dbPath).submit(request)
        let accepted = state.withLock { current -> Bool in
            guard !current.stopped else { return false }
            current.queue.append(Queued(job: submitted, cancellation: JobCancellation()))
            return true
        }
        guard accepted else { throw ServiceError.shuttingDown }
        wakeUp.yield()
        logger.info("embedding job \(requestID) queued: \(dbPath) -> \(request.vectorIndexDirectory), passes \(request.passes)")
        return submitted
    }

    /// The messages of the archive at `dbPath` (checked as a job request's archive is).
    public func messageCount(dbPath: String) throws -> Int {
        try JobRequestPaths.checkDatabase(dbPath)
        return try CassArchive(path: dbPath).countMessages()
    }

    /// The archives requests have named so far (the xf dialect's "every job" query).
    public var knownArchives: [String] { state.withLock { $0.knownArchives.sorted() } }

    /// Every job row of the archive, newest first.
    public func jobs(dbPath: String) throws -> [EmbeddingJobRecord] {
        try store(for: dbPath).jobs()
    }

    /// Cancels the archive's pending and running rows (only `modelID`'s when given); returns how many.
    public func cancel(dbPath: String, modelID: String?) throws -> Int {
        let count = try store(for: dbPath).cancel(modelID: modelID)
        state.withLock { current in
            let matches = { (queued: Queued) -> Bool in
                queued.job.request.databasePath == dbPath
                    && (modelID == nil || queued.job.passes.contains { $0.pass.modelName == modelID })
            }
            if let running = current.running, matches(running) { running.cancellation.cancel() }
            for queued in current.queue where matches(queued) { queued.cancellation.cancel() }
        }
        return count
    }
}
