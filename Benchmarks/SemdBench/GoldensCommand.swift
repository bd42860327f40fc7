// `semd-bench goldens`: this build's engine against the goldens, as CI's `make kernel-check` runs it on
// the release binaries. The unit tests run in a debug build, whose panel tile is the portable one and
// whose products all go to OpenBLAS; the release build is compiled for the CPU family (AVX-512 or AVX2
// tile, fused multiply-adds) and runs every product of up to 512 rows on the panels. This checks that
// build: every golden text of MiniLM and of the tiny embedder alone and all together, and every pair of
// the tiny cross-encoder alone and batched, with the panels packed, within the goldens' tolerances
// (1 − cos ≤ 1e-6 and max abs ≤ 1e-5 per embedding, logits within 1e-4 + 1e-4·|logit|), and alone
// against together within 1e-6 (batch invariance).
import ArgumentParser
import Foundation
import SemanticCore
import SemanticTestSupport

struct GoldensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goldens",
        abstract: "Check this build's engine (its CPU family's panel tile) against the goldens.",
        discussion: """
        Embeds every golden text of all-MiniLM-L6-v2 and of the tiny embedder, alone and all together,
        and scores every pair of the tiny cross-encoder, with the weight panels packed first, so every
        product runs on the tile this binary was compiled for. Exit 0 when all are within tolerance,
        1 otherwise (each case outside it is named). `make kernel-check` runs it on the release build.

        Example:
          semd-bench goldens
        """
    )

    @OptionGroup var locations: BenchmarkLocations

    func run() throws {
        var failures: [String] = []
        print("semd-bench goldens: \(ProductProbe.tile) panel tile, products of up to 512 rows on the panels")
        let miniLM: URL
        do { miniLM = try locations.root.installedDirectory(for: .miniLM) } catch {
            throw BenchmarkFailure("\(error)", hint: "run `make models`, or pass --models-dir")
        }
        failures += try checkEmbedder(named: "all-MiniLM-L6-v2", directory: miniLM, goldens: "goldens/minilm_embeddings.json")
        failures += try checkEmbedder(named: "tiny embedder", directory: Fixtures.tinyEmbedderDirectory,
                                      goldens: "goldens/tiny_embedder_embeddings.json")
        failures += try checkCrossEncoder()
        if failures.isEmpty {
            print("PASS")
        } else {
            print("FAIL: \(failures.count) outside tolerance")
            for failure in failures.prefix(20) { print("  \(failure)") }
            throw ExitCode(1)
        }
    }

    private func checkEmbedder(named name: String, directory: URL, goldens: String) throws -> [String] {
        let embedder = try Embedder.load(directory: directory)
        embedder.preparePanels()
        guard embedder.panelsReady else { return ["\(name): the panels were not published"] }
        let cases = try Golden.cases(goldens)
        let ids = try cases.map { try Golden.ints($0["input_ids"]) }
        let expected = try cases.map { try Golden.floats($0["embedding"]) }
        let alone = try ids.map { try embedder.embed(tokenIDs: [$0])[0] }
        let together = try embedder.embed(tokenIDs: ids)
        var failures: [String] = []
        var worstCosine = 0.0, worstAbs: Float = 0, spread: Float = 0
        for (index, golden) in expected.enumerated() {
            for (label, vector) in [("alone", alone[index]), ("together", together[index])] {
                let difference = compare(vector, golden)
                worstCosine = max(worstCosine, difference.oneMinusCosine)
                worstAbs = max(worstAbs, difference.maxAbs)
                if !difference.withinEmbeddingTolerance { failures.append("\(name) case \(cases[index]["id"] ?? index) \(label): \(difference)") }
            }
            let difference = compare(alone[index], together[index]).maxAbs
            spread = max(spread, difference)
            if !(difference <= 1e-6) { failures.append("\(name) case \(cases[index]["id"] ?? index): alone vs together \(difference)") }
        }
        print("\(name): \(cases.count) texts alone and together, max 1 − cos \(worstCosine), max abs \(worstAbs), alone vs together \(spread)")
        return failures
    }

    private func checkCrossEncoder() throws -> [String] {
        let model = try CrossEncoder.load(directory: Fixtures.tinyCrossEncoderDirectory)
        model.preparePanels()
        guard model.panelsReady else { return ["tiny cross-encoder: the panels were not published"] }
        let cases = try Golden.cases("goldens/tiny_cross_encoder_logits.json")
        let ids = try cases.map { try Golden.ints($0["input_ids"]) }
        let types = try cases.map { try Golden.ints($0["token_type_ids"]) }
        let single = try zip(ids, types).map { try model.logits(tokenIDs: [$0], typeIDs: [$1])[0] }
        let batched = try model.logits(tokenIDs: ids, typeIDs: types)
        var failures: [String] = []
        var worst: Float = 0
        for (index, pair) in cases.enumerated() {
            for (label, logit, key) in [("single", single[index], "logit"), ("batched", batched[index], "logit_batched")] {
                let reference = Float((pair[key] as? NSNumber)?.doubleValue ?? .nan)
                let difference = abs(logit - reference)
                worst = max(worst, difference)
                if !(difference <= Tolerance.logitBound(reference)) {
                    failures.append("tiny cross-encoder case \(pair["id"] ?? index) \(label): \(logit) vs \(reference)")
                }
            }
        }
        print("tiny cross-encoder: \(cases.count) pairs single and batched, max abs logit difference \(worst)")
        return failures
    }
}
