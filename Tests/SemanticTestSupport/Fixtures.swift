// Fixture paths shared by every test target: the goldens, wire frames and benchmark inputs copied
// into Tests/Fixtures, and the real model fetched by `make models`.
// Never writes into the fixture tree; tests that need scratch space use `TemporaryDirectory`.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum Fixtures {
    /// `Tests/Fixtures`, found from this source file's location so tests run from any directory.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SemanticTestSupport
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// The repository root (the folder holding Package.swift).
    public static let repositoryRoot: URL = root.deletingLastPathComponent().deletingLastPathComponent()

    /// A file under `Tests/Fixtures`, e.g. `url("goldens/tokenizer_single.json")`.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    public static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    /// Parses a JSON fixture into Foundation values (dictionaries, arrays, NSNumber, String).
    public static func json(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(relativePath), options: [.fragmentsAllowed])
    }

    /// The tiny synthetic models of the goldens.
    public static var tinyEmbedderDirectory: URL { url("goldens/tiny_embedder") }
    public static var tinyCrossEncoderDirectory: URL { url("goldens/tiny_cross_encoder") }

    /// The real all-MiniLM-L6-v2 folder installed by `make models`.
    public static var realEmbedderDirectory: URL {
        repositoryRoot.appendingPathComponent("Models/all-MiniLM-L6-v2", isDirectory: true)
    }

    /// Throws a readable error when the real model has not been fetched, so a test that needs it says
    /// what to run instead of failing somewhere deep in a loader.
    public static func requireRealEmbedder() throws -> URL {
        let directory = realEmbedderDirectory
        let weights = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw FixtureError.missingRealModel(directory.path)
        }
        return directory
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missingRealModel(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .missingRealModel(let path):
            return "the real all-MiniLM-L6-v2 model is not installed at \(path); run `make models`"
        case .malformed(let what):
            return "malformed fixture: \(what)"
        }
    }
}

/// A fresh directory under the system temp folder, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "semd-test") throws {
        let base = FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

extension TemporaryDirectory {
    /// A fresh directory for a test daemon's socket: private (0700), or with `sharedParent`
    /// world-writable and sticky (1777), as /tmp is, so the daemon binds in its private runtime directory.
    public static func forDaemon(sharedParent: Bool = false) throws -> TemporaryDirectory {
        let scratch = try TemporaryDirectory(prefix: "semd-daemon")
        guard chmod(scratch.url.path, sharedParent ? 0o1777 : 0o700) == 0 else {
            scratch.remove()
            throw FixtureError.malformed("cannot set the mode of \(scratch.url.path): errno \(errno)")
        }
        return scratch
    }
}
