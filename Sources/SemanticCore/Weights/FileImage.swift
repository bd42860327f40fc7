// A whole file held in memory, shared by every reader of the weights: by default read once into
// private anonymous memory, so a model file truncated or rewritten while a daemon runs cannot reach
// the engine (a truncated mapping raises SIGBUS on the next access, even MAP_PRIVATE, and a file
// rewritten in place changes the weights under a running request). The copy costs what the mapped
// pages cost in memory (they were resident anyway) plus a read at load; short-lived processes may
// map the file instead (`WeightStorage.mapped`). It never writes the file and knows nothing of formats.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a file (as they were when it was read, unless mapped); read-only after `init`, hence `Sendable`.
public final class FileImage: @unchecked Sendable {
    public let url: URL
    /// Start of the bytes (page aligned); `nil` for an empty file.
    public let baseAddress: UnsafeRawPointer?
    public let byteCount: Int

    /// Reads the whole of `url` (or maps it, with `.mapped`). A file that changes size or is
    /// rewritten while it is read is an `unreadableFile` error rather than a torn copy.
    public init(url: URL, storage: WeightStorage = .privateCopy) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SafetensorsError.unreadableFile(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else {
            throw SafetensorsError.unreadableFile(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard (before.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError.unreadableFile(path: url.path, reason: "not a regular file")
        }
        let size = Int(before.st_size)
        byteCount = size
        if size == 0 {
            baseAddress = nil
            return
        }
        if storage == .mapped {
            let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let mapped, mapped != MAP_FAILED else {
                throw SafetensorsError.unreadableFile(path: url.path, reason: "mmap failed: \(String(cString: strerror(errno)))")
            }
            baseAddress = UnsafeRawPointer(mapped)
            return
        }
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let address, address != MAP_FAILED else {
            throw SafetensorsError.unreadableFile(
                path: url.path, reason: "cannot allocate \(size) bytes: \(String(cString: strerror(errno)))")
        }
        var done = 0
        var failure: String?
        while done < size {
            let count = pread(fd, address + done, size - done, off_t(done))
            if count > 0 {
                done += count
            } else if count < 0, errno == EINTR {
                continue
            } else {
                failure = count == 0 ? "the file shrank to \(done) bytes while it was read (it had \(size))"
                    : String(cString: strerror(errno))
                break
            }
        }
        var after = stat()
        if failure == nil, fstat(fd, &after) == 0,
           after.st_size != before.st_size || after.st_mtim.tv_sec != before.st_mtim.tv_sec
            || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec {
            failure = "the file changed while it was read; load it again once it is complete"
        }
        if let failure {
            munmap(address, size)
            throw SafetensorsError.unreadableFile(path: url.path, reason: failure)
        }
        mprotect(address, size, PROT_READ)
        baseAddress = UnsafeRawPointer(address)
    }

    /// The bytes as a buffer (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress, count: byteCount)
    }

    deinit {
        if let baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: baseAddress), byteCount)
        }
    }
}
