// A blocking xf-dialect client for tests, as xf's own client talks: one frame out, one frame back,
// over a real Unix socket. Also reads a reply without assuming its dialect, for detection tests.
// Every call blocks: run it on a thread of its own (offPool, runOnThreads), never on the pool.
import Foundation
import SemanticRuntime
import SemanticWire

final class XFTestClient: @unchecked Sendable {
    let connection: UnixSocketConnection
    let path: String
    private var nextID: UInt64 = 1

    init(socketPath: String) throws {
        path = socketPath
        connection = try UnixSocketConnection.connect(to: socketPath, timeout: .seconds(5))
    }

    /// Sends `request` with the next id (1, 2, …) and returns the answer's id and response.
    func send(_ request: XFRequest, timeout: Duration = .seconds(120)) throws -> (id: UInt64, response: XFResponse) {
        let id = nextID
        nextID += 1
        let envelope = try sendRaw(try XFEnvelope(id: id, request: request).encodedFrame(), timeout: timeout)
        return (envelope.id, try envelope.response())
    }

    /// Sends whole frame bytes and decodes the answer as an xf envelope.
    func sendRaw(_ frame: [UInt8], timeout: Duration = .seconds(120)) throws -> XFEnvelope {
        try XFEnvelope.decode(from: try sendRawForBody(frame, timeout: timeout))
    }

    /// Sends whole frame bytes and returns the answer's body, whatever its dialect.
    func sendRawForBody(_ frame: [UInt8], timeout: Duration = .seconds(120)) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        try connection.send(frame, deadline: deadline)
        return try receiveBody(deadline: deadline)
    }

    func receiveBody(deadline: ContinuousClock.Instant) throws -> [UInt8] {
        let header = try connection.receive(exactly: 4, deadline: deadline)
        return try connection.receive(exactly: try Frame.bodyLength(header: header), deadline: deadline)
    }

    func close() { connection.close() }
}

/// One xf request on a connection of its own, as xf's client sends it.
func xfRequest(_ request: XFRequest, socket: String, timeout: Duration = .seconds(120)) throws -> XFResponse {
    let client = try XFTestClient(socketPath: socket)
    defer { client.close() }
    let answer = try client.send(request, timeout: timeout)
    guard answer.id == 1 else { throw XFTestError.wrongID(answer.id) }
    return answer.response
}

enum XFTestError: Error {
    case wrongID(UInt64)
    case unexpected(String)
}
