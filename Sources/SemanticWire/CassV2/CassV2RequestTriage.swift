// CassV2RequestTriage: what a cass v2 daemon does with a request frame before running anything
// (v2 spec §2, §2.2) — close on an empty or oversized frame, answer a frame that does not decode
// (request id "error"), answer a version other than 2 (the id echoed), or dispatch. The replies are
// values the server sends as they are. It must never run a request or look past the envelope.

extension CassV2Envelope where Payload == CassV2Response {
    /// The request id of the reply to a frame that could not be decoded.
    public static var undecodableRequestID: String { "error" }

    /// The reply to a request frame that could not be decoded: request id `"error"`, `InvalidInput`,
    /// `"decode error: " + error` (so `"decode error: decode error: invalid daemon message structure"`),
    /// not retryable, no retry delay.
    public static func replyingToUndecodableRequest(_ error: CassV2DecodingError) -> CassV2ResponseEnvelope {
        CassV2ResponseEnvelope(requestID: undecodableRequestID, response: .error(ErrorResponse(
            code: .invalidInput, message: "decode error: \(error)", retryable: false)))
    }

    /// The reply to a request whose envelope carries another version: its request id echoed,
    /// `VersionMismatch`, `"protocol version mismatch: expected 2, got N"`, not retryable.
    public static func replyingToVersionMismatch(requestID: String, receivedVersion: UInt32) -> CassV2ResponseEnvelope {
        CassV2ResponseEnvelope(requestID: requestID, response: .error(ErrorResponse(
            code: .versionMismatch,
            message: "protocol version mismatch: expected \(CassV2.protocolVersion), got \(receivedVersion)",
            retryable: false)))
    }
}

/// The fate of one request frame body under cass v2's rules, decided before anything runs.
public enum CassV2RequestTriage: Sendable, Equatable {
    /// A version-2 request: run it and answer with its request id.
    case dispatch(CassV2RequestEnvelope)
    /// Send this reply and run nothing (a decode failure or a version mismatch); the connection stays open.
    case reply(CassV2ResponseEnvelope)
    /// An empty or oversized frame: close the connection without a reply.
    case closeWithoutReply(CassV2DecodingError)

    /// Decodes `body` (a frame without its length prefix) strictly, then checks the version.
    public init(frameBody body: [UInt8]) {
        let envelope: CassV2RequestEnvelope
        do {
            envelope = try CassV2RequestEnvelope.decode(frameBody: body)
        } catch where error.reason == .emptyOrOversizedFrame {
            self = .closeWithoutReply(error)
            return
        } catch {
            self = .reply(.replyingToUndecodableRequest(error))
            return
        }
        guard envelope.version == CassV2.protocolVersion else {
            self = .reply(.replyingToVersionMismatch(requestID: envelope.requestID, receivedVersion: envelope.version))
            return
        }
        self = .dispatch(envelope)
    }
}
