// The paths a job request names, checked before anything opens them. The daemon serves only its own
// user (SO_PEERCRED), so what the daemon's user can reach is what the requesting user can reach; these
// checks make the refusals early and clear, and keep a request from pointing the daemon at something
// that is not an archive: a relative path (the daemon's working directory is not the client's), a
// FIFO or device (opening one can block the daemon), a directory. The archive must already exist:
// semd never creates a database. The index directory must exist too (the client checks it the same
// way before sending, `JobIndexDirectoryProblem`). Reads the file system's metadata only.
import Foundation
import SemanticIndex
import SemanticRuntime
#if canImport(Glibc)
import Glibc
#endif

public enum JobPathError: Error, Equatable, CustomStringConvertible {
    /// A path that does not start at `/`.
    case notAbsolute(field: String, path: String)
    /// The archive path names something other than a regular file (after symlinks).
    case notARegularFile(path: String)
    /// The daemon's user (which is the requesting user) cannot read and write the archive.
    case unreachable(path: String, reason: String)
    /// The index path names something other than a directory.
    case indexNotADirectory(path: String)
    /// Nothing exists at the index path: refused at submit, with the client's own sentence.
    case indexMissing(path: String)
    /// The index path could not be examined.
    case indexUnreachable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAbsolute(let field, let path):
            return "\(field) must be an absolute path (got '\(path)'); the daemon does not share the client's working directory"
        case .notARegularFile(let path):
            return "\(path) is not a regular file; point the job at a cass archive (an SQLite file)"
        case .unreachable(let path, let reason):
            return "cannot read and write \(path): \(reason); the job needs both, as your user"
        case .indexNotADirectory(let path):
            return JobIndexDirectoryProblem.notADirectory(path: path).description
        case .indexMissing(let path):
            return JobIndexDirectoryProblem.missing(path: path).description
        case .indexUnreachable(let path, let reason):
            return JobIndexDirectoryProblem.unreachable(path: path, reason: reason).description
        }
    }
}

enum JobRequestPaths {
    /// Checks an archive path: absolute, an existing regular file, readable and writable by the
    /// daemon's user. A missing file is `ArchiveError.databaseMissing` (semd never creates one).
    static func checkDatabase(_ path: String) throws {
        guard path.hasPrefix("/") else { throw JobPathError.notAbsolute(field: "db_path", path: path) }
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw ArchiveError.databaseMissing(path: path) }
            throw JobPathError.unreachable(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw JobPathError.notARegularFile(path: path) }
        guard access(path, R_OK | W_OK) == 0 else {
            throw JobPathError.unreachable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Checks an index path: absolute and an existing directory (nothing is created above
    /// `<index>/vector_index`; a directory removed after submit still fails the job's pass).
    static func checkIndex(_ path: String) throws {
        guard path.hasPrefix("/") else { throw JobPathError.notAbsolute(field: "index_path", path: path) }
        switch JobIndexDirectoryProblem.check(path) {
        case nil: return
        case .missing(let path)?: throw JobPathError.indexMissing(path: path)
        case .notADirectory(let path)?: throw JobPathError.indexNotADirectory(path: path)
        case .unreachable(let path, let reason)?: throw JobPathError.indexUnreachable(path: path, reason: reason)
        }
    }
}
