// cass's `normalize_path_identity` (§5.5), the one spelling of a path that both a daemon and its
// clients hash: absolute against the working directory; `.` dropped; `..` pops the previous normal
// component (kept when there is none); then realpath, or, when the path does not exist, realpath of
// its longest existing ancestor with the missing components appended again.
// Works on path bytes; reads the file system (realpath) but never changes it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum PathIdentity {
    /// The normalised identity of `path`, with a relative path taken against `currentDirectory`.
    public static func normalize(_ path: String, currentDirectory: String) -> String {
        String(decoding: normalizedBytes(Array(path.utf8), currentDirectory: Array(currentDirectory.utf8)),
               as: UTF8.self)
    }

    /// The path's components after the lexical steps (absolute, `.` dropped, `..` resolved), without
    /// touching the file system. The first component is "/" for an absolute result.
    static func lexicalComponents(_ path: [UInt8], currentDirectory: [UInt8]) -> [[UInt8]] {
        let slash = UInt8(ascii: "/")
        let absolute = path.first == slash ? path : currentDirectory + [slash] + path
        var components: [[UInt8]] = []
        if absolute.first == slash { components.append([slash]) }
        for piece in absolute.split(separator: slash, omittingEmptySubsequences: true) {
            let component = Array(piece)
            if component == [UInt8(ascii: ".")] { continue }
            if component == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                if let last = components.last, isNormal(last) {
                    components.removeLast()
                } else {
                    components.append(component)
                }
                continue
            }
            components.append(component)
        }
        return components
    }

    static func normalizedBytes(_ path: [UInt8], currentDirectory: [UInt8]) -> [UInt8] {
        let components = lexicalComponents(path, currentDirectory: currentDirectory)
        // The longest prefix realpath can resolve; the rest is appended as it is.
        for existing in stride(from: components.count, through: 1, by: -1) {
            guard let resolved = realPath(joined(components[0..<existing])) else { continue }
            return joined([resolved] + components[existing...])
        }
        return joined(components[...])
    }

    /// Rust's `PathBuf::push` of each component in turn (no doubled slash after the root).
    static func joined(_ components: some Collection<[UInt8]>) -> [UInt8] {
        let slash = UInt8(ascii: "/")
        var path: [UInt8] = []
        for component in components {
            if !path.isEmpty && path.last != slash { path.append(slash) }
            path.append(contentsOf: component)
        }
        return path
    }

    private static func isNormal(_ component: [UInt8]) -> Bool {
        component != [UInt8(ascii: "/")] && component != [UInt8(ascii: "."), UInt8(ascii: ".")]
    }

    /// realpath(3), or nil when it fails (a missing component, a loop, a path holding a NUL byte).
    private static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard !path.isEmpty, !path.contains(0) else { return nil }
        let resolved: UnsafeMutablePointer<CChar>? = (path + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { realpath($0.baseAddress!, nil) }
        }
        guard let resolved else { return nil }
        defer { free(resolved) }
        return Array(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }
}
