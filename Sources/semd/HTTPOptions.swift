// semd's HTTP flags (off unless --http or --http-socket is given) and the services they add beside the
// daemon. Thin: the values become an HTTPConfiguration in one place (`HTTPConfiguration.resolve`).
import ArgumentParser
import Logging
import SemanticDaemon
import SemanticHTTP
import ServiceLifecycle

struct HTTPOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also serve the HTTP API on HOST:PORT (off by default): OpenAI POST /v1/embeddings, POST /v1/rerank, "
            + "GET /v1/models, /health, /metrics. A non-loopback HOST (anything but 127.x, ::1, localhost) "
            + "is refused unless --api-key-file is given.",
        valueName: "host:port"))
    var http: String?

    @Option(help: ArgumentHelp("Serve the HTTP API on a Unix socket instead (its directory must be private, e.g. "
                                + "$XDG_RUNTIME_DIR).", valueName: "path"))
    var httpSocket: String?

    @Option(help: ArgumentHelp(
        "Require 'Authorization: Bearer <key>' on /v1/* and /metrics (not /health). The file holds the key "
            + "(16+ characters), is yours and mode 0600; keys are compared in constant time.",
        valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("Embed/rerank requests answered at once over HTTP; more get 429 (default 64).",
                               valueName: "n"))
    var httpMaxConcurrent: Int?

    @Option(help: ArgumentHelp("Most inputs or documents per HTTP request; more get 413 (default 2048).", valueName: "n"))
    var httpMaxInputs: Int?

    @Option(help: ArgumentHelp("Most tokens per HTTP request after truncation; more get 400 (default 131072).",
                               valueName: "n"))
    var httpMaxTokens: Int?

    @Option(help: ArgumentHelp("Largest HTTP request body; larger get 413 (default 10M).", valueName: "size"))
    var httpMaxBody: String?

    /// The listener's configuration, or nil when no listener is asked for (flags or environment).
    func resolve(readTimeoutSeconds: Double?) throws -> HTTPConfiguration? {
        do {
            return try HTTPConfiguration.resolve(
                http: http, httpSocket: httpSocket, apiKeyFile: apiKeyFile, maxConcurrentRequests: httpMaxConcurrent,
                maxInputs: httpMaxInputs, maxTokens: httpMaxTokens, maxBody: httpMaxBody,
                readTimeoutSeconds: readTimeoutSeconds)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// A service whose end, clean or not, stops the whole group gracefully.
    static func stoppingTheGroup(_ service: any Service) -> Self {
        .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
              failureTerminationBehavior: .gracefullyShutdownGroup)
    }
}
