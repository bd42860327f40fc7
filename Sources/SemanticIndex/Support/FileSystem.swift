// FileSystem: the few POSIX checks the job runner makes before doing work it might have to throw away:
// does a path exist (and is it a directory), create a directory, can a file be created in it.
// Never deletes anything but its own probe file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `path` exists (following links), reporting whether it is a directory.
func fileExists(_ path: String, isDirectory: inout Bool) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
    return true
}

/// Creates `path` as a directory unless it already is one; returns the errno of a failure.
func makeDirectory(_ path: String) -> Int32? {
    if mkdir(path, 0o755) == 0 { return nil }
    let code = errno
    var isDirectory = false
    if code == EEXIST && fileExists(path, isDirectory: &isDirectory) && isDirectory { return nil }
    return code == EEXIST ? ENOTDIR : code
}

/// Creates and removes a probe file in `directory`; returns the errno if it cannot be created.
func probeWritable(_ directory: String) -> Int32? {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let probe = "\(directory)/.semd-write-probe-\(getpid())-\(now.tv_nsec)"
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return errno }
    close(descriptor)
    unlink(probe)
    return nil
}
