// The cass job requests (SubmitEmbeddingJob, EmbeddingJobStatus, CancelEmbeddingJob), whose fields and
// answers cass v1 and v2 share, answered through the service's JobService: typed records in, the
// protocol's payloads out. Blocks its thread (SQLite, file checks): callers run it on the shared pool.
import SemanticIndex
import SemanticService
import SemanticWire

/// A cass job request's answer, before a door wraps it in its own response enum.
enum CassJobAnswer {
    case submitted(jobID: String, message: String)
    case status(EmbeddingJobInfo)
    case cancelled(count: Int, message: String)
    case error(ErrorResponse)
}

enum CassJobs {
    static func submit(_ service: InferenceService, dbPath: String, indexPath: String, twoTier: Bool, fastModel: String?,
                       qualityModel: String?, requestID: String) -> CassJobAnswer {
        guard let jobs = service.jobs else { return .error(unavailable) }
        do {
            _ = try jobs.submit(EmbeddingJobRequest(databasePath: dbPath, indexPath: indexPath, twoTier: twoTier,
                                                    fastModel: fastModel, qualityModel: qualityModel),
                                requestID: requestID)
            return .submitted(jobID: requestID, message: "embedding job submitted")
        } catch {
            return .error(ErrorResponse(code: .internalError, message: "failed to submit job: \(error)", retryable: false))
        }
    }

    static func status(_ service: InferenceService, dbPath: String) -> CassJobAnswer {
        guard let jobs = service.jobs else { return .error(unavailable) }
        do {
            return .status(EmbeddingJobInfo(jobs: try jobs.jobs(dbPath: dbPath).map(detail)))
        } catch {
            return .error(ErrorResponse(code: .internalError, message: "failed to query jobs: \(error)", retryable: false))
        }
    }

    static func cancel(_ service: InferenceService, dbPath: String, modelID: String?) -> CassJobAnswer {
        guard let jobs = service.jobs else { return .error(unavailable) }
        do {
            let count = try jobs.cancel(dbPath: dbPath, modelID: modelID)
            return .cancelled(count: count, message: "cancelled \(count) job(s)")
        } catch {
            return .error(ErrorResponse(code: .internalError, message: "failed to cancel jobs: \(error)", retryable: false))
        }
    }

    /// A job row as the protocol carries it.
    static func detail(_ record: EmbeddingJobRecord) -> EmbeddingJobDetail {
        EmbeddingJobDetail(jobID: record.id, modelID: record.modelID, status: record.status.rawValue,
                           totalDocuments: record.totalDocuments, completedDocuments: record.completedDocuments,
                           errorMessage: record.errorMessage)
    }

    static let unavailable = ErrorResponse(code: .internalError, message: "embedding jobs are not available in this daemon",
                                           retryable: false)
}
