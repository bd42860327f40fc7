// §8's socket path as a function of an environment value: the `socket_path` vectors of
// v2-frames.json (the alice example with and without USER, every candidate choice, the companion
// files, the private runtime bind path), the resolution order, the temp_dir rule, and §5.5's
// path normalisation on a real file system.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
@testable import SemanticAttestation
#if canImport(Glibc)
import Glibc
#endif

@Suite struct CassSocketPathTests {
    private static let aliceDataDirectory = "/home/alice/.local/share/coding-agent-search"

    @Test func aliceExampleHashesToItsName() throws {
        let example = try V2Vectors.object(V2Vectors.section("socket_path"), "example")
        let dataDirectory = try V2Vectors.string(example, "data_dir")
        #expect(dataDirectory == Self.aliceDataDirectory)
        let preimage = CassSocketPaths.socketNamePreimage(user: "alice", normalizedDataDirectory: Array(dataDirectory.utf8))
        #expect(hex(preimage) == (try V2Vectors.string(example, "preimage_hex")))
        #expect(Hexadecimal.sha256(preimage) == (try V2Vectors.string(example, "sha256")))

        // Through the whole resolution (the path does not exist here, so it normalises to itself
        // as long as /home is not a symlink).
        let environment = CassDaemonEnvironment(variables: ["USER": "alice"], currentDirectory: "/")
        let name = try V2Vectors.string(example, "name")
        #expect(CassSocketPaths.socketFileName(dataDirectory: dataDirectory, environment: environment) == name)
        #expect(name == "cass-semantic-daemon-1889822ed3bc7035c87073d3.sock")
        let paths = CassSocketPaths.resolve(dataDirectory: dataDirectory, environment: environment)
        #expect(paths == CassSocketPaths(socket: try V2Vectors.string(example, "path_with_tmp"), origin: .dataDirectory))
    }

    @Test func aliceExampleWithoutUser() throws {
        let example = try V2Vectors.object(V2Vectors.section("socket_path"), "example_user_unset")
        #expect(example["USER"] is NSNull)
        let dataDirectory = try V2Vectors.string(example, "data_dir")
        let preimage = CassSocketPaths.socketNamePreimage(user: nil, normalizedDataDirectory: Array(dataDirectory.utf8))
        #expect(hex(preimage) == (try V2Vectors.string(example, "preimage_hex")))
        let environment = CassDaemonEnvironment(variables: [:], currentDirectory: "/")
        #expect(CassSocketPaths.socketFileName(dataDirectory: dataDirectory, environment: environment)
                == (try V2Vectors.string(example, "name")))
    }

    @Test func everyCandidateChoiceVector() throws {
        let vectors = try V2Vectors.objects(V2Vectors.section("socket_path"), "candidate_choice")
        #expect(vectors.count == 4)
        for vector in vectors {
            let candidates = vector["candidates"] as! [String]
            let length = vector["file_name_len"] as! Int
            #expect(CassSocketPaths.chooseDirectory(candidates: candidates, fileNameLength: length)
                    == (try V2Vectors.string(vector, "chosen")), "\(vector)")
        }
    }

    @Test func companionsAndThePrivateBindPath() throws {
        let section = try V2Vectors.section("socket_path")
        let example = try V2Vectors.object(section, "example")
        let companions = try V2Vectors.object(section, "companions")
        let paths = CassSocketPaths(socket: try V2Vectors.string(example, "path_with_tmp"), origin: .dataDirectory)
        #expect(paths.runLock == (try V2Vectors.string(companions, "run_lock")))
        #expect(paths.spawnGuard == (try V2Vectors.string(companions, "spawn_guard")))
        #expect(paths.privateBindPath == (try V2Vectors.string(section, "private_runtime_bind_path")))
        #expect(paths.daemonPaths.runtimeDirectory
                == "/tmp/.cass-semantic-daemon-1889822ed3bc7035c87073d3.sock.runtime")
    }

    @Test func candidateDirectoriesFollowTheEnvironment() {
        func candidates(_ variables: [String: String]) -> [String] {
            CassSocketPaths.candidateDirectories(CassDaemonEnvironment(variables: variables, currentDirectory: "/"))
        }
        #expect(candidates([:]) == ["/tmp", "/tmp"])
        #expect(candidates(["TMPDIR": "/var/tmp", "XDG_RUNTIME_DIR": "/run/user/1000"])
                == ["/var/tmp", "/run/user/1000", "/tmp"])
        #expect(candidates(["XDG_RUNTIME_DIR": " \t"]) == ["/tmp", "/tmp"], "a blank XDG_RUNTIME_DIR is skipped")
        #expect(candidates(["XDG_RUNTIME_DIR": ""]) == ["/tmp", "/tmp"])
        // Rust's temp_dir takes TMPDIR as it is, even empty.
        #expect(candidates(["TMPDIR": ""]) == ["", "/tmp"])
    }

    @Test func aLongTemporaryDirectoryGivesWayToTheRuntimeDirectory() {
        let longDirectory = "/" + String(repeating: "t", count: 60)
        let environment = CassDaemonEnvironment(
            variables: ["USER": "alice", "TMPDIR": longDirectory, "XDG_RUNTIME_DIR": "/run/user/1000"],
            currentDirectory: "/")
        let paths = CassSocketPaths.resolve(dataDirectory: Self.aliceDataDirectory, environment: environment)
        #expect(paths.socket == "/run/user/1000/cass-semantic-daemon-1889822ed3bc7035c87073d3.sock")
        let withTrailingSlash = CassDaemonEnvironment(variables: ["USER": "alice", "TMPDIR": "/var/tmp/"],
                                                      currentDirectory: "/")
        #expect(CassSocketPaths.resolve(dataDirectory: Self.aliceDataDirectory, environment: withTrailingSlash).socket
                == "/var/tmp/cass-semantic-daemon-1889822ed3bc7035c87073d3.sock")
    }

    @Test func resolutionOrder() {
        let environment = CassDaemonEnvironment(variables: ["USER": "alice", "CASS_DAEMON_SOCKET": "/run/env.sock"],
                                                currentDirectory: "/")
        #expect(CassSocketPaths.resolve(explicitSocket: "/flag.sock", dataDirectory: Self.aliceDataDirectory,
                                        environment: environment)
                == CassSocketPaths(socket: "/run/env.sock", origin: .environmentOverride))
        var withoutOverride = environment
        withoutOverride.variables["CASS_DAEMON_SOCKET"] = ""
        #expect(CassSocketPaths.resolve(explicitSocket: "/flag.sock", dataDirectory: Self.aliceDataDirectory,
                                        environment: withoutOverride)
                == CassSocketPaths(socket: "/flag.sock", origin: .explicitSocket))
        #expect(CassSocketPaths.resolve(dataDirectory: Self.aliceDataDirectory, environment: withoutOverride).origin
                == .dataDirectory)
        #expect(CassSocketPaths.resolve(dataDirectory: nil, environment: withoutOverride)
                == CassSocketPaths(socket: "/tmp/cass-semantic-daemon-alice.sock", origin: .legacyUserDefault))
    }

    @Test func legacyUserKeepsOnlyASCIILettersDigitsDashAndUnderscore() {
        #expect(CassSocketPaths.legacySanitizedUser("alice") == "alice")
        #expect(CassSocketPaths.legacySanitizedUser("../bad user!") == "baduser")
        #expect(CassSocketPaths.legacySanitizedUser("jürgen_2-b") == "jrgen_2-b")
        #expect(CassSocketPaths.legacySanitizedUser("²") == "unknown")
        #expect(CassSocketPaths.legacySanitizedUser(nil) == "unknown")
        #expect(CassSocketPaths.legacySanitizedUser(String(repeating: "a", count: 80)) == String(repeating: "a", count: 64))
    }

    @Test func anEmptyUserHashesLikeAnAbsentOne() {
        #expect(CassSocketPaths.socketNamePreimage(user: "", normalizedDataDirectory: Array("/d".utf8))
                == CassSocketPaths.socketNamePreimage(user: nil, normalizedDataDirectory: Array("/d".utf8)))
        #expect(CassSocketPaths.socketNamePreimage(user: "a", normalizedDataDirectory: Array("/d".utf8))
                != CassSocketPaths.socketNamePreimage(user: nil, normalizedDataDirectory: Array("/d".utf8)))
    }

    @Test func theDataDirectoryIsNormalisedBeforeHashing() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-path")
        defer { scratch.remove() }
        let data = scratch.path("data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let linked = scratch.path("linked").path
        #expect(symlink(data, linked) == 0)
        let environment = CassDaemonEnvironment(variables: ["USER": "bob"], currentDirectory: scratch.url.path)
        let name = CassSocketPaths.socketFileName(dataDirectory: data, environment: environment)
        // The same directory spelled six ways names the same socket.
        for spelling in ["data", "./data/", "linked", "\(linked)/../data", "\(data)/./x/..", "//\(data)"] {
            #expect(CassSocketPaths.socketFileName(dataDirectory: spelling, environment: environment) == name, "\(spelling)")
        }
        #expect(CassSocketPaths.socketFileName(dataDirectory: scratch.path("other").path, environment: environment) != name)
    }
}

@Suite struct PathIdentityTests {
    @Test func lexicalSteps() {
        func lexical(_ path: String, _ currentDirectory: String = "/work") -> String {
            String(decoding: PathIdentity.joined(PathIdentity.lexicalComponents(Array(path.utf8),
                                                                                currentDirectory: Array(currentDirectory.utf8))),
                   as: UTF8.self)
        }
        #expect(lexical("a/b") == "/work/a/b")
        #expect(lexical("./a/./b/") == "/work/a/b")
        #expect(lexical("../x") == "/x")
        #expect(lexical("/a/b/../../..") == "/..", "a .. with no normal component before it is kept")
        #expect(lexical("/../a/../b") == "/../b")
        #expect(lexical("//a///b") == "/a/b")
        #expect(lexical("/") == "/")
        #expect(lexical("a/..") == "/work")
    }

    @Test func existingPathsAreResolvedAndMissingTailsAppended() throws {
        let scratch = try TemporaryDirectory(prefix: "semd-attest-identity")
        defer { scratch.remove() }
        let base = PathIdentity.normalize(scratch.url.path, currentDirectory: "/")
        let real = base + "/real"
        try FileManager.default.createDirectory(atPath: real + "/inner", withIntermediateDirectories: true)
        #expect(symlink(real, base + "/link") == 0)
        #expect(symlink(base + "/nowhere", base + "/dangling") == 0)

        #expect(PathIdentity.normalize(base + "/link/inner", currentDirectory: "/") == real + "/inner")
        #expect(PathIdentity.normalize(base + "/link/missing/deeper", currentDirectory: "/") == real + "/missing/deeper")
        #expect(PathIdentity.normalize("link/./inner/../missing", currentDirectory: base) == real + "/missing")
        // A dangling symlink does not exist: it stays in the appended tail, unresolved.
        #expect(PathIdentity.normalize(base + "/dangling/x", currentDirectory: "/") == base + "/dangling/x")
        #expect(PathIdentity.normalize("/../", currentDirectory: "/") == "/")
    }
}
