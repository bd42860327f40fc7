// RealEngineQualityPassTests: the quality pass driven by the real engine: the tiny 16-d embedder in every
// run (every stored record equals a fresh embedding, f16-rounded), and an opt-in measurement of the
// 5,000-message archive through the hash pass and the real all-MiniLM-L6-v2 (SEMD_MEASURE_JOBS=1, with
// the model installed; run it in a release build for meaningful numbers).
import Foundation
import SemanticCore
import SemanticTestSupport
import Testing
@testable import SemanticIndex

@Suite("Quality pass on the engine", .serialized)
struct RealEngineQualityPassTests {
    @Test("the tiny embedder through the quality pass: every record equals a fresh embedding")
    func tinyEmbedder() async throws {
        let embedder = try Embedder.load(directory: Fixtures.tinyEmbedderDirectory)
        let quality = QualityEmbedder(
            identity: FSVIIdentity(embedderID: "minilm-384", revision: "tiny-test-v1", dimension: embedder.dimension),
            embed: { try embedder.embed($0) })
        let sandbox = try JobSandbox { try CassFixtureDatabase.syntheticArchive(at: $0, messageCount: 250) }
        defer { sandbox.directory.remove() }
        let report = try await sandbox.run(sandbox.request(twoTier: true), runner: EmbeddingJobRunner(quality: quality))
        let summary = try #require(report.passes[1].summary)
        #expect(summary.publication == .written && summary.embeddedDocuments > 200)
        let expected = try expectedDocuments(sandbox.databasePath)
        try await validateEveryRecord(sandbox.vectorIndex + "/index-minilm-384.fsvi", expected: expected,
                                      dimension: embedder.dimension, tolerance: 1e-3) { try embedder.embed($0) }
    }

    static var measuring: Bool {
        ProcessInfo.processInfo.environment["SEMD_MEASURE_JOBS"] == "1"
            && FileManager.default.fileExists(atPath: Fixtures.realEmbedderDirectory.appendingPathComponent("model.safetensors").path)
    }

    @Test("5,000 messages through hash and the real MiniLM: documents per second", .enabled(if: measuring))
    func realMiniLM() async throws {
        let embedder = try Embedder.load(directory: try Fixtures.requireRealEmbedder())
        let sandbox = try JobSandbox { try CassFixtureDatabase.syntheticArchive(at: $0, messageCount: 5_000) }
        defer { sandbox.directory.remove() }
        let clock = ContinuousClock()
        let timings = ProgressTimings(clock: clock)
        let report = try await sandbox.run(sandbox.request(twoTier: true),
                                           runner: EmbeddingJobRunner(quality: .miniLM { try embedder.embed($0) }),
                                           progress: { timings.record($0) })
        for (pass, passReport) in zip(["hash", "minilm"], report.passes) {
            let summary = try #require(passReport.summary)
            let seconds = timings.seconds(of: pass)
            print("\(pass) pass: \(summary.messagesRead) messages (\(summary.embeddedDocuments) embedded) in "
                  + String(format: "%.2f s = %.0f messages/s", seconds, Double(summary.messagesRead) / seconds))
        }
        let expected = try expectedDocuments(sandbox.databasePath)
        try await validateEveryRecord(sandbox.vectorIndex + "/index-minilm-384.fsvi", expected: expected,
                                      dimension: 384, tolerance: 1e-3) { try embedder.embed($0) }
    }
}

/// Wall time from each pass's first progress report (0 done) to its last.
final class ProgressTimings: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private let clock: ContinuousClock
    private var spans: [String: (first: ContinuousClock.Instant, last: ContinuousClock.Instant)] = [:]

    init(clock: ContinuousClock) { self.clock = clock }

    func record(_ progress: EmbeddingProgress) {
        let now = clock.now
        lock.lock()
        let first = spans[progress.pass.modelName]?.first ?? now
        spans[progress.pass.modelName] = (first, now)
        lock.unlock()
    }

    func seconds(of pass: String) -> Double {
        lock.lock()
        defer { lock.unlock() }
        guard let span = spans[pass] else { return .nan }
        let duration = span.last - span.first
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
