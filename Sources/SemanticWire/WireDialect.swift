// WireDialect: which of the two daemon protocols a frame body speaks. Both frame alike (4-byte
// big-endian length, rmp_serde MessagePack); the envelope's second element tells them apart: cass's
// `request_id` is a string, xf's `id` an integer. Looks at headers only; never decodes the payload.

/// A daemon protocol semd answers.
public enum WireDialect: String, Sendable, Equatable, CaseIterable {
    /// The cass semantic-daemon protocol v1: `[version, request_id: str, payload]`.
    case cass
    /// The xf daemon dialect: `[version: u8, id: u64, payload: [byte values]]`.
    case xf

    /// The dialect of a frame body (without its length prefix), or nil when it is neither: not an
    /// envelope, or an envelope whose second element is neither a string nor an integer. Map-form
    /// envelopes are told apart by their keys (`request_id` or `id`).
    public static func detect(frameBody body: [UInt8]) -> WireDialect? {
        var reader = MessagePackReader(body)
        guard let header = try? reader.readHeader() else { return nil }
        switch header {
        case .array(let count):
            guard count == 3, (try? reader.skipValue()) != nil, let second = try? reader.peekHeader() else { return nil }
            switch second {
            case .string, .binary: return .cass
            case .unsigned, .signed: return .xf
            default: return nil
            }
        case .map(let count):
            for _ in 0..<count {
                guard let key = try? reader.readString() else { return nil }
                if key == "request_id" { return .cass }
                if key == "id" { return .xf }
                guard (try? reader.skipValue()) != nil else { return nil }
            }
            return nil
        default:
            return nil
        }
    }
}
