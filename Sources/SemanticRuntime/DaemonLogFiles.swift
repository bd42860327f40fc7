// A daemon's log on disk as its readers see it: the current file and the one previous file that
// rotation keeps (`<log>.1`), and the newest lines across both, so `semctl logs` shows the end of
// the log even just after a rotation emptied the current file. Reads only; never writes or rotates
// (the daemon's RotatingLogFile does that).
import Foundation

public enum DaemonLogFiles {
    /// The previous file rotation keeps beside `path`: `<path>.1`.
    public static func previousPath(of path: String) -> String { path + ".1" }

    /// The last `count` lines of the log at `path`, oldest first: from the current file, and from the
    /// previous one when the current file holds fewer. Nil when neither file exists.
    public static func newestLines(of path: String, count: Int) -> [String]? {
        let current = lastLines(of: path, count: count)
        guard let current else { return lastLines(of: previousPath(of: path), count: count) }
        guard current.count < count, let previous = lastLines(of: previousPath(of: path), count: count - current.count) else {
            return current
        }
        return previous + current
    }

    /// The last `count` complete or trailing lines of one file (nil: it cannot be opened), read back
    /// from its end in 64 KiB steps until enough are in hand.
    public static func lastLines(of path: String, count: Int) -> [String]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard count > 0 else { return [] }
        let end = (try? handle.seekToEnd()) ?? 0
        var start = end
        var tail = Data()
        while start > 0 && tail.reduce(0, { $1 == 0x0a ? $0 + 1 : $0 }) <= count {
            let step = min(UInt64(65_536), start)
            start -= step
            try? handle.seek(toOffset: start)
            guard let chunk = try? handle.read(upToCount: Int(step)) else { break }
            tail = chunk + tail
        }
        var lines = String(decoding: tail, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return Array(lines.suffix(count))
    }
}
