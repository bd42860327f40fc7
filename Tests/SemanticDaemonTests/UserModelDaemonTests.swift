// User models on real daemons. The real `semd` binary with `--model NAME=DIR` for the two tiny
// prompted models reproduces every golden entry a model name can select (NAME, NAME:query,
// NAME:document, NAME:passage) over the cass socket, and one over xf's; a folder it cannot serve stops
// its start with the reason. An in-process daemon serves a model added to the models file while it
// runs (no restart), stops serving it once removed, and answers a user model it cannot serve with a
// ModelLoadFailed that is not retryable.
import Foundation
import SemanticClient
import SemanticCore
import SemanticRuntime
import SemanticTestSupport
import SemanticWire
import Testing

@Suite(.serialized) struct UserModelDaemonTests {
    static let names = ["tiny_cls_prompted": "cls", "tiny_mean_prompted": "mean"]

    @Test func semdServesItsModelFlagsWithPromptsOverCassAndXF() async throws {
        let scratch = try TemporaryDirectory.forDaemon()
        defer { scratch.remove() }
        let socket = scratch.path("c.sock").path
        let xfSocket = scratch.path("x.sock").path
        try FileManager.default.createDirectory(at: scratch.path("models"), withIntermediateDirectories: true)
        let daemon = try DaemonProcess(socket: socket, arguments: [
            "--models-dir", scratch.path("models").path, "--xf-socket", xfSocket, "--lazy-reranker",
            "--model", "cls=" + Fixtures.url("goldens/tiny_cls_prompted").path,
            "--model", "mean=" + Fixtures.url("goldens/tiny_mean_prompted").path,
        ])
        defer { daemon.stop() }
        try await offPool { try daemon.waitUntilAnswering() }
        let connection = try await AsyncConnection(socketPath: socket)
        defer { connection.close() }
        var checked = 0
        for model in try PromptedGoldenModel.load() {
            let name = try #require(Self.names[model.name])
            for entry in model.entries {
                guard let modelName = entry.rule.modelName(name) else { continue }
                let answer = try await connection.send(.embed(texts: [entry.text], model: modelName, dims: nil), timeout: .seconds(120))
                guard case .embed(let response) = answer.response else {
                    Issue.record("\(modelName): \(answer.response)\n\(daemon.errorOutput)")
                    continue
                }
                #expect(response.model == name)
                let difference = compare(response.embeddings[0], entry.embedding)
                #expect(difference.withinEmbeddingTolerance, "\(modelName) '\(entry.text)': \(difference)")
                checked += 1
            }
        }
        #expect(checked == 8 * 3 + 8 * 4)

        let unknown = try await connection.send(.embed(texts: ["x"], model: "cls:passage", dims: nil))
        guard case .error(let refusal) = unknown.response else { Issue.record("\(unknown)"); return }
        #expect(refusal.code == .invalidInput && !refusal.retryable && refusal.message.contains("no prompt 'passage'"))

        let query = try #require(try PromptedGoldenModel.load().first { $0.name == "tiny_cls_prompted" }?
            .entries.first { $0.rule == .named("query") })
        let xf = try await offPool { try xfRequest(.embed(texts: [query.text], model: "cls:query", dims: nil), socket: xfSocket) }
        guard case .embeddings(let vectors) = xf else { Issue.record("\(xf)"); return }
        #expect(compare(vectors[0], query.embedding).withinEmbeddingTolerance)

        let status = try await connection.send(.status)
        guard case .status(let report) = status.response else { Issue.record("\(status)"); return }
        #expect(report.embedders.contains { $0.id == "cls" && $0.loaded } && report.embedders.contains { $0.id == "mean" })
    }

    @Test func semdRefusesToStartWithAFolderItCannotServe() async throws {
        let scratch = try TemporaryDirectory.forDaemon()
        defer { scratch.remove() }
        let folder = scratch.path("dense")
        try FileManager.default.copyItem(at: Fixtures.url("goldens/tiny_cls_prompted"), to: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let modules = folder.appendingPathComponent("modules.json")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: modules.path)
        try #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]"#
            .write(to: modules, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(socket: scratch.path("c.sock").path, arguments: [
            "--models-dir", scratch.path("models").path, "--no-xf", "--model", "dense=" + folder.path,
        ])
        defer { daemon.stop() }
        let status = try await offPool { daemon.waitForExit(timeout: .seconds(120)) }
        #expect(status == 1)
        #expect(daemon.errorOutput.contains("--model dense=") && daemon.errorOutput.contains("Dense")
                && daemon.errorOutput.contains("not supported"), "\(daemon.errorOutput)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("c.sock").path))

        let clash = try DaemonProcess(socket: scratch.path("d.sock").path, arguments: [
            "--models-dir", scratch.path("models").path, "--no-xf", "--model", "minilm=" + Fixtures.url("goldens/tiny_cls_prompted").path,
        ])
        defer { clash.stop() }
        let clashStatus = try await offPool { clash.waitForExit(timeout: .seconds(120)) }
        #expect(clashStatus == 64 && clash.errorOutput.contains("taken by semd's model minilm-384"), "\(clash.errorOutput)")
    }

    @Test func aRunningDaemonServesAModelAddedToTheModelsFile() async throws {
        let root = try TemporaryDirectory(prefix: "semd-user-models")
        defer { root.remove() }
        try FileManager.default.createSymbolicLink(at: root.path("tiny_embedder"), withDestinationURL: Fixtures.tinyEmbedderDirectory)
        let file = UserModelsFile(root: ModelsRoot(url: root.url, source: .flag))
        let golden = try #require(try PromptedGoldenModel.load().first { $0.name == "tiny_mean_prompted" })
        let query = try #require(golden.entries.first { $0.rule == .named("query") })
        try await RunningDaemon.with(modelsRoot: root.url) { running in
            let connection = try await running.connect()
            let before = try await connection.send(.embed(texts: [query.text], model: "mean:query", dims: nil))
            guard case .error(let missing) = before.response else { Issue.record("\(before)"); return }
            #expect(missing.code == .modelNotFound)

            try file.add(UserModelEntry(name: "mean", directory: golden.directory, kind: .embedder))
            let after = try await connection.send(.embed(texts: [query.text], model: "mean:query", dims: nil))
            guard case .embed(let answer) = after.response else { Issue.record("\(after)"); return }
            #expect(answer.model == "mean" && compare(answer.embeddings[0], query.embedding).withinEmbeddingTolerance)

            // a folder that later breaks: not retryable
            let broken = root.path("broken")
            try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
            for item in ["config.json", "tokenizer.json", "modules.json", "1_Pooling"] {
                try FileManager.default.copyItem(at: golden.directory.appendingPathComponent(item), to: broken.appendingPathComponent(item))
            }
            try Data([0xff, 0xff, 0xff, 0x00, 0, 0, 0, 0] + Array("{}".utf8)).write(to: broken.appendingPathComponent("model.safetensors"))
            try file.add(UserModelEntry(name: "broken", directory: broken, kind: .embedder))
            let failed = try await connection.send(.embed(texts: ["x"], model: "broken", dims: nil))
            guard case .error(let refusal) = failed.response else { Issue.record("\(failed)"); return }
            #expect(refusal.code == .modelLoadFailed && !refusal.retryable && refusal.message.contains("model.safetensors"), "\(refusal)")

            try file.remove("mean")
            let removed = try await connection.send(.embed(texts: [query.text], model: "mean", dims: nil))
            guard case .error(let gone) = removed.response else { Issue.record("\(removed)"); return }
            #expect(gone.code == .modelNotFound)
        }
    }
}
