// EmbeddingJobRunner: runs one submitted job's passes over a cass archive: reads messages 128 at a
// time, canonicalises each ONCE, forms its document id, keeps vectors the existing index already holds,
// embeds the rest (hash in-process, MiniLM through the caller's closure), records progress per chunk,
// stops between chunks when cancelled, and publishes the new index atomically. Never leaves a partial
// file, never throws: every failure ends up in the pass's job row and in the returned report.
import SemanticCore

public struct EmbeddingJobRunner: Sendable {
    /// The MiniLM embedder for semantic passes; nil fails those passes with a clear message.
    public var quality: QualityEmbedder?
    public var hash = HashEmbedder()
    public var canonicalizer = Canonicalizer.standard
    /// Messages per chunk: progress is recorded and cancellation checked once per chunk.
    public var chunkSize = 128
    /// How long SQLite waits for another process's lock before the pass fails.
    public var busyTimeout: Duration = .seconds(10)

    public init(quality: QualityEmbedder? = nil) {
        self.quality = quality
    }

    /// Runs every pass in order. A failed pass is recorded and the next one runs; a cancel stops the job
    /// (the remaining passes' rows are cancelled too).
    public func run(_ job: SubmittedEmbeddingJob, cancellation: JobCancellation = JobCancellation(),
                    progress: (@Sendable (EmbeddingProgress) -> Void)? = nil) async -> EmbeddingJobReport {
        let store: JobStore
        do {
            store = try JobStore(databasePath: job.request.databasePath, busyTimeout: busyTimeout)
        } catch {
            return EmbeddingJobReport(passes: job.passes.map {
                EmbeddingPassReport(pass: $0.pass, jobID: $0.jobID, outcome: .failed(.archive(error)))
            })
        }

        var reports: [EmbeddingPassReport] = []
        for (position, submitted) in job.passes.enumerated() {
            let remaining = job.passes[(position + 1)...]
            var report: EmbeddingPassReport
            if cancellation.isCancelled || Task.isCancelled {
                report = EmbeddingPassReport(pass: submitted.pass, jobID: submitted.jobID, outcome: .cancelled)
            } else {
                report = await PassRun(runner: self, request: job.request, submitted: submitted, store: store,
                                       cancellation: cancellation, progress: progress).run()
            }
            do {
                switch report.outcome {
                case .completed(let summary):
                    try store.complete(jobID: report.jobID, completedDocuments: summary.messagesRead)
                case .failed(let error):
                    try store.fail(jobID: report.jobID, message: error.description)
                case .cancelled:
                    try store.cancel(jobIDs: [report.jobID] + remaining.map(\.jobID))
                }
            } catch {
                report.recordingError = error
            }
            reports.append(report)
            if report.outcome == .cancelled {
                reports += remaining.map { EmbeddingPassReport(pass: $0.pass, jobID: $0.jobID, outcome: .cancelled) }
                break
            }
        }
        return EmbeddingJobReport(passes: reports)
    }
}

extension JobStore {
    /// Opens the archive `request` names and submits the request there (see the instance method).
    public static func submit(_ request: EmbeddingJobRequest,
                              busyTimeout: Duration = .seconds(10)) throws(ArchiveError) -> SubmittedEmbeddingJob {
        try JobStore(databasePath: request.databasePath, busyTimeout: busyTimeout).submit(request)
    }

    /// Inserts a `pending` row for every pass of `request` (or reuses the active one), so the job can be
    /// cancelled while it waits in the queue. `request` must name this store's archive.
    public func submit(_ request: EmbeddingJobRequest) throws(ArchiveError) -> SubmittedEmbeddingJob {
        guard request.databasePath == databasePath else {
            throw .requestForAnotherArchive(storePath: databasePath, requestPath: request.databasePath)
        }
        var passes: [SubmittedPass] = []
        for pass in request.passes {
            passes.append(SubmittedPass(pass: pass, jobID: try submit(modelID: pass.modelName)))
        }
        return SubmittedEmbeddingJob(request: request, passes: passes)
    }
}

/// One pass, start to finish.
private struct PassRun {
    let runner: EmbeddingJobRunner
    let request: EmbeddingJobRequest
    let submitted: SubmittedPass
    let store: JobStore
    let cancellation: JobCancellation
    let progress: (@Sendable (EmbeddingProgress) -> Void)?

    private enum Stop: Error { case cancelled }

    func run() async -> EmbeddingPassReport {
        var jobID = submitted.jobID
        let outcome: EmbeddingPassReport.Outcome
        do {
            outcome = .completed(try await embedArchive(jobID: &jobID))
        } catch Stop.cancelled {
            outcome = .cancelled
        } catch is CancellationError {
            outcome = .cancelled
        } catch let error as EmbeddingJobError {
            outcome = .failed(error)
        } catch let error as ArchiveError {
            outcome = .failed(.archive(error))
        } catch let error as FSVIError {
            outcome = .failed(.index(error))
        } catch {
            outcome = .failed(.embedderFailed(model: submitted.pass.modelName, reason: String(describing: error)))
        }
        return EmbeddingPassReport(pass: submitted.pass, jobID: jobID, outcome: outcome)
    }

    private var isCancelled: Bool { cancellation.isCancelled || Task.isCancelled }

    private func embedArchive(jobID: inout Int64) async throws -> EmbeddingPassSummary {
        let modelName = submitted.pass.modelName
        let identity: FSVIIdentity
        let quality: QualityEmbedder?
        switch try submitted.pass.resolveEmbedder() {
        case .hash:
            identity = FSVIIdentity(embedderID: runner.hash.id, revision: HashEmbedder.revision,
                                    dimension: runner.hash.dimension)
            quality = nil
        case .quality:
            guard let embedder = runner.quality else { throw EmbeddingJobError.qualityEmbedderUnavailable(name: modelName) }
            identity = embedder.identity
            quality = embedder
        }
        let indexFile = try prepareIndexDirectory() + "/" + identity.fileName

        let archive = try CassArchive(path: request.databasePath, busyTimeout: runner.busyTimeout)
        let total = try archive.countMessages()
        if isCancelled { throw Stop.cancelled }
        switch try store.claim(jobID: jobID, modelID: modelName, totalDocuments: total) {
        case .cancelled: throw Stop.cancelled
        case .started(let claimed): jobID = claimed
        }
        report(jobID: jobID, completed: 0, total: total)

        let existing = try ExistingIndex.load(at: indexFile, expecting: identity)
        if existing == nil && FSVIWriteAheadLog.exists(forIndexAt: indexFile) {
            throw FSVIError.writeAheadLogInTheWay(path: FSVIWriteAheadLog.path(forIndexAt: indexFile))
        }

        var writer = try FSVIWriter(identity: identity)
        var messageOfDocument: [String: Int64] = [:]
        var summary = EmbeddingPassSummary(
            embedderID: identity.embedderID, indexFile: indexFile, publication: .noIndex, messagesRead: 0,
            embeddedDocuments: 0, retainedDocuments: 0, skippedMessages: 0, documentsWithoutVector: 0,
            recordCount: 0)

        var chunks = archive.messageChunks(of: runner.chunkSize)
        while true {
            if isCancelled { throw Stop.cancelled }
            guard let chunk = try chunks.next() else { break }
            var texts: [String] = []
            var documentIDs: [String] = []
            for message in chunk {
                let canonical = runner.canonicalizer.canonicalize(message.content)
                guard !canonical.isEmpty,
                      let documentID = DocumentIdentity.documentID(of: message, canonicalText: canonical) else {
                    summary.skippedMessages += 1
                    continue
                }
                if let first = messageOfDocument.updateValue(message.id, forKey: documentID) {
                    throw EmbeddingJobError.duplicateDocumentID(
                        documentID: documentID, firstMessageID: first, secondMessageID: message.id)
                }
                if let existing, let record = existing.reusableRecords[documentID] {
                    try existing.file.withStoredVector(at: record) { stored in
                        try writer.append(documentID: documentID, storedVector: stored,
                                          storedAs: existing.file.quantization)
                    }
                    summary.retainedDocuments += 1
                } else {
                    texts.append(canonical)
                    documentIDs.append(documentID)
                }
            }
            if !texts.isEmpty {
                let vectors = try await embed(texts, with: quality, dimension: identity.dimension)
                for (documentID, vector) in zip(documentIDs, vectors) {
                    if vector.allSatisfy({ $0 == 0 }) {
                        summary.documentsWithoutVector += 1
                        continue
                    }
                    try writer.append(documentID: documentID, vector: vector)
                    summary.embeddedDocuments += 1
                }
            }
            summary.messagesRead += chunk.count
            guard try store.recordProgress(jobID: jobID, completedDocuments: summary.messagesRead) else {
                throw Stop.cancelled  // the row was cancelled in the archive
            }
            report(jobID: jobID, completed: summary.messagesRead, total: max(total, summary.messagesRead))
        }
        if isCancelled { throw Stop.cancelled }

        if let existing, existing.isCompatible, existing.isClean, summary.embeddedDocuments == 0,
           summary.retainedDocuments == existing.file.recordCount {
            summary.publication = .unchanged
            summary.recordCount = existing.file.recordCount
        } else if existing == nil && writer.count == 0 {
            summary.publication = .noIndex
        } else {
            try IndexPublisher.publish(writer, at: indexFile, replacing: existing?.file.header)
            summary.publication = .written
            summary.recordCount = writer.count
        }
        return summary
    }

    /// Creates `<index_path>/vector_index` if needed and proves a file can be created in it, before any
    /// embedding work is done that a read-only directory would throw away.
    private func prepareIndexDirectory() throws(EmbeddingJobError) -> String {
        var isDirectory = false
        guard fileExists(request.indexPath, isDirectory: &isDirectory), isDirectory else {
            throw .indexDirectoryMissing(path: request.indexPath)
        }
        let directory = request.vectorIndexDirectory
        if let code = makeDirectory(directory) {
            throw .indexDirectoryNotWritable(path: directory, reason: describeErrno(code))
        }
        if let code = probeWritable(directory) {
            throw .indexDirectoryNotWritable(path: directory, reason: describeErrno(code))
        }
        return directory
    }

    private func embed(_ texts: [String], with quality: QualityEmbedder?,
                       dimension: Int) async throws -> [[Float]] {
        guard let quality else { return try runner.hash.embed(texts) }
        let modelName = submitted.pass.modelName
        let vectors: [[Float]]
        do {
            vectors = try await quality.embed(texts)
        } catch is CancellationError {
            throw Stop.cancelled
        } catch {
            throw EmbeddingJobError.embedderFailed(model: modelName, reason: String(describing: error))
        }
        guard vectors.count == texts.count else {
            throw EmbeddingJobError.embedderOutput(
                model: modelName, problem: "\(vectors.count) vectors for \(texts.count) texts")
        }
        for vector in vectors {
            guard vector.count == dimension else {
                throw EmbeddingJobError.embedderOutput(
                    model: modelName, problem: "a \(vector.count)-d vector, the index holds \(dimension)-d vectors")
            }
            guard vector.allSatisfy(\.isFinite) else {
                throw EmbeddingJobError.embedderOutput(model: modelName, problem: "a vector with non-finite values")
            }
        }
        return vectors
    }

    private func report(jobID: Int64, completed: Int, total: Int) {
        progress?(EmbeddingProgress(jobID: jobID, pass: submitted.pass, completedDocuments: completed,
                                    totalDocuments: total))
    }
}
