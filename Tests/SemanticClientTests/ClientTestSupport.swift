// Test daemons for the client: the real daemon serving the tiny golden models in this process (the
// shared harness, RunningDaemon), and a scripted fake that answers (or hangs up on) each request as a
// test says, to provoke failures.
// Blocking client calls run off the concurrency pool (`offPool`), which in-process daemons need to
// answer, and return what they saw: expectations are checked back in the test's task.
import Foundation
import Logging
import SemanticClient
import SemanticCore
import SemanticDaemon
import SemanticRuntime
import SemanticService
import SemanticTestSupport
import SemanticWire
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A client configuration for `socket` with the tiny models, no spawning and no retry delays to speak of.
func tinyConfiguration(socket: String, policy: ServingPolicy = .daemonThenInProcess) -> ClientConfiguration {
    RunningDaemon.clientConfiguration(socket: socket, policy: policy)
}

/// Runs `body` with the real daemon serving the tiny models on one engine thread, in this process
/// (the shared harness: started, waited for, and stopped whatever happens).
func withTinyDaemon<T>(_ body: (RunningDaemon) async throws -> T) async throws -> T {
    try await RunningDaemon.with(configure: { $0.threads = 1 }, body)
}

/// A fake daemon: accepts connections on a real socket and lets `script` decide, per request, what to
/// do. Serves one connection at a time on a thread of its own.
final class FakeDaemon: @unchecked Sendable {
    enum Action: Sendable {
        case answer(Response)
        /// Close the connection without answering (a daemon dying mid-request).
        case hangUp
        /// Answer, then close the connection (a daemon closing an idle connection).
        case answerThenClose(Response)
    }

    let scratch: TemporaryDirectory
    let bound: BoundSocket
    private let script: @Sendable (Request, Int) -> Action
    private let state = Mutex<(requests: [String], connections: Int, open: Int32)>(([], 0, -1))
    private let done = DispatchSemaphore(value: 0)
    /// Signalled each time the fake has closed a client's connection.
    private let closedOne = DispatchSemaphore(value: 0)

    var socket: String { bound.publicPath }
    var requestIDs: [String] { state.withLock { $0.requests } }
    var connections: Int { state.withLock { $0.connections } }

    init(script: @escaping @Sendable (Request, Int) -> Action) throws {
        scratch = try TemporaryDirectory(prefix: "semd-fake")
        bound = try OwnerOnlySocket.bind(DaemonPaths(socket: scratch.path("f.sock").path))
        self.script = script
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        defer { done.signal() }
        while true {
            let client = accept(bound.descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            state.withLock {
                $0.connections += 1
                $0.open = client
            }
            handle(client)
            state.withLock {
                $0.open = -1
                close(client)
            }
            closedOne.signal()
        }
    }

    private func handle(_ client: Int32) {
        while true {
            guard let header = read(client, count: 4), let length = try? Frame.bodyLength(header: header),
                  let body = read(client, count: length),
                  let envelope = try? RequestEnvelope.decode(from: body) else { return }
            let number = state.withLock { state -> Int in
                state.requests.append(envelope.requestID)
                return state.requests.count
            }
            switch script(envelope.request, number) {
            case .hangUp:
                return
            case .answer(let response):
                guard write(client, ResponseEnvelope(requestID: envelope.requestID, response: response)) else { return }
            case .answerThenClose(let response):
                _ = write(client, ResponseEnvelope(requestID: envelope.requestID, response: response))
                return
            }
        }
    }

    private func read(_ descriptor: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + offset, count - offset, 0) }
            if received <= 0 { return nil }
            offset += received
        }
        return buffer
    }

    private func write(_ descriptor: Int32, _ envelope: ResponseEnvelope) -> Bool {
        guard let frame = try? envelope.encodedFrame() else { return false }
        return frame.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == frame.count
    }

    /// Waits until the fake has closed one more client connection; false after `timeout`.
    func waitForAClosedConnection(within timeout: Duration) -> Bool {
        closedOne.wait(timeout: .now() + timeout.timeInterval) == .success
    }

    func stop() {
        // Wake the server thread wherever it waits: in accept, or reading a client that is still open.
        state.withLock { if $0.open >= 0 { shutdown($0.open, Int32(SHUT_RDWR)) } }
        shutdown(bound.descriptor, Int32(SHUT_RDWR))
        close(bound.descriptor)
        _ = done.wait(timeout: .now() + 5)
        OwnerOnlySocket.cleanUp(bound)
        scratch.remove()
    }
}
