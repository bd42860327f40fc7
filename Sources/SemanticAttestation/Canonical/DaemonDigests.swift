// DaemonDigests: the SHA-256 digests of cass protocol v2 taken over plain inputs rather than contract
// values (spec §4.1, §4.2, §5.3): endpoint and executable fingerprints, the ordered request digest,
// the vector payload digest, and the golden corpus and golden vectors digests of a producer's
// certificate. Pure functions of their inputs; they never validate what they are given (callers
// check shapes first) and never look at the wire types' other fields.
import Crypto

public enum DaemonDigests {
    /// `SHA256("frankensearch.daemon-endpoint.v1" ‖ T(endpoint))`, e.g. for
    /// `uds-unix-hex:<hex of the socket's realpath>` (§5.5).
    public static func endpointFingerprint(endpoint: String) -> String {
        var encoder = CanonicalEncoder(rawDomain: "frankensearch.daemon-endpoint.v1")
        encoder.appendText(endpoint)
        return encoder.sha256Hex
    }

    /// `SHA256("frankensearch.daemon-executable.v1" ‖ LP(identity))`, where the identity is the
    /// 32-byte SHA-256 of the daemon's own executable file (§5.6).
    public static func executableFingerprint(identity: [UInt8]) -> String {
        var encoder = CanonicalEncoder(rawDomain: "frankensearch.daemon-executable.v1")
        encoder.appendLengthPrefixed(identity)
        return encoder.sha256Hex
    }

    /// `SHA256("frankensearch.daemon-request.v1" ‖ u8(operation tag) ‖ u64be(n) ‖ T(input₁) ‖ … ‖ T(inputₙ))`:
    /// the exact ordered inputs of a request (§5.2: none for handshake and health, the texts of an
    /// embedding, the query then the documents of a rerank), hashed as sent, without normalisation.
    public static func orderedRequestSHA256(operationTag: UInt8, inputs: [String]) -> String {
        var encoder = CanonicalEncoder(rawDomain: "frankensearch.daemon-request.v1")
        encoder.appendByte(operationTag)
        encoder.appendCount(inputs.count)
        for input in inputs { encoder.appendText(input) }
        return encoder.sha256Hex
    }

    /// `SHA256("frankensearch.daemon-vector-payload.v1" ‖ u64be(rows) ‖ per row: u64be(len) ‖ u32be(f32 bits)…)`:
    /// order, shape and exact bits of the vectors (so -0.0 and 0.0 differ). Streamed: a 1,024 × 384
    /// batch is hashed without building its 1.5 MiB preimage.
    public static func vectorPayloadSHA256(_ vectors: [[Float]]) -> String {
        var hasher = SHA256()
        var header = CanonicalEncoder(rawDomain: "frankensearch.daemon-vector-payload.v1")
        header.appendCount(vectors.count)
        hasher.update(header.bytes)
        var row: [UInt8] = []
        for vector in vectors {
            row.removeAll(keepingCapacity: true)
            row.reserveCapacity(8 + vector.count * 4)
            appendBigEndian(UInt64(vector.count), to: &row)
            for value in vector { appendBigEndian(value.bitPattern, to: &row) }
            hasher.update(row)
        }
        return Hexadecimal.lowercase(hasher.finalize())
    }

    /// `SHA256(LP("frankensearch.golden-corpus.v1") ‖ u64be(n) ‖ T(text₁) … T(textₙ))` (§4.2).
    public static func goldenCorpusSHA256(texts: [String]) -> String {
        var encoder = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.golden-corpus.v1")
        encoder.appendCount(texts.count)
        for text in texts { encoder.appendText(text) }
        return encoder.sha256Hex
    }

    /// `SHA256(LP("frankensearch.golden-f32-vectors.v1") ‖ u32be(n) ‖ u32be(dim) ‖ every value as u32be(f32 bits))`,
    /// row-major (§4.2). Throws when the vectors are empty, of zero length or of different lengths:
    /// such a set has no dimension to certify.
    public static func goldenVectorsSHA256(_ vectors: [[Float]]) throws(GoldenVectorsShapeError) -> String {
        guard let dimension = vectors.first?.count, dimension > 0 else { throw GoldenVectorsShapeError.empty }
        if let ragged = vectors.firstIndex(where: { $0.count != dimension }) {
            throw GoldenVectorsShapeError.unequalLengths(row: ragged, length: vectors[ragged].count, expected: dimension)
        }
        guard let count = UInt32(exactly: vectors.count), let width = UInt32(exactly: dimension) else {
            throw GoldenVectorsShapeError.tooLarge
        }
        var hasher = SHA256()
        var header = CanonicalEncoder(lengthPrefixedDomain: "frankensearch.golden-f32-vectors.v1")
        header.appendUInt32(count)
        header.appendUInt32(width)
        hasher.update(header.bytes)
        var row: [UInt8] = []
        for vector in vectors {
            row.removeAll(keepingCapacity: true)
            for value in vector { appendBigEndian(value.bitPattern, to: &row) }
            hasher.update(row)
        }
        return Hexadecimal.lowercase(hasher.finalize())
    }

    private static func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Why a set of golden vectors has no certificate digest.
public enum GoldenVectorsShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No vectors, or vectors of length zero.
    case empty
    /// A row whose length differs from the first row's.
    case unequalLengths(row: Int, length: Int, expected: Int)
    /// More rows or a longer row than a u32 can count.
    case tooLarge

    public var description: String {
        switch self {
        case .empty:
            return "golden vectors: expected at least one vector of non-zero length"
        case .unequalLengths(let row, let length, let expected):
            return "golden vectors: row \(row) has \(length) values, expected \(expected) like the first row"
        case .tooLarge:
            return "golden vectors: the vector count or length does not fit a u32"
        }
    }
}

extension SHA256 {
    fileprivate mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }
}
