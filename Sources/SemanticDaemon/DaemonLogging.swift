// Logging for the daemon process: bootstrapped once by `semd`, to standard error or to a log file
// (appending, one line per record with an ISO-8601 time), the file capped at `--log-max-size` with
// one previous file kept (RotatingLogFile). Library code only takes a Logger; repeated warnings are
// bounded where they are logged (RepeatedWarnings), not here.
import Foundation
import Logging

public struct FileLogHandler: LogHandler {
    /// Where the lines go.
    public enum Output: Sendable {
        case standardError
        case file(RotatingLogFile)
    }

    private let output: Output
    private let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, output: Output, level: Logger.Level) {
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
        switch output {
        case .standardError: FileHandle.standardError.write(Data(line.utf8))
        case .file(let file): file.append(line)
        }
    }
}

public enum DaemonLogging {
    /// The cap of one log file: `--log-max-size`, else `SEMD_LOG_MAX_SIZE`, else 10 MiB; a size such
    /// as 512K, 10M or 1G (at least 1K).
    public static func maxLogBytes(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> UInt64 {
        guard let text = flag ?? environment["SEMD_LOG_MAX_SIZE"], !text.isEmpty else { return RotatingLogFile.defaultMaxBytes }
        guard let bytes = DaemonConfiguration.parseByteSize(text), bytes >= RotatingLogFile.smallestMaxBytes else {
            throw .invalid(name: "log file size cap", value: text, expected: "a size of at least 1K, such as 512K, 10M or 1G")
        }
        return bytes
    }

    /// Sends every logger of the process to `file` (created 0600 and appended to, capped at
    /// `maxBytes` with one previous file kept) or to stderr.
    public static func bootstrap(level: Logger.Level, file: String?, maxBytes: UInt64 = RotatingLogFile.defaultMaxBytes) throws {
        let output: FileLogHandler.Output
        if let file {
            let url = URL(fileURLWithPath: file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            output = .file(try RotatingLogFile(path: file, maxBytes: maxBytes))
        } else {
            output = .standardError
        }
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, output: output, level: level) }
    }
}
