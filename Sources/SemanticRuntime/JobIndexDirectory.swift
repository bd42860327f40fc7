// The check of an embedding job's index directory that both sides make before a job is queued: the
// client (SemanticClient.submitEmbeddingJob, so `semctl jobs submit`) and the daemon (every door's job
// submission), with the same sentence, so a missing directory is refused at submit instead of failing
// inside the job. The directory is the user's: semd creates `vector_index/` inside it, never the
// directory itself. Reads the file system's metadata only; never creates anything.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a job's index directory cannot take the job.
public enum JobIndexDirectoryProblem: Error, Equatable, CustomStringConvertible {
    /// Nothing exists at the path (or a component of it is missing).
    case missing(path: String)
    /// Something other than a directory is there (after symlinks).
    case notADirectory(path: String)
    /// The path could not be examined (a parent without search permission, a loop of symlinks).
    case unreachable(path: String, reason: String)

    /// The problem with the index directory at `path`, or nil when it is a directory.
    public static func check(_ path: String) -> JobIndexDirectoryProblem? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing(path: path) }
            return .unreachable(path: path, reason: String(cString: strerror(code)))
        }
        return status.st_mode & S_IFMT == S_IFDIR ? nil : .notADirectory(path: path)
    }

    public var description: String {
        switch self {
        case .missing(let path):
            return "the index directory \(path) does not exist; create it first (mkdir -p \(path)): "
                + "semd writes vector_index/ inside the data directory you name, never the directory itself"
        case .notADirectory(let path):
            return "\(path) is not a directory; the index path is the data directory that holds vector_index/"
        case .unreachable(let path, let reason):
            return "cannot examine the index directory \(path): \(reason)"
        }
    }
}
