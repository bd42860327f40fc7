// A model file truncated or rewritten under a loaded model. The weights live in private memory
// (FileImage), not in a mapping of the file: a loaded embedder keeps answering with the weights it
// loaded (a mapping would raise SIGBUS here, or silently read the new bytes), and loading the damaged
// file afterwards is a clear error. A file that shrinks while it is read is refused, never half-read.
import Foundation
import SemanticTestSupport
import Testing
@testable import SemanticCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ModelFileChangeTests {
    /// A private copy of the tiny embedder that the test may damage.
    func copyOfTinyEmbedder() throws -> (TemporaryDirectory, URL) {
        let scratch = try TemporaryDirectory(prefix: "semd-model-change")
        let copy = scratch.path("tiny_embedder")
        try FileManager.default.copyItem(at: Fixtures.tinyEmbedderDirectory, to: copy)
        return (scratch, copy)
    }

    @Test func aLoadedEmbedderKeepsItsWeightsWhenTheFileIsTruncatedOrRewritten() throws {
        let (scratch, directory) = try copyOfTinyEmbedder()
        defer { scratch.remove() }
        let weights = directory.appendingPathComponent("model.safetensors")
        let embedder = try Embedder.load(directory: directory)
        let texts = ["a daemon keeps its weights", "whatever happens to the file"]
        let before = try embedder.embed(texts)

        // Truncated in place (same inode): every page of a mapping would now be beyond the end.
        #expect(truncate(weights.path, 0) == 0)
        #expect(try embedder.embed(texts) == before)
        #expect(throws: SafetensorsError.self) { try Embedder.load(directory: directory) }

        // Rewritten in place with other bytes of the original length.
        let original = try Data(contentsOf: Fixtures.tinyEmbedderDirectory.appendingPathComponent("model.safetensors"))
        let handle = try FileHandle(forWritingTo: weights)
        try handle.write(contentsOf: Data(repeating: 0x5a, count: original.count))
        try handle.close()
        #expect(try embedder.embed(texts) == before)
        #expect(throws: SafetensorsError.self) { try Embedder.load(directory: directory) }

        // Replaced by rename with the original: a new load reads the new file.
        let fresh = directory.appendingPathComponent("model.safetensors.new")
        try original.write(to: fresh)
        #expect(rename(fresh.path, weights.path) == 0)
        #expect(try Embedder.load(directory: directory).embed(texts) == before)
    }

    @Test func theImageIsACopyNotAView() throws {
        let (scratch, directory) = try copyOfTinyEmbedder()
        defer { scratch.remove() }
        let weights = directory.appendingPathComponent("model.safetensors")
        let image = try FileImage(url: weights)
        let first = image.bytes.prefix(64).map { $0 }
        let handle = try FileHandle(forWritingTo: weights)
        try handle.write(contentsOf: Data(repeating: 0, count: 64))
        try handle.close()
        #expect(image.bytes.prefix(64).map { $0 } == first, "the image holds the bytes as they were read")
        #expect(truncate(weights.path, 0) == 0)
        #expect(image.bytes.count > 64 && image.bytes.prefix(64).map { $0 } == first)
        let empty = try FileImage(url: weights)
        #expect(empty.byteCount == 0 && empty.baseAddress == nil)
        let missing = #expect(throws: SafetensorsError.self) { try FileImage(url: directory.appendingPathComponent("nope")) }
        #expect(missing.map { "\($0)" }?.contains("nope") == true)
    }

    @Test func aMappedImageIsAViewOfTheFile() throws {
        let (scratch, directory) = try copyOfTinyEmbedder()
        defer { scratch.remove() }
        let weights = directory.appendingPathComponent("model.safetensors")
        let mapped = try FileImage(url: weights, storage: .mapped)
        let handle = try FileHandle(forWritingTo: weights)
        try handle.write(contentsOf: Data(repeating: 7, count: 64))
        try handle.close()
        #expect(mapped.bytes.prefix(64).allSatisfy { $0 == 7 }, "a mapping sees the file change: only for short-lived processes")
    }
}
