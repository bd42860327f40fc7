// DocumentIdentity: the document id of one message, exactly as the reference implementation forms it:
// `m|{message_id}|0|{agent_id}|{workspace_id}|{crc32(source_id)}|{role}|{created_at_ms}|{sha256(canonical)}`.
// Index files from both implementations are interchangeable only while this string is identical.
// Pure: never touches the database or a file.
import Crypto

public enum DocumentIdentity {
    /// The source every message without one belongs to.
    public static let localSource = "local"

    /// The document id of `message` whose canonical text is `canonicalText`; nil when the message
    /// has a negative id (such rows are skipped, and counted as done).
    public static func documentID(of message: CassMessage, canonicalText: String) -> String? {
        guard message.id >= 0 else { return nil }
        let source = CRC32.checksum((message.sourceID ?? localSource).utf8)
        return "m|\(message.id)|0|\(clampedToUInt32(message.agentID))|\(clampedToUInt32(message.workspaceID ?? 0))"
            + "|\(source)|\(roleCode(message.role))|\(message.createdAt ?? 0)|\(contentHash(of: canonicalText))"
    }

    /// user 0, assistant or agent 1, system 2, tool 3, anything else 0 (exact, case-sensitive).
    public static func roleCode(_ role: String) -> Int {
        switch role {
        case "assistant", "agent": return 1
        case "system": return 2
        case "tool": return 3
        default: return 0
        }
    }

    /// Negative values become 0 and values above 2^32-1 become 2^32-1.
    public static func clampedToUInt32(_ value: Int64) -> UInt32 {
        UInt32(clamping: value)
    }

    /// SHA-256 of the canonical text's UTF-8 bytes as 64 lowercase hex digits.
    public static func contentHash(of canonicalText: String) -> String {
        let digest = SHA256.hash(data: Array(canonicalText.utf8))
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
