// `semctl embed` and `semctl tokenize` with prompts and truncation, as built: the two tiny prompted
// models of the goldens added with `semctl models add`, then every entry of prompted_embeddings.json
// reproduced by `semctl embed --query/--document/--prompt-name/--prompt` (1 − cos ≤ 1e-6), computed
// in-process and by a daemon semctl starts, with each text's token count and cut in the JSON; an
// over-long text refused by --no-truncate with or without a daemon; conflicting prompt flags refused;
// and `semctl tokenize` giving exactly the ids and tokens a daemon's HTTP POST /tokenize answers.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing

/// The semctl flags that select a golden rule.
private func flags(for rule: PromptedGoldenRule) -> [String] {
    switch rule {
    case .plain: return []
    case .named("query"): return ["--query"]
    case .named("document"): return ["--document"]
    case .named(let name): return ["--prompt-name", name]
    case .literal(let prompt): return ["--prompt", prompt]
    }
}

private func cosineDistance(_ a: [Float], _ b: [Float]) -> Float {
    let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    let norms = a.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() * b.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
    return 1 - dot / norms
}

/// The JSON lines of `semctl embed --format jsonl`.
private func jsonLines(_ output: ProcessOutput) -> [[String: Any]] {
    output.standardOutput.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
}

@Suite(.serialized) struct PromptedCLIEndToEndTests {
    /// Adds both prompted models to the sandbox's models file.
    private func addPromptedModels(_ sandbox: DaemonSandbox) async throws -> [PromptedGoldenModel] {
        let models = try PromptedGoldenModel.load()
        for model in models {
            let added = try await sandbox.run(["models", "add", model.name, model.directory.path])
            #expect(added.status == 0, "\(added)")
        }
        return models
    }

    @Test func embedFlagsReproduceTheGoldensInProcessAndThroughTheDaemon() async throws {
        try await DaemonSandbox.with { sandbox in
            let models = try await addPromptedModels(sandbox)
            for (path, environment) in [("in-process", ["SEMD_NO_DAEMON": "1"]), ("daemon", [:])] {
                for model in models {
                    for (key, entries) in Dictionary(grouping: model.entries, by: \.key).sorted(by: { $0.key < $1.key }) {
                        guard let rule = entries.first?.rule else { continue }
                        let input = entries.map(\.text).joined(separator: "\n") + "\n"
                        let output = try await sandbox.run(["embed", "--model", model.name, "--format", "jsonl"] + flags(for: rule),
                                                           environment: environment, input: input)
                        #expect(output.status == 0, "\(path) \(model.name) \(key): \(output)")
                        let lines = jsonLines(output)
                        #expect(lines.count == entries.count, "\(path) \(model.name) \(key): \(output.standardOutput)")
                        for (line, entry) in zip(lines, entries) {
                            let vector = (line["embedding"] as? [Double] ?? []).map(Float.init)
                            let distance = cosineDistance(vector, entry.embedding)
                            #expect(distance <= 1e-6, "\(path) \(model.name) \(key) \(entry.text.prefix(20)): 1 − cos \(distance)")
                            #expect(line["text"] as? String == entry.text)
                            #expect(line["tokens"] as? Int == entry.inputIDs.count, "\(path) \(model.name) \(key)")
                            #expect(line["truncated"] as? Bool == (entry.inputIDs.count == model.maxSequenceLength))
                        }
                    }
                }
                // One JSON object: the prompt applied and the counts, and which path served it.
                let json = try await sandbox.run(["embed", "--json", "--model", "tiny_mean_prompted", "--query", "hello world"],
                                                 environment: environment)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any],
                                          "\(json)")
                #expect(object["served_by"] as? String == path && object["prompt"] as? String == "query: ", "\(json)")
                #expect(object["tokens"] as? [Int] == [6] && object["truncated"] as? [Bool] == [false])
            }
        }
    }

    @Test func noTruncateRefusesAndPromptFlagsExcludeEachOther() async throws {
        try await DaemonSandbox.with { sandbox in
            _ = try await addPromptedModels(sandbox)
            let long = Array(repeating: "word", count: 40).joined(separator: " ")
            for environment in [["SEMD_NO_DAEMON": "1"], [:]] {
                let refused = try await sandbox.run(["embed", "--model", "tiny_mean_prompted", "--query", "--no-truncate",
                                                     "short", long], environment: environment)
                #expect(refused.status == 2, "\(refused)")
                #expect(refused.standardError.contains("text 1") && refused.standardError.contains("44 tokens long")
                    && refused.standardError.contains("limit of 24 tokens"), "\(refused.standardError)")
                #expect(refused.standardOutput.isEmpty)
            }
            let fits = try await sandbox.run(["embed", "--model", "tiny_mean_prompted", "--no-truncate", "--json", "short"])
            #expect(fits.status == 0, "\(fits)")

            for conflicting in [["--query", "--document"], ["--query", "--prompt", "q: "], ["--prompt-name", "passage", "--document"]] {
                let output = try await sandbox.run(["embed", "--model", "tiny_mean_prompted"] + conflicting + ["text"])
                #expect(output.status == 2 && output.standardError.contains("give only one"), "\(conflicting): \(output)")
            }
            let suffixAndFlag = try await sandbox.run(["embed", "--model", "tiny_mean_prompted:query", "--document", "text"])
            #expect(suffixAndFlag.status == 2 && suffixAndFlag.standardError.contains("already names a prompt"), "\(suffixAndFlag)")
            let unknown = try await sandbox.run(["embed", "--no-daemon", "--model", "tiny_cls_prompted", "--prompt-name", "passage", "x"])
            #expect(unknown.status == 2 && unknown.standardError.contains("no prompt named 'passage'"), "\(unknown)")
            let help = try await sandbox.run(["embed", "--help"])
            #expect(help.standardOutput.contains("--prompt-name") && help.standardOutput.contains("--no-truncate")
                && help.standardOutput.contains("--query --json"), "\(help.standardOutput)")
        }
    }

    @Test func tokenizeEqualsTheDaemonsHTTPTokenize() async throws {
        try await DaemonSandbox.with { sandbox in
            let models = try await addPromptedModels(sandbox)
            try await HTTPReplica.with(socket: sandbox.paths.socket, modelsDirectory: sandbox.modelsDirectory) { replica in
                let texts = ["hello world", "Café déjà vu — naïve façade", Array(repeating: "word", count: 40).joined(separator: " ")]
                let cases: [(model: String, flags: [String], field: [String: Any])] = [
                    ("minilm", [], [:]),
                    (models[0].name, ["--query"], ["prompt_name": "query"]),
                    (models[1].name, [], [:]),
                    (models[1].name, ["--query"], ["prompt_name": "query"]),
                    (models[1].name, ["--document"], ["prompt_name": "document"]),
                    (models[1].name, ["--prompt-name", "passage"], ["prompt_name": "passage"]),
                ]
                let connection = try await offPool { try HTTPConnection.connect(to: replica.endpoint) }
                for item in cases {
                    for text in texts {
                        let output = try await sandbox.run(["tokenize", "--json", "--model", item.model] + item.flags + [text])
                        let local = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))
                            as? [String: Any], "\(output)")
                        var body: [String: Any] = ["inputs": text, "model": item.model]
                        body.merge(item.field) { $1 }
                        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                        let answer = try await offPool { try connection.postJSON("/tokenize", json) }
                        let remote = try #require((try JSONSerialization.jsonObject(with: Data(answer.body)) as? [[[String: Any]]])?.first,
                                                  "\(answer.status) \(answer.text)")
                        #expect(remote.compactMap { $0["id"] as? Int } == local["input_ids"] as? [Int],
                                "\(item.model) \(item.flags) \(text.prefix(20))")
                        #expect(remote.compactMap { $0["text"] as? String } == local["tokens"] as? [String])
                    }
                }
            }
        }
    }
}
