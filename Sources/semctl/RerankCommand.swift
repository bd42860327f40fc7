// `semctl rerank`: cross-encoder relevance of documents to a query, best first, from the daemon or
// in-process; scores are sigmoid(logit) as the protocol carries them, --raw gives logits in-process.
import ArgumentParser
import Foundation
import SemanticClient

struct RerankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Score documents against a query with the cross-encoder, best first.",
        discussion: """
        Documents come from the arguments after the query, or one per line from standard input when \
        there are none. Scores are sigmoid(logit) in [0, 1], as the daemon protocol carries them; \
        --raw prints the cross-encoder's raw logits instead, computed in this process. The reranker \
        (ms-marco-MiniLM-L-6-v2) is installed with `semctl models install ms-marco --from DIR`.

        The JSON object is {"model", "served_by", "elapsed_ms", "scores", "ranking"}: scores in document \
        order, ranking as document indices best first (with --raw, "logits" as well).

        Examples:
          semctl rerank "how do cats purr" "Cats purr with their larynx." "Stocks fell today."
          grep -h . notes/*.txt | semctl rerank --json "deadline next week" | jq '.ranking[:3]'
          semctl rerank --raw "query" "document"
          semctl rerank "todo list" -- "- buy milk" "- call Ana"   (texts that begin with - go after --)
        """
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Reranker model (an id or alias; default: ms-marco).") var model = "default"
    @Flag(name: .long, help: "Print one JSON object instead of a ranked list.") var json = false
    @Flag(name: .long, help: "Raw logits instead of sigmoid scores (computed in-process).") var raw = false
    @Argument(help: "The query.") var query: String
    @Argument(help: "Documents to score; none reads one per line from standard input.") var documents: [String] = []

    func run() throws {
        let client = try client.makeClient()
        let inputs = documents.isEmpty || documents == ["-"] ? readStandardInputLines() : documents
        let progress = ProgressBar(label: "documents", total: inputs.count, threshold: client.configuration.batchSize)
        let result: RerankResult
        do {
            if raw {
                result = try client.rerankLogitsInProcess(query: query, documents: inputs, model: model)
            } else {
                result = try client.rerank(query: query, documents: inputs, model: model) {
                    progress.update(done: $0, total: $1)
                }
            }
        } catch {
            progress.finish()
            throw CommandFailure(error, socket: client.configuration.paths.socket)
        }
        progress.finish()
        if self.client.verbose {
            printError(servedByLine(result.servedBy, socket: client.configuration.paths.socket, elapsed: result.elapsed))
        }
        let values = raw ? (result.logits ?? result.scores) : result.scores
        let ranking = result.ranking
        if json {
            var members: [(String, JSONValue)] = [
                ("model", .string(result.model)),
                ("served_by", .string(result.servedBy.name)),
                ("elapsed_ms", .double(milliseconds(result.elapsed))),
                ("scores", .floats(result.scores)),
                ("ranking", .ints(ranking)),
            ]
            if raw, let logits = result.logits { members.append(("logits", .floats(logits))) }
            print(JSONValue.object(members).text)
            return
        }
        let table = TextTable(columns: ["RANK", raw ? "LOGIT" : "SCORE", "#", "DOCUMENT"], rightAligned: [0, 1, 2])
        for (rank, index) in ranking.enumerated() {
            table.add([String(rank + 1), String(format: "%.4f", values[index]), String(index), quoted(inputs[index], limit: 70)])
        }
        print(table.render())
    }
}
