// A read-only memory mapping of a whole file, shared by every reader of the weights.
// It maps once, never writes, and unmaps when the last owner lets go; it knows nothing of formats.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a file, mapped `PROT_READ`/`MAP_PRIVATE`. Immutable after `init`, hence `Sendable`.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    /// Start of the mapping (page aligned); `nil` for an empty file.
    public let baseAddress: UnsafeRawPointer?
    public let byteCount: Int

    public init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw SafetensorsError.unreadableFile(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw SafetensorsError.unreadableFile(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError.unreadableFile(path: url.path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        byteCount = size
        if size == 0 {
            baseAddress = nil
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw SafetensorsError.unreadableFile(
                path: url.path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        baseAddress = UnsafeRawPointer(address)
    }

    /// The mapped bytes as a buffer (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress, count: byteCount)
    }

    deinit {
        if let baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: baseAddress), byteCount)
        }
    }
}
