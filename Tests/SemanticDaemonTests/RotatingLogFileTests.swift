// The daemon's capped log file on a real folder: it never grows past its cap, rotation keeps exactly
// one previous file, a descriptor sharing the file (stderr) follows it to the new one, what another
// writer appended counts toward the cap, a file already past the cap
// rotates when opened, a refused rotation empties the file in place instead, and the newest lines are
// read back across both files (what `semctl logs` prints). The size flag and variable are validated.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticDaemon
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RotatingLogFileTests {
    func size(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64
    }

    @Test func theFileNeverPassesItsCapAndOnePreviousFileIsKept() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("semd.log").path
        let log = try RotatingLogFile(path: path, maxBytes: 2048)
        var written: [String] = []
        for index in 0..<500 {
            let line = "2026-12-06T23:00:00Z warning semd: connection \(index) refused: 16 connections are open"
            log.append(line + "\n")
            written.append(line)
            let current = try #require(size(path))
            #expect(current <= 2048, "after line \(index) the log is \(current) bytes")
        }
        #expect(log.rotations >= 10)
        #expect(try #require(size(DaemonLogFiles.previousPath(of: path))) <= 2048)
        #expect(!FileManager.default.fileExists(atPath: path + ".2"))
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(files == ["semd.log", "semd.log.1"])
        // The newest lines, across both files, oldest first.
        let current = try #require(DaemonLogFiles.lastLines(of: path, count: 1000))
        let newest = try #require(DaemonLogFiles.newestLines(of: path, count: current.count + 5))
        #expect(newest == Array(written.suffix(current.count + 5)))
        #expect(DaemonLogFiles.newestLines(of: path, count: 3) == Array(written.suffix(3)))
        #expect(DaemonLogFiles.newestLines(of: path, count: 0) == [])
    }

    @Test func linesAnotherWriterAppendedCountTowardTheCap() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("semd.log").path
        let log = try RotatingLogFile(path: path, maxBytes: 1024)
        log.append("first\n")
        // Another writer sharing the file (the process's stderr, as a spawned daemon's is).
        let other = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try other.seekToEnd()
        other.write(Data((String(repeating: "x", count: 1000) + "\n").utf8))
        try other.close()
        log.append("after the other writer\n")
        #expect(try #require(size(path)) <= 1024)
        #expect(DaemonLogFiles.newestLines(of: path, count: 1) == ["after the other writer"])
        #expect(log.rotations == 1)
    }

    @Test func aDescriptorThatWasTheLogFollowsItToTheNewFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("semd.log").path
        let unrelated = scratch.path("other").path
        // What a spawned daemon's stderr is: the log, opened for appending by someone else.
        let sharing = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let elsewhere = open(unrelated, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        #expect(sharing >= 0 && elsewhere >= 0)
        defer { close(sharing); close(elsewhere) }
        let log = try RotatingLogFile(path: path, maxBytes: 1024, followers: [sharing, elsewhere])
        for index in 0..<40 { log.append("line \(index) before the stream writes\n") }
        #expect(log.rotations >= 1)
        for (descriptor, text) in [(sharing, "written to the shared stream\n"), (elsewhere, "written elsewhere\n")] {
            _ = text.withCString { write(descriptor, $0, strlen($0)) }
        }
        #expect(DaemonLogFiles.lastLines(of: path, count: 1) == ["written to the shared stream"])
        #expect(DaemonLogFiles.lastLines(of: unrelated, count: 5) == ["written elsewhere"])
    }

    @Test func aFileAlreadyPastTheCapRotatesWhenOpenedAndALongLineIsCut() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("semd.log").path
        try Data(repeating: 0x61, count: 5000).write(to: URL(fileURLWithPath: path))
        let log = try RotatingLogFile(path: path, maxBytes: 1024)
        #expect(size(path) == 0)
        #expect(size(DaemonLogFiles.previousPath(of: path)) == 5000)
        log.append(String(repeating: "b", count: 3000) + "\n")
        #expect(size(path) == 1024)
        #expect(DaemonLogFiles.lastLines(of: path, count: 1)?.first?.count == 1023)
    }

    @Test func whenTheRenameIsRefusedTheFileIsEmptiedInPlace() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path("semd.log").path
        // A directory where the previous file would go: rename(2) refuses to replace it with a file.
        try FileManager.default.createDirectory(atPath: DaemonLogFiles.previousPath(of: path) + "/taken",
                                                withIntermediateDirectories: true)
        let log = try RotatingLogFile(path: path, maxBytes: 1024)
        for index in 0..<100 { log.append("line \(index) of a log whose rotation is refused\n") }
        #expect(try #require(size(path)) <= 1024)
        #expect(log.rotations >= 3)
        #expect(DaemonLogFiles.newestLines(of: path, count: 1) == ["line 99 of a log whose rotation is refused"])
    }

    @Test func theCapComesFromTheFlagThenTheEnvironmentAndIsValidated() throws {
        #expect(try DaemonLogging.maxLogBytes(flag: nil, environment: [:]) == 10 * 1024 * 1024)
        #expect(try DaemonLogging.maxLogBytes(flag: nil, environment: ["SEMD_LOG_MAX_SIZE": "64K"]) == 65_536)
        #expect(try DaemonLogging.maxLogBytes(flag: "2M", environment: ["SEMD_LOG_MAX_SIZE": "64K"]) == 2 * 1024 * 1024)
        for bad in ["0", "100", "ten megabytes", "-1M"] {
            #expect(throws: ConfigurationError.self) { try DaemonLogging.maxLogBytes(flag: bad, environment: [:]) }
        }
        #expect(DaemonLogFiles.newestLines(of: "/nonexistent/semd.log", count: 5) == nil)
    }
}
