// Logging for the daemon process: bootstrapped once by `semd`, to standard error or to a log file
// (appending, one line per record with an ISO-8601 time). Library code only takes a Logger.
import Foundation
import Logging

public struct FileLogHandler: LogHandler {
    private let output: FileHandle
    private let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, output: FileHandle, level: Logger.Level) {
        self.label = label
        self.output = output
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let context = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Date().formatted(.iso8601)) \(event.level) \(label):\(context) \(event.message)\n"
        output.write(Data(line.utf8))
    }
}

public enum DaemonLogging {
    /// Sends every logger of the process to `file` (created 0600 and appended to) or to stderr.
    public static func bootstrap(level: Logger.Level, file: String?) throws {
        let handle: FileHandle
        if let file {
            let url = URL(fileURLWithPath: file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: file) {
                _ = FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } else {
            handle = FileHandle.standardError
        }
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, output: handle, level: level) }
    }
}
