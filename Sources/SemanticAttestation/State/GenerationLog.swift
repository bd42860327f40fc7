// `<data_dir>/daemon/attestation-generations-v1.log` (§7): the append-only record of every
// attestation generation handed out for a data directory, one decimal u64 per line. Each daemon start
// takes the next one under an exclusive flock, so a Swift daemon and a cass daemon sharing the data
// directory never reuse a generation. Never rewrites or truncates the log; only appends to it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum GenerationLog {
    static let fileName = "attestation-generations-v1.log"
    /// The log may hold at most 1 MiB (about 50,000 generations) before a daemon refuses it.
    static let sizeLimit: Int64 = 1 << 20

    /// The generation a log's content leads to, and the bytes to append for it.
    struct Allocation: Equatable {
        let generation: UInt64
        /// `"\n"` first when the content lacks a final newline, then `"<generation>\n"`.
        let appendedBytes: [UInt8]
    }

    enum ContentFailure: Error, Equatable {
        case invalidEntry(lineNumber: Int, entry: String)
        case counterExhausted
    }

    /// Parses the whole log: every non-blank line, trimmed of Unicode white space, must be a decimal
    /// u64 (as Rust's `u64::from_str`: ASCII digits after an optional `+`, no overflow). The next
    /// generation is the largest entry + 1, or 1 for a log with no entries.
    static func nextAllocation(after content: [UInt8]) throws(ContentFailure) -> Allocation {
        let text = String(decoding: content, as: UTF8.self)
        guard text.utf8.elementsEqual(content) else {
            // Rust reads the log into a String, so invalid UTF-8 fails like an unparsable line.
            throw .invalidEntry(lineNumber: firstLineWithInvalidUTF8(content), entry: "(bytes that are not UTF-8)")
        }
        var largest: UInt64?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let entry = trimmingUnicodeWhiteSpace(line)
            if entry.isEmpty { continue }
            guard let value = parseDecimalUInt64(entry) else {
                throw .invalidEntry(lineNumber: index + 1, entry: String(entry))
            }
            largest = max(largest ?? 0, value)
        }
        let next: UInt64
        if let largest {
            guard largest < UInt64.max else { throw .counterExhausted }
            next = largest + 1
        } else {
            next = 1
        }
        var appended: [UInt8] = []
        if let last = content.last, last != UInt8(ascii: "\n") { appended.append(UInt8(ascii: "\n")) }
        appended.append(contentsOf: Array("\(next)\n".utf8))
        return Allocation(generation: next, appendedBytes: appended)
    }

    /// Takes the next generation for the directory's log: open (creating it 0600) without following
    /// links, flock exclusively (blocking), check, read, append, fsync; then runs `whileLocked` before
    /// the lock is released, so the key is loaded or created under the same lock.
    static func allocate<Result>(
        inDirectory directory: String,
        whileLocked: () throws(AttestationStateError) -> Result
    ) throws(AttestationStateError) -> (generation: UInt64, result: Result) {
        let path = StateFileChecks.join(directory, fileName)
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StateFileChecks.openFailure(errno, file: .generationLog, path: path) }
        defer { close(descriptor) }  // closing the only descriptor of this open file releases the flock
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw .system(operation: "flock", path: path, errno: errno)
        }
        let status = try StateFileChecks.checkOpenedFile(descriptor, file: .generationLog, path: path)
        guard Int64(status.st_size) <= sizeLimit else {
            throw .unsafeFile(.generationLog, path: path,
                              violation: .tooLarge(limit: sizeLimit, found: Int64(status.st_size)))
        }
        let content = try StateFileChecks.readFromStart(descriptor, limit: Int(sizeLimit) + 1, path: path)
        guard content.count <= Int(sizeLimit) else {
            throw .unsafeFile(.generationLog, path: path,
                              violation: .tooLarge(limit: sizeLimit, found: Int64(content.count)))
        }
        let allocation: Allocation
        do {
            allocation = try nextAllocation(after: content)
        } catch {
            switch error {
            case .invalidEntry(let lineNumber, let entry):
                throw .invalidGenerationEntry(path: path, lineNumber: lineNumber, entry: entry)
            case .counterExhausted:
                throw .generationCounterExhausted(path: path)
            }
        }
        try StateFileChecks.writeAll(allocation.appendedBytes, to: descriptor, path: path)
        try StateFileChecks.synchronize(descriptor, path: path)
        let result = try whileLocked()
        return (allocation.generation, result)
    }

    /// Rust's `u64::from_str`: an optional `+`, then one or more ASCII digits, no overflow.
    static func parseDecimalUInt64(_ text: Substring) -> UInt64? {
        var digits = text.utf8[...]
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (multiplied, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (added, overflowAdd) = multiplied.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowMultiply, !overflowAdd else { return nil }
            value = added
        }
        return value
    }

    /// Rust's `str::trim`: strips characters with the Unicode White_Space property from both ends.
    static func trimmingUnicodeWhiteSpace(_ line: Substring) -> Substring {
        let scalars = line.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return line[line.endIndex...] }
        return Substring(scalars[start...end])
    }

    private static func firstLineWithInvalidUTF8(_ content: [UInt8]) -> Int {
        var lineNumber = 1
        var lineStart = 0
        for (index, byte) in content.enumerated() where byte == UInt8(ascii: "\n") {
            let line = content[lineStart..<index]
            if !String(decoding: line, as: UTF8.self).utf8.elementsEqual(line) { return lineNumber }
            lineNumber += 1
            lineStart = index + 1
        }
        return lineNumber
    }
}
