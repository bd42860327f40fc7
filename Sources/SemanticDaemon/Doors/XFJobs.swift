// xf's job requests mapped onto semd's embedding jobs (which index cass archives): SubmitEmbeddingJob
// with its `model_id`, EmbeddingJobStatus (no db_path = every archive this daemon has seen) and
// CancelEmbeddingJob, answered in xf's shapes (row ids, unix times, `in_progress`, progress percent)
// with JOB_ERROR and DB_NOT_FOUND. Uses the daemon's JobService; never runs a job itself.
import Foundation
import SemanticCore
import SemanticIndex
import SemanticService
import SemanticWire

extension XFDoor {
    var jobService: JobService? { service.jobs }

    static let jobsUnavailable = XFResponse.error(code: .jobError, message: "embedding jobs are not available in this daemon")

    /// Queues the job; answers the first pass's row id and the archive's message count.
    ///
    /// Model names go through xf's names (`hash-fnv1a-384` → `fnv1a-384`, `all-MiniLM-L6-v2` →
    /// `minilm-384`). Two-tier runs fast then quality. A single tier runs the model `model_id` picks:
    /// `fast` → fast_model (hash when absent), `quality` → quality_model (MiniLM when absent), a model
    /// name → that model, anything else → quality_model, else fast_model, else hash.
    func submitJob(dbPath: String, indexPath: String, modelID: String, twoTier: Bool, fastModel: String?,
                   qualityModel: String?) -> XFResponse {
        guard let jobs = jobService else { return Self.jobsUnavailable }
        let registry = service.models.registry
        for name in [fastModel, qualityModel].compactMap({ $0 })
        where XFModelNames.resolve(name, kind: .embedder, registry: registry) == nil {
            return .error(code: .unknownModel, message: XFModelNames.unknownModelMessage(name, kind: .embedder, registry: registry))
        }
        let semdName = { (name: String?) in name.flatMap { XFModelNames.resolve($0, kind: .embedder, registry: registry)?.id } }
        let (fast, quality) = (semdName(fastModel), semdName(qualityModel))
        let request: EmbeddingJobRequest
        if twoTier {
            request = EmbeddingJobRequest(databasePath: dbPath, indexPath: indexPath, twoTier: true,
                                          fastModel: fast, qualityModel: quality)
        } else {
            let single: String
            switch modelID.lowercased() {
            case "fast": single = fast ?? ModelDescriptor.fnv1aHash384.id
            case "quality": single = quality ?? ModelDescriptor.miniLM.id
            default:
                single = semdName(modelID) ?? quality ?? fast ?? ModelDescriptor.fnv1aHash384.id
            }
            request = EmbeddingJobRequest(databasePath: dbPath, indexPath: indexPath, twoTier: false,
                                          fastModel: nil, qualityModel: single)
        }
        let estimated: Int
        do {
            // Checked before any row is written: semd's jobs read cass archives only.
            estimated = try jobs.messageCount(dbPath: dbPath)
            let submitted = try jobs.submit(request, requestID: "xf-\(modelID)")
            return .jobSubmitted(jobID: submitted.passes.first?.jobID ?? 0, estimatedDocuments: Int64(estimated))
        } catch {
            return Self.jobError(error, operation: "submit the job")
        }
    }

    /// Every row of the archive (or of every archive this daemon has seen), newest first per archive.
    func jobStatus(dbPath: String?) -> XFResponse {
        guard let jobs = jobService else { return Self.jobsUnavailable }
        do {
            let archives = dbPath.map { [$0] } ?? jobs.knownArchives
            var rows: [XFEmbeddingJobInfo] = []
            for archive in archives {
                rows += try jobs.jobs(dbPath: archive).map(Self.jobInfo)
            }
            return .jobStatus(rows)
        } catch {
            return Self.jobError(error, operation: "query the jobs")
        }
    }

    /// Cancels the archive's pending and running rows (only `model_id`'s when given: its name as sent,
    /// and semd's id for it; `fast` and `quality` mean the hash and MiniLM passes).
    func cancelJobs(dbPath: String, modelID: String?) -> XFResponse {
        guard let jobs = jobService else { return Self.jobsUnavailable }
        do {
            guard let modelID else { return .jobCancelled(count: try jobs.cancel(dbPath: dbPath, modelID: nil)) }
            var names = [modelID]
            switch modelID.lowercased() {
            case "fast": names += [ModelDescriptor.fnv1aHash384.id, "hash"]
            case "quality": names += [ModelDescriptor.miniLM.id, "minilm"]
            default:
                if let id = XFModelNames.resolve(modelID, kind: .embedder, registry: service.models.registry)?.id { names.append(id) }
            }
            var seen = Set<String>()
            var cancelled = 0
            for name in names where seen.insert(name).inserted {
                cancelled += try jobs.cancel(dbPath: dbPath, modelID: name)
            }
            return .jobCancelled(count: cancelled)
        } catch {
            return Self.jobError(error, operation: "cancel the jobs")
        }
    }

    /// DB_NOT_FOUND for an archive that is missing, not a regular file, not SQLite or not a cass archive;
    /// JOB_ERROR else.
    static func jobError(_ error: any Error, operation: String) -> XFResponse {
        if let archive = error as? ArchiveError {
            switch archive {
            case .databaseMissing, .notADatabase, .notACassArchive:
                return .error(code: .databaseNotFound, message: "cannot \(operation): \(archive)")
            default:
                break
            }
        }
        if case .notARegularFile? = error as? JobPathError {
            return .error(code: .databaseNotFound, message: "cannot \(operation): \(error)")
        }
        return .error(code: .jobError, message: "cannot \(operation): \(error)")
    }

    /// A job row in xf's shape: `running` is `in_progress`, times are unix seconds (0 = not yet).
    static func jobInfo(_ record: EmbeddingJobRecord) -> XFEmbeddingJobInfo {
        let progress: Float
        if record.totalDocuments > 0 {
            progress = min(100, Float(record.completedDocuments) / Float(record.totalDocuments) * 100)
        } else {
            progress = record.status == .completed ? 100 : 0
        }
        return XFEmbeddingJobInfo(
            id: record.id, dbPath: record.databasePath, modelID: record.modelID,
            status: record.status == .running ? "in_progress" : record.status.rawValue,
            totalDocuments: record.totalDocuments, completedDocuments: record.completedDocuments,
            progressPercent: progress, createdAt: unixSeconds(record.createdAt) ?? 0,
            startedAt: record.startedAt.flatMap(unixSeconds) ?? 0,
            completedAt: record.completedAt.flatMap(unixSeconds) ?? 0, errorMessage: record.errorMessage)
    }

    /// SQLite's `datetime('now')` text (`YYYY-MM-DD HH:MM:SS`, UTC) as unix seconds.
    static func unixSeconds(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" || $0 == "T" }).compactMap { Int($0) }
        guard parts.count >= 6 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        (components.hour, components.minute, components.second) = (parts[3], parts[4], parts[5])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
    }
}
