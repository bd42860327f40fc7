// SemanticClient: what other programs link to embed and rerank. Daemon first, over one blocking
// Unix-socket connection that is kept and reused; a daemon is started when none runs (when allowed);
// requests that reached a daemon and failed retryably are retried with backoff; and when the daemon
// cannot answer, the in-process engine does, with the same models. Every result says which path
// served it. Calls block the calling thread; a client may be shared by threads (calls take turns on
// the connection). Library code: it logs at debug level only, and never exits the process.
import Foundation
import Logging
import SemanticCore
import SemanticRuntime
import SemanticWire
import Synchronization

public enum SemanticClientInfo {
    public static let engineVersion = SemanticCoreInfo.version
    public static let protocolVersion = SemanticWireInfo.protocolVersion
}

public final class SemanticClient: Sendable {
    public let configuration: ClientConfiguration
    let logger: Logger
    let launcher: DaemonLauncher
    let engine: InProcessEngine
    private let cachedConnection = Mutex<DaemonConnection?>(nil)
    /// Held while connecting, so threads sharing a client open (or spawn) one connection.
    private let connecting = NSLock()

    /// A client configured by `configuration`. `logger` receives debug records of every attempt,
    /// retry and fallback; the default discards them.
    public init(configuration: ClientConfiguration, logger: Logger? = nil) {
        self.configuration = configuration
        let logger = logger ?? Logger(label: "semd.client", factory: { _ in SwiftLogNoOpLogHandler() })
        self.logger = logger
        launcher = DaemonLauncher(configuration: configuration, logger: logger)
        engine = InProcessEngine(registry: configuration.registry, modelsRoot: configuration.modelsRoot,
                                 threads: configuration.inProcessThreads)
    }

    /// A client configured from the environment (`SEMD_SOCKET`, `SEMD_MODELS_DIR`, `SEMD_NO_DAEMON`,
    /// `SEMD_NO_SPAWN`, …); see `ClientConfiguration.resolve`.
    public convenience init(logger: Logger? = nil) throws(ClientConfigurationError) {
        self.init(configuration: try ClientConfiguration.resolve(), logger: logger)
    }

    deinit {
        cachedConnection.withLock { $0?.close() }
    }

    /// Closes the kept connection (the next call opens a new one).
    public func disconnect() {
        cachedConnection.withLock { connection in
            connection?.close()
            connection = nil
        }
    }

    // MARK: Embed and rerank

    /// Sentence embeddings of `texts`, in order. `model` is a model id or alias (`default`, `minilm`),
    /// or `NAME:PROMPT` for one of its prompts; `dims` keeps the first components of each vector and
    /// re-normalises. `prompt` is prepended to every text (by default the model's own default prompt,
    /// as sentence-transformers' `encode` does). With `truncation: .refuse` a text over the model's
    /// token limit fails the call (`ClientError.textTooLong`) instead of being cut; the lengths are
    /// checked here with the model folder's tokenizer before anything is sent. Many texts travel in
    /// batches of `configuration.batchSize`; `progress` is told (done, total) after each batch.
    public func embed(_ texts: [String], model: String = "default", dims: Int? = nil,
                      prompt: EmbeddingPrompt = .modelDefault, truncation: TruncationRule = .truncate,
                      progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ClientError) -> EmbeddingResult {
        if let dims, dims < 1 { throw .invalidRequest("dims must be at least 1, not \(dims)") }
        let start = ContinuousClock.now
        let request = PromptedModel(name: model, prompt: prompt)
        if truncation == .refuse {
            try engine.tokenizer(for: request.model).refuseOverlongTexts(texts, prompt: request.prompt)
        }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var servedBy = ServedBy.daemon
        var resolvedModel = request.model
        var dimension = dims ?? 0
        for batch in batches(of: texts.count) {
            let slice = Array(texts[batch])
            let part = try embedBatch(slice, request: request, dims: dims, forceInProcess: servedBy.reason)
            vectors += part.vectors
            resolvedModel = part.model
            dimension = part.dimension
            if case .inProcess = part.servedBy { servedBy = part.servedBy }
            progress?(batch.upperBound, texts.count)
        }
        if texts.isEmpty {
            let empty = try embedBatch([], request: request, dims: dims, forceInProcess: nil)
            (resolvedModel, dimension, servedBy) = (empty.model, empty.dimension, empty.servedBy)
        }
        return EmbeddingResult(embeddings: vectors, model: resolvedModel, dimension: dimension, servedBy: servedBy,
                               elapsed: ContinuousClock.now - start)
    }

    /// Each text as the model `model` (an id, an alias or `NAME:PROMPT`) reads it with `prompt`: its
    /// tokens, their count and whether it was cut at the model's limit. Computed in this process with
    /// the model folder's tokenizer (never the daemon, never the weights), by the rules the daemon
    /// follows, so the counts are those of an `embed` call with the same arguments.
    public func tokenize(_ texts: [String], model: String = "default", prompt: EmbeddingPrompt = .modelDefault)
        throws(ClientError) -> [TokenizedInput] {
        let request = PromptedModel(name: model, prompt: prompt)
        return try engine.tokenizer(for: request.model).tokenize(texts, prompt: request.prompt)
    }

    /// The prompt string `embed(_:model:prompt:)` prepends with these arguments (nil: none), from the
    /// model folder's prompts.
    public func promptString(model: String = "default", prompt: EmbeddingPrompt = .modelDefault) throws(ClientError) -> String? {
        let request = PromptedModel(name: model, prompt: prompt)
        return try engine.tokenizer(for: request.model).promptString(for: request.prompt)
    }

    /// The tokenizer of the model `model` names (an embedder first, else a reranker), read from its
    /// folder once per client.
    public func tokenizer(for model: String) throws(ClientError) -> ModelTokenizer {
        try engine.tokenizer(for: PromptedModel(name: model, prompt: .modelDefault).model)
    }

    /// Relevance scores (sigmoid of the cross-encoder's logit) of each document for `query`, in
    /// document order. `RerankResult.ranking` orders them best first.
    public func rerank(query: String, documents: [String], model: String = "default",
                       progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ClientError) -> RerankResult {
        let start = ContinuousClock.now
        var scores: [Float] = []
        var logits: [Float]? = []
        var servedBy = ServedBy.daemon
        var resolvedModel = model
        for batch in batches(of: documents.count) {
            let part = try rerankBatch(query: query, documents: Array(documents[batch]), model: model,
                                       forceInProcess: servedBy.reason)
            scores += part.scores
            if let partLogits = part.logits, logits != nil { logits! += partLogits } else { logits = nil }
            resolvedModel = part.model
            if case .inProcess = part.servedBy { servedBy = part.servedBy }
            progress?(batch.upperBound, documents.count)
        }
        if documents.isEmpty {
            let empty = try rerankBatch(query: query, documents: [], model: model, forceInProcess: nil)
            (resolvedModel, servedBy, logits) = (empty.model, empty.servedBy, empty.logits)
        }
        return RerankResult(scores: scores, logits: logits, model: resolvedModel, servedBy: servedBy,
                            elapsed: ContinuousClock.now - start)
    }

    /// Raw cross-encoder logits, always computed in-process (the protocol carries sigmoid scores only).
    public func rerankLogitsInProcess(query: String, documents: [String], model: String = "default")
        throws(ClientError) -> RerankResult {
        let start = ContinuousClock.now
        let (logits, id) = try engine.logits(query: query, documents: documents, model: model)
        return RerankResult(scores: CrossEncoder.sigmoid(logits), logits: logits, model: id,
                            servedBy: .inProcess(.daemonDisabled), elapsed: ContinuousClock.now - start)
    }

    private func batches(of count: Int) -> [Range<Int>] {
        let size = max(1, configuration.batchSize)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    private struct EmbedPart {
        let vectors: [[Float]]
        let model: String
        let dimension: Int
        let servedBy: ServedBy
    }

    private func embedBatch(_ texts: [String], request: PromptedModel, dims: Int?, forceInProcess: FallbackReason?)
        throws(ClientError) -> EmbedPart {
        func inProcess(_ reason: FallbackReason) throws(ClientError) -> EmbedPart {
            let (vectors, id, dimension) = try engine.embed(texts, model: request.model, dims: dims, prompt: request.prompt)
            return EmbedPart(vectors: vectors, model: id, dimension: dimension, servedBy: .inProcess(reason))
        }
        if let forceInProcess { return try inProcess(forceInProcess) }
        if configuration.policy == .inProcessOnly { return try inProcess(.daemonDisabled) }
        logger.debug("Attempting daemon embed", metadata: ["texts": "\(texts.count)", "socket": "\(configuration.paths.socket)"])
        do throws(DaemonPathFailure) {
            // The cass socket has no prompt field: the prompt travels in the model name (or the texts).
            let wire = request.wireRequest(for: texts)
            let response = try daemonRequest(.embed(texts: wire.texts, model: wire.model, dims: dims),
                                              spawn: configuration.spawnDaemon, idempotent: true)
            guard case .embed(let answer) = response else {
                throw DaemonPathFailure.client(.protocolViolation("expected an Embed answer, got \(response.variantName)"))
            }
            let dimension: Int
            do throws(DaemonAnswerProblem) {
                dimension = try DaemonAnswerCheck.embed(vectors: answer.embeddings, answeredModel: answer.model,
                                                        textCount: texts.count, model: request.model, dims: dims,
                                                        registry: configuration.registry)
            } catch {
                throw DaemonPathFailure.client(.invalidAnswer(error))
            }
            return EmbedPart(vectors: answer.embeddings, model: answer.model, dimension: dimension, servedBy: .daemon)
        } catch {
            let reason = try fallbackReason(for: error)
            logger.debug("Daemon embed failed; using local embedder", metadata: ["fallback_reason": "\(reason.tag)",
                                                                                 "detail": "\(reason)"])
            return try inProcess(reason)
        }
    }

    private func rerankBatch(query: String, documents: [String], model: String, forceInProcess: FallbackReason?)
        throws(ClientError) -> RerankResult {
        func inProcess(_ reason: FallbackReason) throws(ClientError) -> RerankResult {
            let (logits, id) = try engine.logits(query: query, documents: documents, model: model)
            return RerankResult(scores: CrossEncoder.sigmoid(logits), logits: logits, model: id,
                                servedBy: .inProcess(reason), elapsed: .zero)
        }
        if let forceInProcess { return try inProcess(forceInProcess) }
        if configuration.policy == .inProcessOnly { return try inProcess(.daemonDisabled) }
        logger.debug("Attempting daemon rerank", metadata: ["documents": "\(documents.count)"])
        do throws(DaemonPathFailure) {
            let response = try daemonRequest(.rerank(query: query, documents: documents, model: model),
                                              spawn: configuration.spawnDaemon, idempotent: true)
            guard case .rerank(let answer) = response else {
                throw DaemonPathFailure.client(.protocolViolation("expected a Rerank answer, got \(response.variantName)"))
            }
            do throws(DaemonAnswerProblem) {
                try DaemonAnswerCheck.rerank(scores: answer.scores, answeredModel: answer.model,
                                             documentCount: documents.count, model: model, registry: configuration.registry)
            } catch {
                throw DaemonPathFailure.client(.invalidAnswer(error))
            }
            return RerankResult(scores: answer.scores, logits: nil, model: answer.model, servedBy: .daemon, elapsed: .zero)
        } catch {
            let reason = try fallbackReason(for: error)
            logger.debug("Daemon rerank failed; using local reranker", metadata: ["fallback_reason": "\(reason.tag)",
                                                                                  "detail": "\(reason)"])
            return try inProcess(reason)
        }
    }

    /// Why to fall back, or the error to report when falling back is not allowed or cannot help.
    private func fallbackReason(for failure: DaemonPathFailure) throws(ClientError) -> FallbackReason {
        if configuration.policy == .daemonOnly { throw failure.clientError }
        switch failure {
        case .launch(.noDaemon(let socket)):
            return configuration.spawnDaemon ? .spawnFailed("no daemon appeared at \(socket)") : .noDaemonSpawnDisabled
        case .launch(.spawnFailed(let message)):
            return .spawnFailed(message)
        case .launch(.cannotConnect(let message)):
            return .daemonFailed(message)
        case .client(let error):
            // The daemon understood and refused: the engine here would refuse the same way.
            if case .daemon(let code, _, _, _) = error, code == .invalidInput || code == .modelNotFound { throw error }
            // A model the daemon cannot serve (ModelLoadFailed, not retryable) fails here the same way.
            if case .daemon(.modelLoadFailed, _, false, _) = error { throw error }
            if case .invalidRequest = error { throw error }
            if case .invalidAnswer(let problem) = error { return .invalidAnswer(problem) }
            return .daemonFailed(error.description)
        }
    }

    // MARK: Daemon-only calls

    /// Round trip of a Health request to a running daemon (never starts one).
    public func health() throws(ClientError) -> DaemonHealth {
        let start = ContinuousClock.now
        let response = try daemonOnly(.health, spawn: false)
        guard case .health(let health) = response else { throw unexpected(response, "Health") }
        return DaemonHealth(uptimeSeconds: health.uptimeSeconds, protocolVersion: health.version, ready: health.ready,
                            memoryBytes: health.memoryBytes, roundTrip: ContinuousClock.now - start)
    }

    /// The running daemon's Status (never starts one), with its pid and sockets from the run lock's
    /// heartbeat.
    public func status() throws(ClientError) -> DaemonStatus {
        let response = try daemonOnly(.status, spawn: false)
        guard case .status(let status) = response else { throw unexpected(response, "Status") }
        let heartbeat = LockFile.isHeld(at: configuration.paths.runLock) == true
            ? LockFile.readHeartbeat(at: configuration.paths.runLock) : nil
        let listeners = (heartbeat?.listeners ?? []).map {
            DaemonListener(dialect: $0.dialect, socket: $0.socket, requests: $0.requests)
        }
        return DaemonStatus(status, socket: configuration.paths.socket, pid: heartbeat?.pid, listeners: listeners,
                            attestedChannel: heartbeat?.attestedChannel)
    }

    /// Asks the running daemon to stop; returns its message. The connection is closed afterwards.
    public func shutdown() throws(ClientError) -> String {
        defer { disconnect() }
        let response = try daemonOnly(.shutdown, spawn: false, idempotent: false)
        guard case .shutdown(let message) = response else { throw unexpected(response, "Shutdown") }
        return message
    }

    /// Queues a background embedding job in the daemon (started when allowed); returns the job id.
    /// An index directory that does not exist (or is not a directory) is refused here, before anything
    /// is sent or started, with the sentence the daemon would answer (`JobIndexDirectoryProblem`).
    public func submitEmbeddingJob(dbPath: String, indexPath: String, twoTier: Bool = false,
                                   fastModel: String? = nil, qualityModel: String? = nil) throws(ClientError) -> String {
        if let problem = JobIndexDirectoryProblem.check(indexPath) { throw .invalidRequest(problem.description) }
        let response = try daemonOnly(.submitEmbeddingJob(dbPath: dbPath, indexPath: indexPath, twoTier: twoTier,
                                                          fastModel: fastModel, qualityModel: qualityModel),
                                      spawn: configuration.spawnDaemon, idempotent: false)
        guard case .jobSubmitted(let jobID, _) = response else { throw unexpected(response, "JobSubmitted") }
        return jobID
    }

    /// The daemon's embedding jobs for the database at `dbPath`.
    public func embeddingJobStatus(dbPath: String) throws(ClientError) -> [EmbeddingJob] {
        let response = try daemonOnly(.embeddingJobStatus(dbPath: dbPath), spawn: configuration.spawnDaemon)
        guard case .jobStatus(let info) = response else { throw unexpected(response, "JobStatus") }
        return info.jobs.map(EmbeddingJob.init)
    }

    /// Cancels the daemon's jobs for `dbPath` (only those of `modelID` when given); returns how many.
    public func cancelEmbeddingJob(dbPath: String, modelID: String? = nil) throws(ClientError) -> Int {
        let response = try daemonOnly(.cancelEmbeddingJob(dbPath: dbPath, modelID: modelID), spawn: false,
                                      idempotent: false)
        guard case .jobCancelled(let cancelled, _) = response else { throw unexpected(response, "JobCancelled") }
        return cancelled
    }

    // MARK: Daemon life

    /// True when a daemon accepts connections at the socket.
    public func daemonIsRunning() -> Bool {
        (try? launcher.connectExisting()).map { $0.close(); return true } ?? false
    }

    /// The daemon's pid, read from the heartbeat of its run lock while the lock is held.
    public func daemonProcessID() -> Int32? {
        guard LockFile.isHeld(at: configuration.paths.runLock) == true else { return nil }
        return LockFile.readHeartbeat(at: configuration.paths.runLock)?.pid
    }

    /// Starts a daemon unless one runs (whatever `spawnDaemon` says: this is an explicit request), then
    /// waits until it reports ready (its default embedder loaded) for at most `readyTimeout`.
    public func startDaemon(readyTimeout: Duration = .seconds(30)) throws(ClientError) -> DaemonLaunch {
        if configuration.policy == .inProcessOnly {
            throw .unavailable("the daemon is disabled (SEMD_NO_DAEMON=1 or --no-daemon)")
        }
        let launch: DaemonLaunch
        do {
            let (connection, outcome) = try connectingLock { () throws(LaunchFailure) in try launcher.connect(spawn: true) }
            cachedConnection.withLock { $0?.close(); $0 = connection }
            launch = outcome
        } catch {
            throw DaemonPathFailure.launch(error).clientError
        }
        let deadline = ContinuousClock.now + readyTimeout
        while true {
            if let health = try? health(), health.ready { return launch }
            if ContinuousClock.now >= deadline {
                throw .timeout("the daemon at \(configuration.paths.socket) did not become ready within \(readyTimeout); "
                    + "see \(configuration.paths.logFile)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Asks a running daemon to stop and waits until its socket is gone and its run lock released.
    /// Returns the pid it had, or nil when no daemon was running.
    @discardableResult
    public func stopDaemon(timeout: Duration = .seconds(10)) throws(ClientError) -> Int32? {
        let pid = daemonProcessID()
        do {
            _ = try shutdown()
        } catch .unavailable where !daemonIsRunning() && LockFile.isHeld(at: configuration.paths.runLock) != true {
            return nil
        }
        let deadline = ContinuousClock.now + timeout
        while socketEntryExists() || LockFile.isHeld(at: configuration.paths.runLock) == true {
            if ContinuousClock.now >= deadline {
                throw .timeout("the daemon\(pid.map { " (pid \($0))" } ?? "") did not stop within \(timeout)")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return pid
    }

    /// Whether anything (socket or published symlink) is at the public socket path.
    func socketEntryExists() -> Bool {
        var status = stat()
        return lstat(configuration.paths.socket, &status) == 0
    }

    // MARK: Sending

    /// Sends `request` to the daemon only; failures are thrown, never fallen back from.
    private func daemonOnly(_ request: Request, spawn: Bool, idempotent: Bool = true) throws(ClientError) -> Response {
        if configuration.policy == .inProcessOnly {
            throw .unavailable("the daemon is disabled (SEMD_NO_DAEMON=1 or --no-daemon)")
        }
        do {
            return try daemonRequest(request, spawn: spawn, idempotent: idempotent)
        } catch {
            throw error.clientError
        }
    }

    /// One request over the kept connection (opened, or the daemon spawned, when needed), retried per
    /// `configuration.retry` when it reached a daemon and failed retryably. A protocol `Error` answer
    /// is thrown as `ClientError.daemon`.
    private func daemonRequest(_ request: Request, spawn: Bool, idempotent: Bool) throws(DaemonPathFailure) -> Response {
        var failures = 0
        var reconnectedFreely = false
        while true {
            let (connection, reused) = try connection(spawn: spawn)
            let error: ClientError
            do {
                let answer = try connection.send(request)
                guard case .error(let refusal) = answer.response else { return answer.response }
                error = .daemon(code: DaemonErrorCode(refusal.code), message: refusal.message, retryable: refusal.retryable,
                                retryAfterMilliseconds: refusal.retryAfterMilliseconds)
            } catch let sendError {
                error = sendError
            }
            if connection.isBroken { dropConnection(connection) }
            // A kept connection the daemon closed while idle: reconnect at once, without counting it.
            if reused, !reconnectedFreely, idempotent, case .unavailable = error {
                reconnectedFreely = true
                logger.debug("kept connection was closed; reconnecting", metadata: ["error": "\(error)"])
                continue
            }
            failures += 1
            guard idempotent, error.isRetryable, failures < configuration.retry.maxAttempts else {
                throw .client(error)
            }
            var retryAfter: Duration?
            if case .daemon(_, _, _, let milliseconds?) = error { retryAfter = .milliseconds(Int64(clamping: milliseconds)) }
            let delay = configuration.retry.delay(afterFailure: failures, retryAfter: retryAfter)
            logger.debug("daemon request failed; retrying", metadata: [
                "request": "\(request.variantName)", "attempt": "\(failures + 1)", "delay": "\(delay)", "error": "\(error)"])
            Thread.sleep(forTimeInterval: Double(milliseconds(delay)) / 1000)
        }
    }

    /// The kept connection, or a new one (and whether it was kept).
    private func connection(spawn: Bool) throws(DaemonPathFailure) -> (DaemonConnection, Bool) {
        if let kept = cachedConnection.withLock({ $0 }), !kept.isBroken { return (kept, true) }
        do {
            return try connectingLock { () throws(LaunchFailure) -> (DaemonConnection, Bool) in
                if let kept = cachedConnection.withLock({ $0 }), !kept.isBroken { return (kept, true) }
                let (connection, launch) = try launcher.connect(spawn: spawn)
                if case .started(let pid) = launch {
                    logger.debug("started semd", metadata: ["pid": "\(pid)", "socket": "\(configuration.paths.socket)"])
                }
                cachedConnection.withLock { $0 = connection }
                return (connection, false)
            }
        } catch {
            throw .launch(error)
        }
    }

    private func connectingLock<T>(_ body: () throws(LaunchFailure) -> T) throws(LaunchFailure) -> T {
        connecting.lock()
        defer { connecting.unlock() }
        return try body()
    }

    private func dropConnection(_ connection: DaemonConnection) {
        connection.close()
        cachedConnection.withLock { if $0 === connection { $0 = nil } }
    }

    private func unexpected(_ response: Response, _ expected: String) -> ClientError {
        if case .error(let error) = response {
            return .daemon(code: DaemonErrorCode(error.code), message: error.message, retryable: error.retryable,
                           retryAfterMilliseconds: error.retryAfterMilliseconds)
        }
        return .protocolViolation("expected a \(expected) answer, got \(response.variantName)")
    }
}

/// Why the daemon path failed: it could not be reached, or it was reached and the request failed.
enum DaemonPathFailure: Error {
    case launch(LaunchFailure)
    case client(ClientError)

    var clientError: ClientError {
        switch self {
        case .launch(let failure): return .unavailable(failure.description)
        case .client(let error): return error
        }
    }
}
