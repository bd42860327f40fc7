// `semctl jobs`: background embedding jobs in the daemon: submit a cass archive, watch its progress,
// cancel it. The daemon does the work; these commands only ask.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticWire

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Embed a whole cass archive into vector index files in the background.",
        discussion: """
        The daemon reads the archive's messages (messages JOIN conversations) in chunks of 128, \
        canonicalises each once, and writes <index>/vector_index/index-<embedder>.fsvi (FSVI v1, f16), \
        published by atomic rename. Progress lives in the archive's embedding_jobs table.

        Examples:
          semctl jobs submit --db ~/.local/share/cass/agent_search.db --index ~/.local/share/cass --two-tier
          semctl jobs status --db ~/.local/share/cass/agent_search.db --watch
          semctl jobs cancel --db ~/.local/share/cass/agent_search.db
        """,
        subcommands: [SubmitJob.self, JobStatus.self, CancelJob.self]
    )
}

/// Absolute, tilde-expanded path: the daemon resolves paths itself, from another directory.
private func absolutePath(_ path: String) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    return URL(fileURLWithPath: expanded).standardizedFileURL.path
}

struct SubmitJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue an embedding job for an archive (starts the daemon when needed).",
        discussion: """
        Passes: with --two-tier, the fnv1a-384 hash tier (--fast-model, default hash) and then the \
        MiniLM tier (--quality-model, default minilm); without it, one pass of --quality-model, else \
        --fast-model, else hash.
        """
    )

    @OptionGroup var socketOption: SocketOption
    @Option(help: ArgumentHelp("The cass archive (SQLite).", valueName: "path")) var db: String
    @Option(help: ArgumentHelp("The data directory: vectors go to <index>/vector_index/.", valueName: "dir"))
    var index: String
    @Flag(help: "Hash tier first, then MiniLM.") var twoTier = false
    @Option(help: ArgumentHelp("Fast tier model (hash).", valueName: "name")) var fastModel: String?
    @Option(help: ArgumentHelp("Quality tier model (minilm).", valueName: "name")) var qualityModel: String?
    @Flag(help: "Print {\"job_id\", \"db\", \"index\"} as JSON.") var json = false

    func run() throws {
        let client = try socketOption.makeClient()
        let database = absolutePath(db), directory = absolutePath(index)
        do {
            let jobID = try client.submitEmbeddingJob(dbPath: database, indexPath: directory, twoTier: twoTier,
                                                      fastModel: fastModel, qualityModel: qualityModel)
            if json {
                print(JSONValue.object([("job_id", .string(jobID)), ("db", .string(database)), ("index", .string(directory))]).text)
            } else {
                print("submitted \(jobID): \(database) -> \(directory)/vector_index")
                print("follow it with: semctl jobs status --db \(database) --watch")
            }
        } catch {
            throw CommandFailure(error, socket: client.configuration.paths.socket)
        }
    }
}

struct JobStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the archive's embedding jobs, newest first (--watch: until they finish)."
    )

    @OptionGroup var socketOption: SocketOption
    @Option(help: ArgumentHelp("The cass archive (SQLite).", valueName: "path")) var db: String
    @Flag(help: "Refresh every half second until no job is pending or running.") var watch = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let client = try socketOption.makeClient()
        let database = absolutePath(db)
        let interactive = isatty(STDOUT_FILENO) == 1 && !json
        var first = true
        while true {
            let jobs: [EmbeddingJob]
            do {
                jobs = try client.embeddingJobStatus(dbPath: database)
            } catch {
                throw CommandFailure(error, socket: client.configuration.paths.socket)
            }
            let active = jobs.contains { $0.status.isActive }
            if json {
                if !watch || !active {
                    print(JSONValue.object([("db", .string(database)), ("jobs", .array(jobs.map(Self.json)))]).text)
                }
            } else {
                if interactive && !first { print("\u{1B}[\(max(jobs.count, 1) + 1)F\u{1B}[J", terminator: "") }
                print(Self.table(jobs))
            }
            first = false
            guard watch, active else { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    static func json(_ job: EmbeddingJob) -> JSONValue {
        .object([("job_id", .int(Int(job.id))), ("model", .string(job.modelID)), ("status", .string(job.status.description)),
                 ("total_docs", .int(Int(job.totalDocuments))), ("completed_docs", .int(Int(job.completedDocuments))),
                 ("error", job.errorMessage.map { .string($0) } ?? .null)])
    }

    static func table(_ jobs: [EmbeddingJob]) -> String {
        let table = TextTable(columns: ["JOB", "MODEL", "STATUS", "PROGRESS", "NOTE"], rightAligned: [0])
        for job in jobs {
            table.add([String(job.id), job.modelID, job.status.description, progressBar(job), job.errorMessage ?? ""])
        }
        return jobs.isEmpty ? "no embedding jobs for this archive" : table.render()
    }

    static func progressBar(_ job: EmbeddingJob) -> String {
        guard job.totalDocuments > 0 else { return "" }
        let fraction = min(1, Double(job.completedDocuments) / Double(job.totalDocuments))
        let filled = Int((fraction * 20).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
            + "] \(job.completedDocuments)/\(job.totalDocuments)"
    }
}

struct CancelJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the archive's pending and running jobs (only --model's when given)."
    )

    @OptionGroup var socketOption: SocketOption
    @Option(help: ArgumentHelp("The cass archive (SQLite).", valueName: "path")) var db: String
    @Option(help: ArgumentHelp("Only this pass's jobs (e.g. minilm or hash).", valueName: "name")) var model: String?
    @Flag(help: "Print {\"cancelled\": N} as JSON.") var json = false

    func run() throws {
        let client = try socketOption.makeClient()
        do {
            let count = try client.cancelEmbeddingJob(dbPath: absolutePath(db), modelID: model)
            print(json ? JSONValue.object([("cancelled", .int(count))]).text : "cancelled \(count) job(s)")
        } catch {
            throw CommandFailure(error, socket: client.configuration.paths.socket)
        }
    }
}
