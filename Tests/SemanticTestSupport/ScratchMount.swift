// A small tmpfs mounted for one test, for faults a plain directory cannot show to root: a file system
// that is full (ENOSPC) or read-only (EROFS, which binds root too, unlike a file mode). Needs root (or
// CAP_SYS_ADMIN); `make` returns nil where mounting is not allowed, so tests can skip and say why.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class ScratchMount: Sendable {
    public let path: String

    private init(path: String) {
        self.path = path
    }

    /// Mounts a tmpfs of `bytes` at a fresh directory under `parent`; nil when mounting fails.
    public static func make(in parent: URL, bytes: Int) -> ScratchMount? {
        let path = parent.appendingPathComponent("mount-\(UUID().uuidString.prefix(8))").path
        guard geteuid() == 0, (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil
        else { return nil }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0755", "tmpfs", path]) else {
            rmdir(path)
            return nil
        }
        return ScratchMount(path: path)
    }

    /// Remounts read-only (files already there stay, nothing can be written).
    public func makeReadOnly() -> Bool { Self.run("/bin/mount", ["-o", "remount,ro", path]) }

    /// Unmounts and removes the mount point.
    public func remove() {
        _ = Self.run("/bin/umount", [path])
        rmdir(path)
    }

    private static func run(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
