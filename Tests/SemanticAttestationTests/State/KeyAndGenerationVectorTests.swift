// The `state_files` vectors of v2-frames.json: key_id for three keys, and every generation-log
// vector both as pure parsing and through real files (the log's bytes after the call, and the key
// created under the lock, or not created when the log is refused).
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticAttestation

@Suite struct KeyAndGenerationVectorTests {
    @Test func keyIdentifiersMatchEveryVector() throws {
        let vectors = try V2Vectors.objects(V2Vectors.section("state_files"), "key_id_vectors")
        #expect(vectors.count == 3)
        for vector in vectors {
            let keyBytes = bytes(fromHex: try V2Vectors.string(vector, "key_hex"))
            let expected = try V2Vectors.string(vector, "key_id")
            #expect(AttestationKey.keyID(forKeyBytes: keyBytes) == expected)
            let key = try #require(AttestationKey(bytes: keyBytes))
            #expect(key.keyID == expected)
        }
    }

    @Test func keyIdentifierOfTheWorkedExample() throws {
        let example = try V2Vectors.section("worked_example")
        let key = try #require(AttestationKey(bytes: bytes(fromHex: try V2Vectors.string(example, "key_hex"))))
        #expect(key.keyID == (try V2Vectors.string(example, "key_id")))
        #expect(key.keyID == "cass-daemon-key-630dcd2966c4336691125448")
    }

    @Test func keysOfAnyOtherLengthAreRefused() {
        #expect(AttestationKey(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(AttestationKey(bytes: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(AttestationKey(bytes: []) == nil)
    }

    @Test func generationVectorsParse() throws {
        let vectors = try V2Vectors.objects(V2Vectors.section("state_files"), "generation_vectors")
        #expect(vectors.count == 9)
        for vector in vectors {
            let content = Array(try V2Vectors.string(vector, "content").utf8)
            if let message = vector["error"] as? String {
                #expect(throws: GenerationLog.ContentFailure.self, "\(vector)") {
                    try GenerationLog.nextAllocation(after: content)
                }
                #expect(message.hasPrefix("daemon attestation generation"))
                continue
            }
            let allocation = try GenerationLog.nextAllocation(after: content)
            #expect(allocation.generation == UInt64(vector["next"] as! Int), "\(vector)")
            #expect(allocation.appendedBytes == Array(try V2Vectors.string(vector, "appended").utf8), "\(vector)")
            let newlineFirst = vector["write_newline_first"] as! Bool
            #expect((allocation.appendedBytes.first == UInt8(ascii: "\n")) == newlineFirst, "\(vector)")
        }
    }

    @Test func generationVectorsThroughTheFiles() throws {
        let vectors = try V2Vectors.objects(V2Vectors.section("state_files"), "generation_vectors")
        for vector in vectors {
            let scratch = try ScratchDataDirectory()
            defer { scratch.remove() }
            try scratch.createStateDirectory()
            let content = Array(try V2Vectors.string(vector, "content").utf8)
            try scratch.write(content, to: scratch.logPath)

            if let message = vector["error"] as? String {
                let error = try #require(throws: AttestationStateError.self) {
                    try AttestationState.open(dataDirectory: scratch.dataDirectory)
                }
                // The message the user reads starts with the reference's words and names the file.
                #expect(error.description.hasPrefix(message), "\(error)")
                #expect(error.description.contains(scratch.logPath))
                #expect(scratch.contents(of: scratch.logPath) == content, "a refused log is left untouched")
                #expect(scratch.contents(of: scratch.keyPath) == nil, "no key is created when the log is refused")
                continue
            }
            let state = try AttestationState.open(dataDirectory: scratch.dataDirectory)
            #expect(state.generation == UInt64(vector["next"] as! Int), "\(vector)")
            let appended = Array(try V2Vectors.string(vector, "appended").utf8)
            #expect(scratch.contents(of: scratch.logPath) == content + appended, "\(vector)")
            let keyBytes = try #require(scratch.contents(of: scratch.keyPath))
            #expect(keyBytes.count == 32)
            #expect(state.keyID == AttestationKey.keyID(forKeyBytes: keyBytes))
        }
    }

    @Test func entryErrorsNameTheLine() throws {
        #expect(throws: GenerationLog.ContentFailure.invalidEntry(lineNumber: 2, entry: "abc")) {
            try GenerationLog.nextAllocation(after: Array("1\nabc\n".utf8))
        }
        #expect(throws: GenerationLog.ContentFailure.invalidEntry(lineNumber: 1, entry: "-1")) {
            try GenerationLog.nextAllocation(after: Array("-1\n".utf8))
        }
        #expect(throws: GenerationLog.ContentFailure.counterExhausted) {
            try GenerationLog.nextAllocation(after: Array("3\n18446744073709551615\n".utf8))
        }
    }

    /// The entry grammar is Rust's `u64::from_str` after `str::trim`, so a log written by cass and one
    /// written by semd read the same on both sides.
    @Test(arguments: [
        ("7", UInt64(8)), ("+7", 8), ("007", 8), ("\t7\r", 8), ("\u{00A0}7\u{2003}", 8),
        ("18446744073709551614", UInt64.max),
    ])
    func entriesFollowRustsUnsignedParse(entry: String, next: UInt64) throws {
        #expect(try GenerationLog.nextAllocation(after: Array((entry + "\n").utf8)).generation == next)
    }

    @Test(arguments: ["7 7", "0x10", "1e3", "+", "++1", "-0", "١", "18446744073709551616", "7;", "1.0"])
    func malformedEntriesAreRefused(entry: String) {
        #expect(throws: GenerationLog.ContentFailure.invalidEntry(lineNumber: 2, entry: entry)) {
            try GenerationLog.nextAllocation(after: Array("1\n\(entry)\n".utf8))
        }
    }

    @Test func aLogThatIsNotUTF8IsRefusedAtItsLine() {
        let content: [UInt8] = Array("1\n2\n".utf8) + [0xff, 0x33, 0x0a]
        #expect(throws: GenerationLog.ContentFailure.invalidEntry(lineNumber: 3, entry: "(bytes that are not UTF-8)")) {
            try GenerationLog.nextAllocation(after: content)
        }
    }

    @Test func blankLinesAndWhiteSpaceAreSkipped() throws {
        let allocation = try GenerationLog.nextAllocation(after: Array("1\n\n   \n\t\n2\n\n".utf8))
        #expect(allocation == GenerationLog.Allocation(generation: 3, appendedBytes: Array("3\n".utf8)))
        let zero = try GenerationLog.nextAllocation(after: Array("0\n".utf8))
        #expect(zero.generation == 1)
        let onlyBlank = try GenerationLog.nextAllocation(after: Array("\n\n".utf8))
        #expect(onlyBlank == GenerationLog.Allocation(generation: 1, appendedBytes: Array("1\n".utf8)))
        let blankWithoutNewline = try GenerationLog.nextAllocation(after: Array("4\n  ".utf8))
        #expect(blankWithoutNewline == GenerationLog.Allocation(generation: 5, appendedBytes: Array("\n5\n".utf8)))
    }
}
