// AttestationState on a real file system: creating the state directory, key and log; reloading them;
// and every fault of §7 (symlinks, modes, links, sizes, wrong file types, a data directory that is a
// file), each checked for its typed error and for a message naming the file and the rule.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticAttestation
#if canImport(Glibc)
import Glibc
#endif

@Suite struct AttestationStateFileTests {
    @Test func firstOpenCreatesEverythingPrivately() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        let state = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        #expect(state.generation == 1)
        #expect(state.stateDirectory == scratch.stateDirectory)
        #expect(scratch.mode(of: scratch.stateDirectory) == 0o700)
        #expect(scratch.mode(of: scratch.keyPath) == 0o600)
        #expect(scratch.mode(of: scratch.logPath) == 0o600)
        let keyBytes = try #require(scratch.contents(of: scratch.keyPath))
        #expect(keyBytes.count == 32)
        #expect(keyBytes != [UInt8](repeating: 0, count: 32))
        #expect(state.key == AttestationKey(bytes: keyBytes))
        #expect(state.keyID == AttestationKey.keyID(forKeyBytes: keyBytes))
        #expect(scratch.contents(of: scratch.logPath) == Array("1\n".utf8))
    }

    @Test func laterOpensKeepTheKeyAndTakeTheNextGeneration() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        let first = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        let second = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        let third = try AttestationState.open(dataDirectory: scratch.dataDirectory + "/")
        #expect([first.generation, second.generation, third.generation] == [1, 2, 3])
        #expect(first.key == second.key && second.key == third.key)
        #expect(scratch.contents(of: scratch.logPath) == Array("1\n2\n3\n".utf8))
        #expect(try AttestationState.loadKey(dataDirectory: scratch.dataDirectory) == first.key)
    }

    @Test func anExistingKeyIsLoadedNotReplaced() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        let known = Array(0..<32).map { UInt8($0) }
        try scratch.write(known, to: scratch.keyPath)
        let state = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        #expect(state.keyID == "cass-daemon-key-630dcd2966c4336691125448")
        #expect(scratch.contents(of: scratch.keyPath) == known)
    }

    @Test func aSharedStateDirectoryIsTightenedByTheDaemonAndRefusedByReaders() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        _ = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        chmod(scratch.stateDirectory, 0o755)
        let error = try #require(throws: AttestationStateError.self) {
            try AttestationState.loadKey(dataDirectory: scratch.dataDirectory)
        }
        #expect(error == .daemonDirectoryIsNotPrivate(path: scratch.stateDirectory, mode: 0o755))
        #expect(error.description.contains("0755") && error.description.contains("chmod 700"))
        #expect(scratch.mode(of: scratch.stateDirectory) == 0o755, "a reader never changes the directory")
        _ = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        #expect(scratch.mode(of: scratch.stateDirectory) == 0o700)
    }

    @Test func readersNeverCreateAKey() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        #expect(throws: AttestationStateError.keyFileIsMissing(path: scratch.keyPath)) {
            try AttestationState.loadKey(dataDirectory: scratch.dataDirectory)
        }
        try scratch.createStateDirectory()
        #expect(throws: AttestationStateError.keyFileIsMissing(path: scratch.keyPath)) {
            try AttestationState.loadKey(dataDirectory: scratch.dataDirectory)
        }
        #expect(scratch.contents(of: scratch.keyPath) == nil)
    }

    // MARK: the key file's faults

    /// Plants something at the key path, then checks both the daemon's and a reader's refusal.
    private func expectKeyRefused(_ violation: AttestationStateFileViolation, words: String,
                                  plant: (ScratchDataDirectory) throws -> Void) throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        try plant(scratch)
        let expected = AttestationStateError.unsafeFile(.key, path: scratch.keyPath, violation: violation)
        let error = try #require(throws: AttestationStateError.self) {
            try AttestationState.open(dataDirectory: scratch.dataDirectory)
        }
        #expect(error == expected)
        #expect(error.description.contains("attestation key file \(scratch.keyPath)"), "\(error)")
        #expect(error.description.contains(words), "\(error)")
        #expect(throws: expected) { try AttestationState.loadKey(dataDirectory: scratch.dataDirectory) }
    }

    private static let validKey = [UInt8](repeating: 7, count: 32)

    @Test func keyFileThatIsASymlinkIsRefused() throws {
        try expectKeyRefused(.symbolicLink, words: "symbolic link") { scratch in
            let target = scratch.temporary.path("elsewhere.bin").path
            try scratch.write(Self.validKey, to: target)
            #expect(symlink(target, scratch.keyPath) == 0)
        }
    }

    @Test func keyFileThatIsADanglingSymlinkIsRefused() throws {
        try expectKeyRefused(.symbolicLink, words: "symbolic link") { scratch in
            #expect(symlink(scratch.temporary.path("missing.bin").path, scratch.keyPath) == 0)
        }
    }

    @Test func groupReadableKeyFileIsRefused() throws {
        try expectKeyRefused(.accessibleToOthers(mode: 0o640), words: "0640") { scratch in
            try scratch.write(Self.validKey, to: scratch.keyPath, mode: 0o640)
        }
    }

    @Test func worldReadableKeyFileIsRefused() throws {
        try expectKeyRefused(.accessibleToOthers(mode: 0o604), words: "chmod 600") { scratch in
            try scratch.write(Self.validKey, to: scratch.keyPath, mode: 0o604)
        }
    }

    @Test(arguments: [0, 31, 33, 64])
    func keyFileOfTheWrongSizeIsRefused(size: Int) throws {
        try expectKeyRefused(.wrongSize(expected: 32, found: Int64(size)), words: "exactly 32") { scratch in
            try scratch.write([UInt8](repeating: 9, count: size), to: scratch.keyPath)
        }
    }

    @Test func hardLinkedKeyFileIsRefused() throws {
        try expectKeyRefused(.linkCount(2), words: "2 hard links") { scratch in
            try scratch.write(Self.validKey, to: scratch.keyPath)
            #expect(link(scratch.keyPath, scratch.temporary.path("second-name.bin").path) == 0)
        }
    }

    @Test func keyPathThatIsADirectoryIsRefused() throws {
        try expectKeyRefused(.notARegularFile(found: "a directory"), words: "a directory") { scratch in
            #expect(mkdir(scratch.keyPath, 0o700) == 0)
        }
    }

    @Test func keyPathThatIsAFIFOIsRefusedWithoutBlocking() throws {
        try expectKeyRefused(.notARegularFile(found: "a FIFO"), words: "a FIFO") { scratch in
            #expect(mkfifo(scratch.keyPath, 0o600) == 0)
        }
    }

    // MARK: the generation log's faults

    private func expectLogRefused(_ expected: (ScratchDataDirectory) -> AttestationStateError, words: String,
                                  plant: (ScratchDataDirectory) throws -> Void) throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        try plant(scratch)
        let error = try #require(throws: AttestationStateError.self) {
            try AttestationState.open(dataDirectory: scratch.dataDirectory)
        }
        #expect(error == expected(scratch))
        #expect(error.description.contains(scratch.logPath), "\(error)")
        #expect(error.description.contains(words), "\(error)")
        #expect(scratch.contents(of: scratch.keyPath) == nil, "no key is created past a refused log")
    }

    @Test func unparsableLogIsRefused() throws {
        try expectLogRefused({ .invalidGenerationEntry(path: $0.logPath, lineNumber: 3, entry: "three") },
                             words: "line 3") { scratch in
            try scratch.write(Array("1\n2\nthree\n".utf8), to: scratch.logPath)
        }
    }

    @Test func logWithABlankLineIsAccepted() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        try scratch.write(Array("1\n\n2\n".utf8), to: scratch.logPath)
        #expect(try AttestationState.open(dataDirectory: scratch.dataDirectory).generation == 3)
        #expect(scratch.contents(of: scratch.logPath) == Array("1\n\n2\n3\n".utf8))
    }

    @Test func logMissingItsFinalNewlineGetsOneBeforeTheEntry() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        try scratch.write(Array("1\n9".utf8), to: scratch.logPath)
        #expect(try AttestationState.open(dataDirectory: scratch.dataDirectory).generation == 10)
        #expect(try AttestationState.open(dataDirectory: scratch.dataDirectory).generation == 11)
        #expect(scratch.contents(of: scratch.logPath) == Array("1\n9\n10\n11\n".utf8))
    }

    @Test func logAtUInt64MaxIsExhausted() throws {
        try expectLogRefused({ .generationCounterExhausted(path: $0.logPath) }, words: "18446744073709551615") { scratch in
            try scratch.write(Array("18446744073709551615\n".utf8), to: scratch.logPath)
        }
    }

    @Test func logThatIsASymlinkIsRefused() throws {
        try expectLogRefused({ .unsafeFile(.generationLog, path: $0.logPath, violation: .symbolicLink) },
                             words: "symbolic link") { scratch in
            let target = scratch.temporary.path("log-elsewhere").path
            try scratch.write(Array("1\n".utf8), to: target)
            #expect(symlink(target, scratch.logPath) == 0)
        }
    }

    @Test func logThatIsADirectoryIsRefused() throws {
        try expectLogRefused({ .unsafeFile(.generationLog, path: $0.logPath, violation: .notARegularFile(found: "a directory")) },
                             words: "a directory") { scratch in
            #expect(mkdir(scratch.logPath, 0o700) == 0)
        }
    }

    @Test func groupReadableLogIsRefused() throws {
        try expectLogRefused({ .unsafeFile(.generationLog, path: $0.logPath, violation: .accessibleToOthers(mode: 0o644)) },
                             words: "0644") { scratch in
            try scratch.write(Array("1\n".utf8), to: scratch.logPath, mode: 0o644)
        }
    }

    @Test func hardLinkedLogIsRefused() throws {
        try expectLogRefused({ .unsafeFile(.generationLog, path: $0.logPath, violation: .linkCount(2)) },
                             words: "2 hard links") { scratch in
            try scratch.write(Array("1\n".utf8), to: scratch.logPath)
            #expect(link(scratch.logPath, scratch.temporary.path("log-link").path) == 0)
        }
    }

    @Test func logOverOneMebibyteIsRefused() throws {
        let size = (1 << 20) + 1
        try expectLogRefused({ .unsafeFile(.generationLog, path: $0.logPath, violation: .tooLarge(limit: 1 << 20, found: Int64(size))) },
                             words: "over the limit") { scratch in
            try scratch.write([UInt8](repeating: UInt8(ascii: "\n"), count: size), to: scratch.logPath)
        }
    }

    @Test func logOfExactlyOneMebibyteIsAccepted() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.createStateDirectory()
        let content = Array("41\n".utf8) + [UInt8](repeating: UInt8(ascii: "\n"), count: (1 << 20) - 3)
        try scratch.write(content, to: scratch.logPath)
        #expect(try AttestationState.open(dataDirectory: scratch.dataDirectory).generation == 42)
    }

    // MARK: the directories' faults

    @Test func dataDirectoryThatIsAFileIsRefused() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try scratch.write(Array("not a directory".utf8), to: scratch.dataDirectory)
        let error = try #require(throws: AttestationStateError.self) {
            try AttestationState.open(dataDirectory: scratch.dataDirectory)
        }
        #expect(error == .dataDirectoryIsNotADirectory(path: scratch.dataDirectory))
        #expect(error.description.contains("\(scratch.dataDirectory) is not a directory"))
        #expect(throws: AttestationStateError.dataDirectoryIsNotADirectory(path: scratch.dataDirectory)) {
            try AttestationState.loadKey(dataDirectory: scratch.dataDirectory)
        }
        // Below a file, too.
        #expect(throws: AttestationStateError.dataDirectoryIsNotADirectory(path: scratch.dataDirectory + "/below")) {
            try AttestationState.open(dataDirectory: scratch.dataDirectory + "/below")
        }
        #expect(throws: AttestationStateError.dataDirectoryIsNotADirectory(path: "")) {
            try AttestationState.open(dataDirectory: "")
        }
    }

    @Test func missingDataDirectoriesAreCreatedPrivately() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        let nested = scratch.dataDirectory + "/a/b"
        #expect(try AttestationState.open(dataDirectory: nested).generation == 1)
        #expect(scratch.mode(of: scratch.dataDirectory) == 0o700)
        #expect(scratch.mode(of: nested + "/daemon") == 0o700)
    }

    @Test func symlinkedDataDirectoryIsFollowedButASymlinkedStateDirectoryIsNot() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        let real = scratch.temporary.path("real-data").path
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        #expect(symlink(real, scratch.dataDirectory) == 0)
        #expect(try AttestationState.open(dataDirectory: scratch.dataDirectory).generation == 1)
        #expect(FileManager.default.fileExists(atPath: real + "/daemon/attestation-key-v1.bin"))

        let other = try ScratchDataDirectory()
        defer { other.remove() }
        try FileManager.default.createDirectory(atPath: other.dataDirectory, withIntermediateDirectories: true)
        let elsewhere = other.temporary.path("planted").path
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        chmod(elsewhere, 0o700)
        #expect(symlink(elsewhere, other.stateDirectory) == 0)
        let error = try #require(throws: AttestationStateError.self) {
            try AttestationState.open(dataDirectory: other.dataDirectory)
        }
        #expect(error == .daemonDirectoryIsNotARealDirectory(path: other.stateDirectory, found: "a symbolic link"))
        #expect(error.description.contains("not a real directory"))
        #expect(throws: error) { try AttestationState.loadKey(dataDirectory: other.dataDirectory) }
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/attestation-key-v1.bin"))
    }

    @Test func stateDirectoryThatIsAFileIsRefused() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.dataDirectory, withIntermediateDirectories: true)
        try scratch.write([1, 2, 3], to: scratch.stateDirectory)
        #expect(throws: AttestationStateError.daemonDirectoryIsNotARealDirectory(path: scratch.stateDirectory,
                                                                                 found: "a regular file")) {
            try AttestationState.open(dataDirectory: scratch.dataDirectory)
        }
    }

    // MARK: the key stays secret

    @Test func theKeyNeverAppearsInText() throws {
        let scratch = try ScratchDataDirectory()
        defer { scratch.remove() }
        let state = try AttestationState.open(dataDirectory: scratch.dataDirectory)
        let keyBytes = try #require(scratch.contents(of: scratch.keyPath))
        var dumped = ""
        dump(state, to: &dumped)
        var dumpedKey = ""
        dump(state.key, to: &dumpedKey)
        let texts = [
            String(describing: state), String(reflecting: state), "\(state.key)", String(reflecting: state.key),
            dumped, dumpedKey, String(describing: Mirror(reflecting: state.key).children.map(\.value)),
        ]
        let secretHex = hex(keyBytes)
        let secretDecimal = keyBytes.map(String.init).joined(separator: ", ")
        for text in texts {
            #expect(!text.contains(secretHex) && !text.contains(secretDecimal), "\(text)")
            #expect(!text.contains(secretHex.uppercased()))
        }
        #expect("\(state.key)" == "AttestationKey(\(state.keyID))")
        #expect(state.key.withUnsafeBytes { Array($0) } == keyBytes)
    }
}
