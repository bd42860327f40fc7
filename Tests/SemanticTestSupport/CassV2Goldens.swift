// cass protocol v2 goldens: Tests/Fixtures/wire/v2-frames.json, written by the real Rust encoder —
// the spec's §9.1 frames, one frame per request and response variant, and decoder accept/reject
// vectors. Only loads; it never interprets MessagePack (that is what the tests check).
import Foundation

/// One decoder vector: a whole frame (length prefix included) and what a v2 decoder must do with it.
public struct CassV2DecoderVector: Sendable, CustomStringConvertible {
    public let name: String
    /// `accept, same value as <frame name>` or `reject: <error text>`, as the file words it.
    public let expectation: String
    public let bytes: [UInt8]

    /// The frame without its 4-byte length prefix.
    public var body: [UInt8] { Array(bytes.dropFirst(4)) }
    /// True when the vector must decode.
    public var mustBeAccepted: Bool { expectation.hasPrefix("accept") }
    /// For a rejection, the error text after `reject: ` up to any parenthesised remark.
    public var rejectionText: String? {
        guard expectation.hasPrefix("reject: ") else { return nil }
        let text = expectation.dropFirst("reject: ".count)
        return String(text.split(separator: "(", maxSplits: 1).first ?? text).trimmingCharacters(in: .whitespaces)
    }

    /// For an acceptance, the name of the frame whose value it must decode to (`… same value as X`).
    public var sameValueAs: String? {
        guard mustBeAccepted, let range = expectation.range(of: "same value as ") else { return nil }
        return String(expectation[range.upperBound...])
    }

    public var description: String { name }
}

public enum CassV2Goldens {
    /// The file under Tests/Fixtures/wire.
    public static let fileName = "v2-frames.json"

    private struct File: Decodable {
        struct Frame: Decodable {
            let name: String
            let kind: String
            let note: String?
            let hex: String
            let value: JSONValue
        }
        struct Vector: Decodable {
            let name: String
            let expect: String
            let hex: String
        }
        let section_9_1_frames: [Frame]
        let frames: [Frame]
        let decoder_vectors: [Vector]
    }

    private static func file() throws -> File {
        try JSONDecoder().decode(File.self, from: Fixtures.data("wire/" + fileName))
    }

    private static func frames(_ entries: [File.Frame]) throws -> [WireFrame] {
        try entries.map { entry in
            guard let bytes = WireFrames.bytes(fromHex: entry.hex) else {
                throw FixtureError.malformed("\(fileName): frame \(entry.name) has invalid hex")
            }
            return WireFrame(name: entry.name, kind: entry.kind, note: entry.note ?? "", bytes: bytes, value: entry.value,
                             envelopeID: nil, payload: nil)
        }
    }

    /// The spec's §9.1 frames (requests and responses of the worked example).
    public static func section91Frames() throws -> [WireFrame] {
        try frames(file().section_9_1_frames)
    }

    /// One frame per request and per response variant, and the error replies.
    public static func frames() throws -> [WireFrame] {
        try frames(file().frames)
    }

    /// The decoder's accept/reject vectors.
    public static func decoderVectors() throws -> [CassV2DecoderVector] {
        try file().decoder_vectors.map { entry in
            guard let bytes = WireFrames.bytes(fromHex: entry.hex) else {
                throw FixtureError.malformed("\(fileName): decoder vector \(entry.name) has invalid hex")
            }
            return CassV2DecoderVector(name: entry.name, expectation: entry.expect, bytes: bytes)
        }
    }
}
