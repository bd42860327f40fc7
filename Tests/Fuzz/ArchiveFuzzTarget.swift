// The libFuzzer entry point for the embedding job's row reader (`make fuzz`, target `archive`),
// compiled with Sources/SemanticIndex's archive and text files and SemanticCore's tokenizer files into
// one module. Each input is turned into a cass archive: the schema (cass's, `CassArchiveSchema`, or one
// whose columns have no declared types, so any value type reaches the reader), then messages whose
// every field is picked by the input: NULL, integers, reals, blobs, and text of raw input bytes
// (invalid UTF-8 included). The reader must give each message or throw an ArchiveError, read as many
// messages in chunks as it counts, and every message it gives must canonicalise within 2,000 scalars
// to a document id of its own. The input's bytes are canonicalised as text too. Inputs that ever broke
// this are kept in Tests/SemanticIndexTests/FuzzRegressionTests.swift.
import CSQLite
import Crypto
import Foundation

private let databasePath = "\(ProcessInfo.processInfo.environment["FUZZ_SCRATCH"] ?? "/tmp")/semd-fuzz-archive-\(getpid()).db"
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)  // SQLITE_TRANSIENT
private let sha256Checked: Bool = {
    let hex = SHA256.hash(data: Array("abc".utf8)).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    guard hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" else { fatalError("SHA256 is wrong: \(hex)") }
    return true
}()

/// Hands out the input's bytes as the archive's fields; zeros once it runs out.
private struct InputBytes {
    let bytes: [UInt8]
    var position = 0
    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }
    mutating func integer() -> Int64 {
        let choice = byte()
        switch choice % 6 {
        case 0: return Int64.min
        case 1: return Int64.max
        case 2: return -Int64(byte())
        default: return Int64(choice) << 8 | Int64(byte())
        }
    }
    mutating func slice() -> [UInt8] {
        let count = Int(byte()) % 64 + (byte() % 16 == 0 ? 3000 : 0)
        let start = min(position, bytes.count)
        let end = min(start + count, bytes.count)
        position = end
        return Array(bytes[start..<end])
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func archiveFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    precondition(sha256Checked)
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let canonical = Canonicalizer.canonicalize(String(decoding: input, as: UTF8.self))
    guard canonical.unicodeScalars.count <= 2_000 else { fatalError("canonical text over 2,000 scalars") }
    writeArchive(from: input)
    readArchive()
    return 0
}

private func writeArchive(from input: [UInt8]) {
    for suffix in ["", "-journal", "-wal", "-shm"] { unlink(databasePath + suffix) }
    var reader = InputBytes(bytes: input)
    var database: OpaquePointer?
    guard sqlite3_open(databasePath, &database) == SQLITE_OK, let database else { fatalError("cannot create \(databasePath)") }
    defer { sqlite3_close(database) }
    let strict = reader.byte() % 2 == 0
    let schema = strict ? CassArchiveSchema.creationSQL : """
        CREATE TABLE conversations (id INTEGER PRIMARY KEY, agent_id, workspace_id, source_id, source_path);
        CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id, idx, role, created_at, content);
        """
    // No journal and no fsync: the file is rewritten for every input.
    guard sqlite3_exec(database, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + schema + "BEGIN;", nil, nil, nil) == SQLITE_OK else { fatalError("cannot create the schema") }
    for conversation in 1...Int64(reader.byte() % 3 + 1) {
        insert(database, "INSERT INTO conversations(id, agent_id, workspace_id, source_id, source_path) VALUES (?1, ?2, ?3, ?4, '/fuzz')",
               [.integer(conversation), value(&reader), value(&reader), value(&reader)])
    }
    for position in 0..<Int(reader.byte() % 12) {
        insert(database, "INSERT INTO messages(id, conversation_id, idx, role, created_at, content) VALUES (?1, ?2, ?6, ?3, ?4, ?5)",
               [.integer(reader.integer()), .integer(Int64(reader.byte() % 4)), value(&reader), value(&reader), value(&reader),
                .integer(Int64(position))])
    }
    sqlite3_exec(database, "COMMIT;", nil, nil, nil)
}

private enum Field { case null, integer(Int64), real(Double), text([UInt8]), blob([UInt8]) }

private func value(_ reader: inout InputBytes) -> Field {
    switch reader.byte() % 8 {
    case 0: return .null
    case 1: return .integer(reader.integer())
    case 2: return .real(Double(reader.integer()) / 7)
    case 3: return .blob(reader.slice())
    default: return .text(reader.slice())
    }
}

/// Inserts a row; a constraint of the strict schema refusing it is fine (that row is not there).
private func insert(_ database: OpaquePointer, _ sql: String, _ fields: [Field]) {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else { fatalError("cannot prepare \(sql)") }
    defer { sqlite3_finalize(statement) }
    for (offset, field) in fields.enumerated() {
        let index = Int32(offset + 1)
        switch field {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .real(let number): sqlite3_bind_double(statement, index, number)
        case .text(let bytes): sqlite3_bind_text(statement, index, bytes.map { CChar(bitPattern: $0) } + [0], Int32(bytes.count), transient)
        case .blob(let bytes): sqlite3_bind_blob(statement, index, bytes, Int32(bytes.count), transient)
        }
    }
    _ = sqlite3_step(statement)
}

private func readArchive() {
    do {
        let archive = try CassArchive(path: databasePath)
        let counted = try archive.countMessages()
        var chunks = archive.messageChunks(of: 3)
        var read = 0
        var lastID = Int64.min
        while let chunk = try chunks.next() {
            for message in chunk {
                guard read == 0 || message.id > lastID else { fatalError("message ids out of order: \(message.id) after \(lastID)") }
                lastID = message.id
                read += 1
                let canonical = Canonicalizer.canonicalize(message.content)
                guard canonical.unicodeScalars.count <= 2_000 else { fatalError("canonical text over 2,000 scalars") }
                let identity = DocumentIdentity.documentID(of: message, canonicalText: canonical)
                guard (identity == nil) == (message.id < 0) else { fatalError("a document id for a negative id, or none for \(message.id)") }
                if let identity, !identity.hasPrefix("m|\(message.id)|0|") || identity.split(separator: "|", omittingEmptySubsequences: false).count != 9 {
                    fatalError("a malformed document id: \(identity)")
                }
            }
        }
        guard read == counted else { fatalError("read \(read) messages in chunks, counted \(counted)") }
    } catch {
        // Every failure of a typed-throws reader is an ArchiveError by construction.
    }
}
