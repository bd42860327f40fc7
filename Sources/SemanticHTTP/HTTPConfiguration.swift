// How the optional HTTP listener runs: where it binds, the API key, and the limits. One documented
// Sendable value with defaults, built from flags and environment variables in one place (`resolve`);
// flags win over the environment. Refuses a non-loopback address without an API key.
import Foundation
import SemanticDaemon

public struct HTTPConfiguration: Sendable {
    /// Where the listener binds.
    public enum Address: Sendable, Equatable, CustomStringConvertible {
        /// A TCP host (name or IP literal) and port; port 0 picks a free one (the log says which).
        case tcp(host: String, port: Int)
        /// HTTP over a Unix socket at this path (its directory must be private to the owner).
        case unixSocket(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
            case .unixSocket(let path): "http+unix://\(path)"
            }
        }

        /// True for 127.0.0.0/8, ::1, `localhost`, and a Unix socket (reachable from this host only).
        public var isLoopback: Bool {
            switch self {
            case .unixSocket: return true
            case .tcp(let host, _):
                let name = host.lowercased()
                if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
                let octets = name.split(separator: ".", omittingEmptySubsequences: false)
                return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
            }
        }

        /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces).
        public static func parse(_ text: String) throws(HTTPConfigurationError) -> Address {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let host: Substring
            let portText: Substring
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                    throw .invalidAddress(text)
                }
                host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                portText = trimmed[trimmed.index(close, offsetBy: 2)...]
            } else {
                guard let colon = trimmed.lastIndex(of: ":"), !trimmed[..<colon].contains(":") else {
                    throw .invalidAddress(text)
                }
                host = trimmed[..<colon]
                portText = trimmed[trimmed.index(after: colon)...]
            }
            guard let port = Int(portText), (0...65_535).contains(port) else { throw .invalidAddress(text) }
            return .tcp(host: host.isEmpty ? "0.0.0.0" : String(host), port: port)
        }
    }

    public var address: Address
    /// Requests to /v1/* and /metrics must carry `Authorization: Bearer <key>` (nil: no key).
    public var apiKey: APIKey?
    /// Largest request body (413 beyond it).
    public var maxBodyBytes: Int = 10 << 20
    /// Most inputs (texts, or documents to rerank) in one request (413 beyond it). OpenAI's own limit.
    public var maxInputsPerRequest: Int = 2_048
    /// Most tokens one request may come to after truncation (400 beyond it, as OpenAI answers).
    public var maxTokensPerRequest: Int = 131_072
    /// Embed and rerank requests answered at once; one more gets 429 with Retry-After.
    public var maxConcurrentRequests: Int = 64
    /// Open connections; beyond it the listener stops accepting until one closes.
    public var maxConnections: Int = 512
    /// A connection silent this long (inside a request, or idle between requests) is closed.
    public var readTimeout: Duration = .seconds(30)
    /// The whole body must arrive within this (408 after it), however slowly it trickles.
    public var bodyTimeout: Duration = .seconds(60)
    /// Seconds a client is told to wait after a 429 or 503.
    public var retryAfterSeconds: Int = 1
    /// On a Unix socket, the one user served (SO_PEERCRED): the daemon's own. Others are closed unread.
    public var servedUserID: UInt32 = getuid()

    public init(address: Address, apiKey: APIKey? = nil) {
        self.address = address
        self.apiKey = apiKey
    }

    /// Builds the configuration from flag values (nil = not given) and the environment: `SEMD_HTTP`,
    /// `SEMD_HTTP_SOCKET`, `SEMD_API_KEY_FILE`, `SEMD_HTTP_MAX_CONCURRENT`. Returns nil when no
    /// listener is asked for. Throws when a non-loopback address comes without an API key file.
    public static func resolve(
        http: String? = nil,
        httpSocket: String? = nil,
        apiKeyFile: String? = nil,
        maxConcurrentRequests: Int? = nil,
        maxInputs: Int? = nil,
        maxTokens: Int? = nil,
        maxBody: String? = nil,
        readTimeoutSeconds: Double? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(HTTPConfigurationError) -> HTTPConfiguration? {
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let text = environment[name], !text.isEmpty { return text }
            return nil
        }
        let tcp = value(http, "SEMD_HTTP")
        let socket = value(httpSocket, "SEMD_HTTP_SOCKET")
        let keyFile = value(apiKeyFile, "SEMD_API_KEY_FILE")
        if tcp != nil && socket != nil { throw .bothAddresses }
        let address: Address
        if let tcp {
            address = try Address.parse(tcp)
        } else if let socket {
            address = .unixSocket(path: (socket as NSString).expandingTildeInPath)
        } else {
            if keyFile != nil { throw .keyWithoutListener }
            return nil
        }
        let key = try keyFile.map { path throws(HTTPConfigurationError) in try APIKey.load(fromFile: path) }
        if !address.isLoopback && key == nil { throw .nonLoopbackWithoutKey(address.description) }
        var configuration = HTTPConfiguration(address: address, apiKey: key)
        func positive(_ flag: Int?, _ name: String) throws(HTTPConfigurationError) -> Int? {
            if let flag {
                guard flag >= 1 else { throw .invalid(name: name, value: "\(flag)", expected: "at least 1") }
                return flag
            }
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let number = Int(text), number >= 1 else { throw .invalid(name: name, value: text, expected: "at least 1") }
            return number
        }
        if let count = try positive(maxConcurrentRequests, "SEMD_HTTP_MAX_CONCURRENT") { configuration.maxConcurrentRequests = count }
        if let count = try positive(maxInputs, "SEMD_HTTP_MAX_INPUTS") { configuration.maxInputsPerRequest = count }
        if let count = try positive(maxTokens, "SEMD_HTTP_MAX_TOKENS") { configuration.maxTokensPerRequest = count }
        if let text = value(maxBody, "SEMD_HTTP_MAX_BODY") {
            guard let bytes = DaemonConfiguration.parseByteSize(text), bytes >= 1, bytes <= UInt64(Int.max) else {
                throw .invalid(name: "maximum body size", value: text, expected: "a size such as 10M or 1048576")
            }
            configuration.maxBodyBytes = Int(bytes)
        }
        if let seconds = readTimeoutSeconds, seconds > 0 { configuration.readTimeout = .milliseconds(Int64(seconds * 1000)) }
        return configuration
    }
}

public enum HTTPConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    case bothAddresses
    case keyWithoutListener
    case nonLoopbackWithoutKey(String)
    case keyFile(path: String, problem: String)
    case invalid(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .invalidAddress(let text):
            return "invalid HTTP address '\(text)': expected HOST:PORT such as 127.0.0.1:8088 or [::1]:8088"
        case .bothAddresses:
            return "--http and --http-socket exclude each other; choose one"
        case .keyWithoutListener:
            return "--api-key-file needs a listener: add --http HOST:PORT or --http-socket PATH"
        case .nonLoopbackWithoutKey(let address):
            return "refusing to serve HTTP on \(address) without an API key: the address is reachable from other "
                + "hosts. Write a key to a file only you can read (umask 077; head -c 32 /dev/urandom | base64 > FILE) "
                + "and pass --api-key-file FILE, or bind 127.0.0.1"
        case .keyFile(let path, let problem):
            return "API key file \(path): \(problem)"
        case .invalid(let name, let value, let expected):
            return "invalid \(name) '\(value)': expected \(expected)"
        }
    }
}
