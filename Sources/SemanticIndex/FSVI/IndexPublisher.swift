// IndexPublisher: puts a built index on disk atomically: write `<final>.tmp.<pid>.<nanos>` in the same
// directory, fsync it, rename it over the final path, fsync the directory. A replacement takes the next
// compaction generation (skipping one a surviving WAL could bind to) and retires the old WAL sidecar.
// On any failure the temporary file is removed: never leaves a partial index behind.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum IndexPublisher {
    /// Publishes `writer` at `path`. `previous` is the header of the index being replaced, or nil when
    /// the path holds no index (then a WAL sidecar at the path refuses the publication).
    /// Returns the header that was written.
    @discardableResult
    public static func publish(_ writer: FSVIWriter, at path: String,
                               replacing previous: FSVIHeader?) throws(FSVIError) -> FSVIHeader {
        var writer = writer
        if let previous {
            var generation = FSVIFormat.generation(after: previous.compactionGeneration)
            if FSVIWriteAheadLog.storedGeneration(forIndexAt: path) == FSVIFormat.generation(after: generation) {
                generation = FSVIFormat.generation(after: generation)
            }
            writer.compactionGeneration = generation
        } else {
            writer.compactionGeneration = FSVIFormat.firstGeneration
        }

        let temporaryPath = "\(path).tmp.\(getpid()).\(nanosecondsSinceEpoch())"
        do throws(FSVIError) {
            try writeNewFile(writer, at: temporaryPath)
            if previous == nil && FSVIWriteAheadLog.exists(forIndexAt: path) {
                throw .writeAheadLogInTheWay(path: FSVIWriteAheadLog.path(forIndexAt: path))
            }
            guard rename(temporaryPath, path) == 0 else {
                throw .io(path: path, operation: "rename \(temporaryPath) to", reason: describeErrno(errno))
            }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        try synchronizeDirectory(containing: path)
        if let previous, FSVIWriteAheadLog.exists(forIndexAt: path) {
            try retireWriteAheadLog(ofIndexAt: path, previous: previous)
            try synchronizeDirectory(containing: path)
        }
        return writer.header
    }

    /// Creates `path` (which must not exist), writes the whole index, and fsyncs it.
    static func writeNewFile(_ writer: FSVIWriter, at path: String) throws(FSVIError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .io(path: path, operation: "create", reason: describeErrno(errno))
        }
        defer { close(descriptor) }
        do {
            try writer.serialize { piece in
                var offset = 0
                while offset < piece.count {
                    let written = write(descriptor, piece.baseAddress! + offset, piece.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw FSVIError.io(path: path, operation: "write", reason: describeErrno(errno))
                    }
                    offset += written
                }
            }
        } catch {
            throw error as! FSVIError
        }
        guard fsync(descriptor) == 0 else {
            throw .io(path: path, operation: "fsync", reason: describeErrno(errno))
        }
    }

    /// Removes the old sidecar (its entries were stale or have been re-embedded into the new file);
    /// a damaged one is moved aside to `<wal>.corrupt.<n>` instead, so nothing is destroyed unread.
    private static func retireWriteAheadLog(ofIndexAt path: String, previous: FSVIHeader) throws(FSVIError) {
        let walPath = FSVIWriteAheadLog.path(forIndexAt: path)
        let contents = FSVIWriteAheadLog.load(
            forIndexAt: path, dimension: previous.identity.dimension, quantization: previous.quantization,
            generation: previous.compactionGeneration)
        if case .corrupt = contents {
            var attempt = 0
            var status = stat()
            while lstat("\(walPath).corrupt.\(attempt)", &status) == 0 { attempt += 1 }
            guard rename(walPath, "\(walPath).corrupt.\(attempt)") == 0 else {
                throw .io(path: walPath, operation: "move aside", reason: describeErrno(errno))
            }
        } else if unlink(walPath) != 0 && errno != ENOENT {
            throw .io(path: walPath, operation: "remove", reason: describeErrno(errno))
        }
    }

    /// fsync of the directory holding `path`, so a rename survives a crash.
    static func synchronizeDirectory(containing path: String) throws(FSVIError) {
        let directory = parentDirectory(of: path)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .io(path: directory, operation: "open directory", reason: describeErrno(errno))
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw .io(path: directory, operation: "fsync directory", reason: describeErrno(errno))
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func nanosecondsSinceEpoch() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
