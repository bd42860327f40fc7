// `semctl models add|list|remove` with the built binaries: the tiny prompted models are trial-loaded
// and written to the models file, listed with their kind, dimension, pooling, limit and prompts
// (table and --json), embedded with `NAME`, `NAME:query` and `NAME:document` in-process and by a
// daemon semctl spawns, each matching the goldens; folders semd cannot serve are refused with the
// reason and nothing is written; `models install --from` gets the same trial load.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing

@Suite(.serialized) struct UserModelEndToEndTests {
    static let names = ["tiny_cls_prompted": "cls", "tiny_mean_prompted": "mean"]

    @Test func addedModelsAreListedAndServedWithTheirPrompts() async throws {
        try await DaemonSandbox.with { sandbox in
            let file = sandbox.modelsDirectory.appendingPathComponent("models.json")
            for (folder, name) in Self.names.sorted(by: { $0.key < $1.key }) {
                let add = try await sandbox.run(["models", "add", name, Fixtures.url("goldens/\(folder)").path])
                #expect(add.status == 0 && add.standardOutput.contains("added \(name): embedder, 16 dimensions"), "\(add)")
                #expect(add.standardOutput.contains("semctl embed --model \(name):query"), "\(add)")
            }
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
            let models = written?["models"] as? [String: [String: String]]
            #expect(models?["cls"]?["kind"] == "embedder"
                    && models?["cls"]?["directory"] == Fixtures.url("goldens/tiny_cls_prompted").standardizedFileURL.path, "\(String(describing: written))")

            let list = try await sandbox.run(["models", "list", "--json"])
            let listed = try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [String: Any]
            let rows = (listed?["models"] as? [[String: Any]]) ?? []
            let mean = try #require(rows.first { $0["id"] as? String == "mean" })
            #expect(mean["kind"] as? String == "embedder" && mean["dimension"] as? Int == 16 && mean["user_defined"] as? Bool == true)
            #expect(mean["pooling"] as? [String] == ["mean"] && mean["max_sequence_length"] as? Int == 24)
            #expect(mean["default_prompt_name"] as? String == "passage" && mean["installed"] as? Bool == true)
            #expect((mean["prompts"] as? [String: String]) == ["query": "query: ", "passage": "passage: ", "document": ""])
            #expect(rows.contains { $0["id"] as? String == "minilm-384" && $0["user_defined"] as? Bool == false })
            let table = try await sandbox.run(["models", "list"])
            let clsRow = table.standardOutput.split(separator: "\n").first { $0.hasPrefix("cls ") } ?? ""
            #expect(clsRow.contains(" cls, norm ") && clsRow.contains(" 48 ") && clsRow.contains(" query ") && clsRow.contains(" yes "),
                    "\(table.standardOutput)")

            // every golden entry a name can select, in-process; then the same texts through a spawned daemon
            var inProcessChecked = 0
            for model in try PromptedGoldenModel.load() {
                let name = try #require(Self.names[model.name])
                for entry in model.entries where entry.text.hasPrefix("How") || entry.text.hasPrefix("word") {
                    guard let modelName = entry.rule.modelName(name) else { continue }
                    let output = try await sandbox.run(["embed", "--no-daemon", "--json", "--model", modelName, "--", entry.text])
                    let result = try EmbedOutput(json: output.standardOutput)
                    #expect(result.servedBy == "in-process")
                    #expect(result.model == name && compare(result.embeddings[0], entry.embedding).withinEmbeddingTolerance,
                            "\(modelName) '\(entry.text)'")
                    inProcessChecked += 1
                }
            }
            #expect(inProcessChecked == 2 * 3 + 2 * 4)
            let query = try #require(try PromptedGoldenModel.load().first { $0.name == "tiny_cls_prompted" }?
                .entries.first { $0.rule == .named("query") && $0.text.hasPrefix("How") })
            let daemon = try await sandbox.run(["embed", "--json", "--model", "cls:query", query.text])
            let served = try EmbedOutput(json: daemon.standardOutput)
            #expect(served.servedBy == "daemon" && compare(served.embeddings[0], query.embedding).withinEmbeddingTolerance, "\(daemon)")

            let remove = try await sandbox.run(["models", "remove", "cls"])
            #expect(remove.status == 0 && remove.standardOutput.contains("removed cls"))
            let gone = try await sandbox.run(["embed", "--no-daemon", "--model", "cls", "hello"])
            #expect(gone.status != 0 && gone.standardError.contains("cls"), "\(gone)")
        }
    }

    @Test func foldersSemdCannotServeAreRefusedAndNothingIsWritten() async throws {
        try await DaemonSandbox.with { sandbox in
            let file = sandbox.modelsDirectory.appendingPathComponent("models.json")
            let folder = sandbox.scratch.path("roberta")
            try FileManager.default.copyItem(at: Fixtures.url("goldens/tiny_cls_prompted"), to: folder)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
            let config = folder.appendingPathComponent("config.json")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
            let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"bert\"", with: "\"xlm-roberta\"")
            try text.write(to: config, atomically: true, encoding: .utf8)
            let refused = try await sandbox.run(["models", "add", "roberta", folder.path])
            #expect(refused.status == 1 && refused.standardError.contains("xlm-roberta")
                    && refused.standardError.contains("nothing was added"), "\(refused)")
            #expect(!FileManager.default.fileExists(atPath: file.path))

            let taken = try await sandbox.run(["models", "add", "minilm", Fixtures.url("goldens/tiny_cls_prompted").path])
            #expect(taken.status == 2 && taken.standardError.contains("taken by semd's model minilm-384"), "\(taken)")
            let colon = try await sandbox.run(["models", "add", "a:b", Fixtures.url("goldens/tiny_cls_prompted").path])
            #expect(colon.status == 2 && colon.standardError.contains("cannot be a model name"), "\(colon)")
            #expect(!FileManager.default.fileExists(atPath: file.path))

            // install --from gets the trial load: an embedder folder is not the reranker
            let install = try await sandbox.run(["models", "install", "ms-marco", "--from", Fixtures.url("goldens/tiny_cls_prompted").path])
            #expect(install.status == 1 && install.standardError.contains("not a reranker"), "\(install)")
            #expect(!FileManager.default.fileExists(atPath: sandbox.modelsDirectory.appendingPathComponent("ms-marco-MiniLM-L-6-v2").path))
            let help = try await sandbox.run(["models", "add", "--help"])
            #expect(help.status == 0 && help.standardOutput.contains("semctl embed --model bge:query"))
        }
    }
}
