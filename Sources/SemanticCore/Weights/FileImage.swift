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
    /// The length of the mapping behind `baseAddress` (whole huge pages for a private copy).
    private let mappedLength: Int

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
            mappedLength = 0
            return
        }
        if storage == .mapped {
            let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let mapped, mapped != MAP_FAILED else {
                throw SafetensorsError.unreadableFile(path: url.path, reason: "mmap failed: \(String(cString: strerror(errno)))")
            }
            baseAddress = UnsafeRawPointer(mapped)
            mappedLength = size
            return
        }
        guard let (address, length) = Self.mapAnonymous(size) else {
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
            munmap(address, length)
            throw SafetensorsError.unreadableFile(path: url.path, reason: failure)
        }
        mprotect(address, length, PROT_READ)
        baseAddress = UnsafeRawPointer(address)
        mappedLength = length
    }

    /// Private read-write memory for `size` bytes; from 1 MiB on, rounded up to whole 2 MiB pages
    /// (the length returned, to unmap), starting on a 2 MiB boundary and, on Linux, marked for transparent huge pages:
    /// a forward pass streams every weight, and with 4 KiB pages the 90 MB of MiniLM span 22,000 TLB
    /// entries. Where huge pages are off this is plain memory.
    static func mapAnonymous(_ requested: Int) -> (address: UnsafeMutableRawPointer, length: Int)? {
        let huge = 2 << 20
        if requested < huge / 2 {
            // small (test models, fuzz inputs): a huge page would cost more to clear than it saves
            guard let raw = mmap(nil, requested, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  raw != MAP_FAILED else { return nil }
            return (raw, requested)
        }
        let size = (requested + huge - 1) / huge * huge
        let reserved = size + huge
        guard let raw = mmap(nil, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            return nil
        }
        let start = Int(bitPattern: raw)
        let aligned = (start + huge - 1) / huge * huge
        // give back the slack before and after the aligned span
        if aligned > start { munmap(raw, aligned - start) }
        let end = aligned + size, reservedEnd = start + reserved
        if reservedEnd > end { munmap(UnsafeMutableRawPointer(bitPattern: end), reservedEnd - end) }
        let address = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if os(Linux)
        _ = madvise(address, size, MADV_HUGEPAGE)
        #endif
        return (address, size)
    }

    /// The bytes as a buffer (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress, count: byteCount)
    }

    deinit {
        if let baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: baseAddress), mappedLength)
        }
    }
}
