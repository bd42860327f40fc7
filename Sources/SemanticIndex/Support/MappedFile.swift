// MappedFile: a read-only memory map of a whole file, optionally holding a non-blocking `flock` for as
// long as it lives, so an index can be read while it is guarded against in-place writers.
// Only reads: never writes through the mapping, never blocks waiting for a lock.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which `flock` to hold while the file is mapped.
public enum FileLockMode: Sendable {
    case none
    /// `LOCK_SH`: readers share; in-place writers (who take `LOCK_EX`) are kept out.
    case shared
    /// `LOCK_EX`: nobody else may hold any lock.
    case exclusive
}

/// The mapped bytes of one file. The mapping stays valid if the path is later replaced by a rename.
final class MappedFile: @unchecked Sendable {  // immutable after init; the mapping is read-only
    let path: String
    let bytes: UnsafeRawBufferPointer
    private let descriptor: Int32

    enum Failure: Error {
        case notFound
        case locked
        case system(operation: String, errno: Int32)
    }

    init(path: String, lock: FileLockMode) throws(Failure) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .notFound : .system(operation: "open", errno: errno)
        }
        var mapped: UnsafeRawBufferPointer?
        do {
            switch lock {
            case .none: break
            case .shared, .exclusive:
                if flock(descriptor, (lock == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
                    throw errno == EWOULDBLOCK ? Failure.locked : Failure.system(operation: "lock", errno: errno)
                }
            }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw Failure.system(operation: "stat", errno: errno) }
            let size = Int(status.st_size)
            if size > 0 {
                guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0),
                      address != MAP_FAILED else {
                    throw Failure.system(operation: "map", errno: errno)
                }
                mapped = UnsafeRawBufferPointer(start: address, count: size)
            }
        } catch {
            close(descriptor)
            throw error as! Failure
        }
        self.descriptor = descriptor
        self.bytes = mapped ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
        close(descriptor)  // releases the flock
    }
}

/// The text of a C `errno`, e.g. "Permission denied".
func describeErrno(_ code: Int32) -> String {
    String(cString: strerror(code))
}
