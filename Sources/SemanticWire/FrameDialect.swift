// FrameDialect: which protocol, and for cass which version, a frame body speaks — cass v1, cass v2
// or xf. WireDialect tells cass from xf by the envelope's shape; cass v1 and v2 share that shape and
// differ only in the envelope's version field, which this reads. Headers only: it never decodes a
// payload, and never decides what the daemon answers.

/// A protocol a frame body speaks, with cass's version.
public enum FrameDialect: String, Sendable, Equatable, CaseIterable {
    /// The cass semantic-daemon protocol v1: `[1, request_id: str, payload]`.
    case cassV1 = "cass-v1"
    /// The cass semantic-daemon protocol v2 ("attested"): `[2, request_id: str, payload]`.
    case cassV2 = "cass-v2"
    /// The xf daemon dialect: `[version: u8, id: u64, payload: [byte values]]`.
    case xf

    /// The dialect family, cass or xf.
    public var wireDialect: WireDialect {
        switch self {
        case .cassV1, .cassV2: return .cass
        case .xf: return .xf
        }
    }

    /// The dialect of a frame body (without its length prefix), or nil when it is neither cass's nor
    /// xf's envelope (see `WireDialect.detect`). A cass envelope whose version is 1 is `cassV1`; any
    /// other version, or a version that cannot be read, is `cassV2`: v2 is the newest cass version
    /// and answers such a frame with its VersionMismatch or decode-error reply.
    public static func detect(frameBody body: [UInt8]) -> FrameDialect? {
        switch WireDialect.detect(frameBody: body) {
        case .xf: return .xf
        case .cass: return cassVersion(body) == 1 ? .cassV1 : .cassV2
        case nil: return nil
        }
    }

    /// The envelope's version: the first element of the array form, the `version` entry of the map
    /// form; nil when there is none or it is not an unsigned integer.
    private static func cassVersion(_ body: [UInt8]) -> UInt64? {
        var reader = MessagePackReader(body)
        switch try? reader.readHeader() {
        case .array(let count) where count > 0:
            return try? reader.readUnsigned()
        case .map(let count):
            for _ in 0..<count {
                guard let key = try? reader.readString() else { return nil }
                if key == "version" { return try? reader.readUnsigned() }
                guard (try? reader.skipValue()) != nil else { return nil }
            }
            return nil
        default:
            return nil
        }
    }
}
