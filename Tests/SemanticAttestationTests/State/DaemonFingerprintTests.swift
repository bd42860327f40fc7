// §5.5 and §5.6: the endpoint and executable fingerprints against the `socket_path.endpoint` and
// `worked_example` vectors, then on a real bind through SemanticRuntime's OwnerOnlySocket (shared
// parent → private runtime socket behind a symlink; private parent → direct bind), and the hash of
// the running test binary.
import Crypto
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticAttestation
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DaemonFingerprintTests {
    @Test func endpointVector() throws {
        let endpoint = try V2Vectors.object(V2Vectors.section("socket_path"), "endpoint")
        let normalized = try V2Vectors.string(endpoint, "normalised_path")
        let endpointString = SocketEndpointFingerprint.endpointString(forNormalizedPath: Array(normalized.utf8))
        #expect(endpointString == (try V2Vectors.string(endpoint, "endpoint_string")))
        #expect(hex(SocketEndpointFingerprint.preimage(ofEndpointString: endpointString))
                == (try V2Vectors.string(endpoint, "preimage_hex")))
        #expect(SocketEndpointFingerprint.fingerprint(ofEndpointString: endpointString)
                == (try V2Vectors.string(endpoint, "endpoint_fingerprint")))
    }

    @Test func workedExampleEndpointAndExecutable() throws {
        let example = try V2Vectors.section("worked_example")
        let realPath = try V2Vectors.string(example, "realpath_socket")
        let endpointString = SocketEndpointFingerprint.endpointString(forNormalizedPath: Array(realPath.utf8))
        #expect(endpointString == (try V2Vectors.string(example, "endpoint_string")))
        #expect(SocketEndpointFingerprint.fingerprint(ofEndpointString: endpointString)
                == "8d835c284a31ac9aa7ac5f5fd938620b578637161fa41efe9a15b12dfadce18b")
        #expect(SocketEndpointFingerprint.fingerprint(ofEndpointString: endpointString)
                == (try V2Vectors.string(example, "endpoint_fingerprint")))

        let identity = bytes(fromHex: try V2Vectors.string(example, "executable_identity_hex"))
        #expect(hex(ExecutableFileFingerprint.preimage(ofExecutableIdentity: identity))
                == (try V2Vectors.string(example, "executable_fingerprint_preimage_hex")))
        #expect(ExecutableFileFingerprint.fingerprint(ofExecutableIdentity: identity)
                == (try V2Vectors.string(example, "executable_fingerprint")))
    }

    @Test func executableIdentityIsTheFilesSHA256() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-exe")
        defer { scratch.remove() }
        let file = scratch.path("example-daemon").path
        try Data("example-daemon-binary".utf8).write(to: URL(fileURLWithPath: file))
        let identity = try ExecutableFileFingerprint.identity(ofFileAt: file)
        let example = try V2Vectors.section("worked_example")
        #expect(hex(identity) == (try V2Vectors.string(example, "executable_identity_hex")))
        #expect(ExecutableFileFingerprint.fingerprint(ofExecutableIdentity: identity)
                == "ed92e3c5a3a601be218ed416e1db2a1abc0d614184ff6267f209ddb54920635a")

        // A file larger than one read chunk hashes like the library's one-shot SHA-256.
        let large = (0..<(600 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let largeFile = scratch.path("large").path
        try Data(large).write(to: URL(fileURLWithPath: largeFile))
        #expect(try ExecutableFileFingerprint.identity(ofFileAt: largeFile) == Array(SHA256.hash(data: large)))
    }

    @Test func executableIsOpenedWithoutFollowingLinks() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-exe")
        defer { scratch.remove() }
        let file = scratch.path("daemon").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let link = scratch.path("daemon-link").path
        #expect(symlink(file, link) == 0)
        #expect(throws: AttestationStateError.system(operation: "open", path: link, errno: ELOOP)) {
            try ExecutableFileFingerprint.identity(ofFileAt: link)
        }
        let error = try #require(throws: AttestationStateError.self) {
            try ExecutableFileFingerprint.identity(ofFileAt: scratch.url.path)
        }
        #expect(error == .executableIsNotARegularFile(path: scratch.url.path, found: "a directory"))
        #expect(error.description.contains("not a regular file"))
    }

    @Test func runningExecutableIsTheTestBinary() throws {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let contents = try Data(contentsOf: URL(fileURLWithPath: path))
        let expected = ExecutableFileFingerprint.fingerprint(ofExecutableIdentity: Array(SHA256.hash(data: contents)))
        let fingerprint = try ExecutableFileFingerprint.ofRunningExecutable()
        #expect(fingerprint == expected)
        #expect(fingerprint.count == 64 && fingerprint.allSatisfy { "0123456789abcdef".contains($0) })
    }

    // MARK: after a real bind

    /// A shared parent (0755, as /tmp is shared): OwnerOnlySocket binds `<parent>/.<name>.runtime/daemon.sock`
    /// and publishes a symlink; the fingerprint of the public path is that of the private socket's realpath.
    @Test func sharedParentFingerprintsThePrivateRuntimeSocket() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-bind")
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o755)
        let environment = CassDaemonEnvironment(variables: ["USER": "alice", "TMPDIR": scratch.url.path],
                                                currentDirectory: "/")
        let paths = CassSocketPaths.resolve(dataDirectory: scratch.path("data").path, environment: environment)
        #expect(paths.origin == .dataDirectory)
        #expect(paths.socket.hasPrefix(scratch.url.path + "/cass-semantic-daemon-"))

        let bound = try OwnerOnlySocket.bind(paths.daemonPaths)
        defer { OwnerOnlySocket.cleanUp(bound); close(bound.descriptor) }
        #expect(bound.bindPath == paths.privateBindPath)
        #expect(bound.publicPath == paths.socket)
        var status = stat()
        #expect(lstat(paths.privateBindPath, &status) == 0 && (status.st_mode & 0o777) == 0o600)
        #expect(lstat(paths.daemonPaths.runtimeDirectory, &status) == 0 && (status.st_mode & 0o777) == 0o700)

        let realPrivate = PathIdentity.normalize(paths.privateBindPath, currentDirectory: "/")
        let expected = SocketEndpointFingerprint.fingerprint(
            ofEndpointString: SocketEndpointFingerprint.endpointString(forNormalizedPath: Array(realPrivate.utf8)))
        #expect(SocketEndpointFingerprint.fingerprint(ofSocketPath: paths.socket, currentDirectory: "/") == expected)
        // A client configured with a relative spelling of the same path agrees.
        let relative = String(paths.socket.dropFirst(scratch.url.path.count + 1))
        #expect(SocketEndpointFingerprint.fingerprint(ofSocketPath: relative, currentDirectory: scratch.url.path) == expected)
        // Before the bind the public path would have fingerprinted itself: the order matters.
        #expect(SocketEndpointFingerprint.fingerprint(ofSocketPath: paths.socket + ".unbound", currentDirectory: "/")
                != expected)
    }

    /// An owner-only parent: the socket is bound at the public path and fingerprinted there.
    @Test func privateParentFingerprintsThePublicPath() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-bind")
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o700)
        let environment = CassDaemonEnvironment(variables: ["TMPDIR": scratch.url.path], currentDirectory: "/")
        let paths = CassSocketPaths.resolve(dataDirectory: "/srv/data", environment: environment)
        let bound = try OwnerOnlySocket.bind(paths.daemonPaths)
        defer { OwnerOnlySocket.cleanUp(bound); close(bound.descriptor) }
        #expect(bound.bindPath == paths.socket)
        let normalized = PathIdentity.normalize(paths.socket, currentDirectory: "/")
        #expect(SocketEndpointFingerprint.fingerprint(ofSocketPath: paths.socket, currentDirectory: "/")
                == SocketEndpointFingerprint.fingerprint(
                    ofEndpointString: SocketEndpointFingerprint.endpointString(forNormalizedPath: Array(normalized.utf8))))
    }

    /// What a cass daemon leaves behind after a crash (its socket and the symlink to it) is replaced;
    /// a regular file at the public path is refused, as §8 requires.
    @Test func staleEntriesAreReplacedAndOtherFilesRefused() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-bind")
        defer { scratch.remove() }
        chmod(scratch.url.path, 0o755)
        let environment = CassDaemonEnvironment(variables: ["TMPDIR": scratch.url.path], currentDirectory: "/")
        let paths = CassSocketPaths.resolve(dataDirectory: "/srv/data", environment: environment)
        let first = try OwnerOnlySocket.bind(paths.daemonPaths)
        close(first.descriptor)  // a crashed daemon: its socket and symlink stay behind
        let second = try OwnerOnlySocket.bind(paths.daemonPaths)
        #expect(second.bindPath == paths.privateBindPath)
        OwnerOnlySocket.cleanUp(second)
        close(second.descriptor)

        try Data("not a socket".utf8).write(to: URL(fileURLWithPath: paths.socket))
        #expect(throws: RuntimeError.self) { try OwnerOnlySocket.bind(paths.daemonPaths) }
        #expect(FileManager.default.contents(atPath: paths.socket) == Data("not a socket".utf8))
    }
}
