// LargeArchiveTests: a 5,000-message archive through both tiers: progress after every 128-message
// chunk, a cancel in the middle of the quality pass (nothing half-written), a resubmission that keeps
// the hash index and completes the quality one, a cancel that reaches a queued job, recovery after a
// daemon stop, and an independent reader that checks every record against freshly computed vectors.
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing
@testable import SemanticIndex

/// Collects progress reports from the runner (called from its task).
final class ProgressLog: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var entries: [EmbeddingProgress] = []

    func append(_ progress: EmbeddingProgress) {
        lock.lock()
        entries.append(progress)
        lock.unlock()
    }

    var all: [EmbeddingProgress] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}

/// Every document the archive should produce: id -> canonical text.
func expectedDocuments(_ path: String) throws -> [String: String] {
    let archive = try CassArchive(path: path)
    var documents: [String: String] = [:]
    for message in try archive.messages(after: nil, limit: Int(Int32.max)) {
        let canonical = Canonicalizer.canonicalize(message.content)
        guard !canonical.isEmpty, let id = DocumentIdentity.documentID(of: message, canonicalText: canonical) else {
            continue
        }
        documents[id] = canonical
    }
    return documents
}

/// Reads `path` with the independent reader and checks every record's vector against `embed`, f16-rounded:
/// exactly (`tolerance` nil, for the deterministic hash and stand-in embedders), or within `tolerance`
/// per component for the engine, whose last bits depend on how texts were grouped into batches.
func validateEveryRecord(_ path: String, expected: [String: String], dimension: Int, tolerance: Float? = nil,
                         embed: ([String]) async throws -> [[Float]]) async throws {
    let reader = try IndependentFSVIReader(path: path)
    #expect(reader.dimension == dimension && reader.quantization == 1 && reader.records.count == expected.count)
    #expect(Set(reader.records.map(\.documentID)) == Set(expected.keys))
    let texts = reader.records.map { expected[$0.documentID] ?? "" }
    let vectors = try await embed(texts)
    var mismatches = 0
    var largestDifference: Float = 0
    for (record, vector) in zip(reader.records, vectors) {
        let rounded = vector.map { Float(Float16($0)) }
        let difference = zip(record.vector, rounded).map { abs($0 - $1) }.max() ?? 0
        largestDifference = max(largestDifference, difference)
        if record.flags != 0 || record.vector.count != dimension || difference > (tolerance ?? 0) { mismatches += 1 }
    }
    if tolerance != nil {
        print("\(path.split(separator: "/").last!): \(reader.records.count) records, largest difference from a "
              + "fresh embedding \(largestDifference)")
    }
    #expect(mismatches == 0, "records whose stored vector differs from a fresh computation")
    try FSVIFile(path: path).validateFully()
}

@Suite("5,000-message archive", .serialized)
struct LargeArchiveTests {
    static let messageCount = 5_000

    @Test("both tiers with progress, a cancel mid-pass, a resubmit, and every record validated")
    func bothTiersCancelResubmit() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.syntheticArchive(at: $0, messageCount: Self.messageCount) }
        defer { sandbox.directory.remove() }
        let expected = try expectedDocuments(sandbox.databasePath)
        let minilmIndex = sandbox.vectorIndex + "/index-minilm-384.fsvi"

        // 1. Cancel the quality pass after its tenth chunk.
        let cancellation = JobCancellation()
        let log = ProgressLog()
        let first = try await sandbox.run(sandbox.request(twoTier: true), runner: EmbeddingJobRunner(quality: fakeQuality),
                                          cancellation: cancellation) { progress in
            log.append(progress)
            if progress.pass.modelName == "minilm" && progress.completedDocuments >= 1_280 { cancellation.cancel() }
        }
        #expect(first.passes[0].summary?.publication == .written)
        #expect(first.passes[1].outcome == .cancelled && first.wasCancelled)
        #expect(!FileManager.default.fileExists(atPath: minilmIndex), "a cancelled pass writes nothing")
        #expect(leftoverTemporaryFiles(sandbox.vectorIndex).isEmpty)
        var rows = try sandbox.jobs()
        #expect(rows.map(\.modelID) == ["minilm", "hash"] && rows.map(\.status) == [.cancelled, .completed])
        #expect(rows[0].completedDocuments == 1_280 && rows[1].completedDocuments == Self.messageCount)

        let hashProgress = log.all.filter { $0.pass.modelName == "hash" }.map(\.completedDocuments)
        let chunkEnds = Array(stride(from: 128, to: Self.messageCount, by: 128)) + [Self.messageCount]
        #expect(hashProgress == [0] + chunkEnds, "progress after every 128-message chunk")
        #expect(log.all.allSatisfy { $0.totalDocuments == Self.messageCount })

        // 2. Resubmit: the hash index is already exact, the quality pass runs to the end.
        let clock = ContinuousClock()
        let start = clock.now
        let second = try await sandbox.run(sandbox.request(twoTier: true), runner: EmbeddingJobRunner(quality: fakeQuality))
        let elapsed = clock.now - start
        let hashSummary = try #require(second.passes[0].summary)
        let qualitySummary = try #require(second.passes[1].summary)
        #expect(hashSummary.publication == .unchanged && hashSummary.retainedDocuments == expected.count)
        #expect(qualitySummary.publication == .written && qualitySummary.embeddedDocuments == expected.count)
        #expect(qualitySummary.skippedMessages == Self.messageCount - expected.count && qualitySummary.skippedMessages > 0)
        rows = try sandbox.jobs()
        #expect(rows.prefix(2).map(\.status) == [.completed, .completed])
        print("5,000 messages, resubmitted: hash pass unchanged + quality pass (stand-in embedder) in \(elapsed)")

        // 3. Every record of both files, checked independently.
        try await validateEveryRecord(sandbox.hashIndex, expected: expected, dimension: 384) { try HashEmbedder().embed($0) }
        try await validateEveryRecord(minilmIndex, expected: expected, dimension: 16) { try await fakeQuality.embed($0) }
    }

    @Test("hash pass throughput on 5,000 messages")
    func hashThroughput() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.syntheticArchive(at: $0, messageCount: Self.messageCount) }
        defer { sandbox.directory.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await sandbox.run(sandbox.request())
        let elapsed = clock.now - start
        let summary = try #require(report.passes[0].summary)
        #expect(summary.publication == .written)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("hash pass: \(summary.messagesRead) messages, \(summary.embeddedDocuments) documents in "
              + "\(elapsed) = \(Int(Double(summary.messagesRead) / seconds)) messages/s")
    }

    @Test("a cancel reaches a job still in the queue: it never runs")
    func cancelQueuedJob() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.syntheticArchive(at: $0, messageCount: 300) }
        defer { sandbox.directory.remove() }
        let store = try JobStore(databasePath: sandbox.databasePath)
        let job = try JobStore.submit(sandbox.request(twoTier: true))
        #expect(try store.cancel() == 2)
        let report = await EmbeddingJobRunner(quality: fakeQuality).run(job)
        #expect(report.passes.map(\.outcome) == [.cancelled, .cancelled])
        #expect(directoryEntries(sandbox.vectorIndex).isEmpty)
        #expect(try store.jobs().allSatisfy { $0.status == .cancelled && $0.startedAt == nil })
    }

    @Test("a job left running by a stopped daemon is failed on restart and can be resubmitted")
    func restartRecovery() async throws {
        let sandbox = try JobSandbox { try CassFixtureDatabase.syntheticArchive(at: $0, messageCount: 300) }
        defer { sandbox.directory.remove() }
        let store = try JobStore(databasePath: sandbox.databasePath)
        let job = try JobStore.submit(sandbox.request())
        _ = try store.claim(jobID: job.passes[0].jobID, modelID: "hash", totalDocuments: 300)  // then the daemon dies

        let restarted = try JobStore(databasePath: sandbox.databasePath)
        #expect(try restarted.recoverInterruptedJobs() == 1)
        #expect(try restarted.job(id: job.passes[0].jobID)?.errorMessage == JobStore.interruptedMessage)
        let report = try await sandbox.run(sandbox.request())
        #expect(report.passes[0].summary?.publication == .written)
        #expect(try restarted.jobs().map(\.status) == [.completed, .failed])
    }
}
