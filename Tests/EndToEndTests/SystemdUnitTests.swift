// The systemd unit Docs/DEPLOYMENT.md shows, read from the document itself (as the nginx test reads its
// block), so the page cannot drift from what is checked: `systemd-analyze verify` accepts it without a
// warning (with the built semd standing in for /usr/local/bin/semd), its ExecStart starts a replica
// that answers /health 200 with the real model, and its ExecStartPost readiness probe (curl) succeeds
// against that replica. Skips only when systemd-analyze or curl is missing and CI is unset; in CI
// (`make deployment-tools` installs both) a missing tool fails it. Never edits the document.
import Foundation
import SemanticRuntime
import SemanticTestSupport
import Testing

/// The ```ini block of Docs/DEPLOYMENT.md and the commands in it.
struct DocumentedSystemdUnit {
    /// The unit file as the document shows it.
    let text: String

    static let documentedBinary = "/usr/local/bin/semd"
    static let documentedModels = "/var/lib/semd/models"

    static func fromDeploymentGuide() throws -> DocumentedSystemdUnit {
        let document = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Docs/DEPLOYMENT.md"), encoding: .utf8)
        guard let start = document.range(of: "```ini\n"),
              let end = document.range(of: "\n```", range: start.upperBound..<document.endIndex) else {
            throw FixtureError.malformed("Docs/DEPLOYMENT.md has no ```ini block (the systemd unit)")
        }
        let text = String(document[start.upperBound..<end.lowerBound]) + "\n"
        guard text.contains("[Service]"), text.contains("ExecStart=\(documentedBinary) ") else {
            throw FixtureError.malformed("the ```ini block of Docs/DEPLOYMENT.md is no longer a [Service] running \(documentedBinary)")
        }
        return DocumentedSystemdUnit(text: text)
    }

    /// The unit's logical lines (a trailing backslash continues a line, as systemd reads them).
    var lines: [String] {
        var joined: [String] = []
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
            } else {
                joined.append(pending + line)
                pending = ""
            }
        }
        return joined
    }

    /// The value of `key=` (the first such line).
    func value(of key: String) throws -> String {
        guard let line = lines.first(where: { $0.hasPrefix(key + "=") }) else {
            throw FixtureError.malformed("the documented unit has no \(key)=")
        }
        return String(line.dropFirst(key.count + 1))
    }

    /// ExecStart's arguments after the binary, with `%i` as `instance`.
    func serviceArguments(instance: String) throws -> [String] {
        let words = try value(of: "ExecStart").replacingOccurrences(of: "%i", with: instance)
            .split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.first == Self.documentedBinary else {
            throw FixtureError.malformed("ExecStart no longer runs \(Self.documentedBinary): \(words)")
        }
        return Array(words.dropFirst())
    }

    /// The shell script ExecStartPost runs (`/bin/sh -c '…'`), with `%i` as `instance`.
    func readinessScript(instance: String) throws -> String {
        let command = try value(of: "ExecStartPost")
        let prefix = "/bin/sh -c '"
        guard command.hasPrefix(prefix), command.hasSuffix("'") else {
            throw FixtureError.malformed("ExecStartPost is no longer /bin/sh -c '…': \(command)")
        }
        return String(command.dropFirst(prefix.count).dropLast()).replacingOccurrences(of: "%i", with: instance)
    }
}

@Suite(.serialized) struct SystemdUnitTests {
    static let curl: URL? = ExternalTools.executable(named: "SEMD_CURL", candidates: ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"])

    @Test(.enabled(if: ExternalTools.runs(whenFound: ExternalTools.systemdAnalyze),
                   "systemd-analyze is not installed (apt-get install systemd, or `make deployment-tools`)"))
    func theDocumentedUnitPassesSystemdAnalyzeVerifyWithoutAWarning() async throws {
        let analyze = try #require(ExternalTools.systemdAnalyze, "CI is set and systemd-analyze is not installed (`make deployment-tools`)")
        try #require(FileManager.default.isExecutableFile(atPath: analyze.path), "\(analyze.path) is not an executable systemd-analyze")
        let unit = try DocumentedSystemdUnit.fromDeploymentGuide()
        let semd = try BuiltExecutables.url("semd")
        let scratch = try TemporaryDirectory(prefix: "semd-unit")
        defer { scratch.remove() }
        // An instance name, so %i resolves as in `systemctl enable semd@8081`; the built semd stands in
        // for the installed one (verify checks that ExecStart's binary exists and is executable).
        let installed = unit.text.replacingOccurrences(of: DocumentedSystemdUnit.documentedBinary + " ", with: semd.path + " ")
        let file = scratch.path("semd@8081.service")
        try installed.write(to: file, atomically: true, encoding: .utf8)
        let output = try await offPool { try Subprocess.run(analyze, ["verify", file.path], timeout: .seconds(120)) }
        #expect(output.status == 0, "\(output)")
        // verify exits 0 on an unknown key or a value it cannot parse ("…, ignoring"): any line naming
        // the unit is a finding.
        let findings = (output.standardOutput + output.standardError).split(separator: "\n").filter { $0.contains("semd@") }
        #expect(findings.isEmpty, "systemd-analyze verify: \(findings.joined(separator: "\n"))")

        // The check can fail: the same unit with a misspelt directive is reported.
        let broken = scratch.path("broken@8081.service")
        try installed.replacingOccurrences(of: "RestartSec=", with: "RestartSecs=").write(to: broken, atomically: true, encoding: .utf8)
        let brokenOutput = try await offPool { try Subprocess.run(analyze, ["verify", broken.path], timeout: .seconds(120)) }
        #expect((brokenOutput.standardOutput + brokenOutput.standardError).contains("RestartSecs"), "\(brokenOutput)")
    }

    @Test(.enabled(if: ExternalTools.runs(whenFound: SystemdUnitTests.curl),
                   "curl is not installed (the unit's readiness probe uses it; `make deployment-tools`)"))
    func theDocumentedExecStartServesHealthAndItsReadinessProbeSucceeds() async throws {
        let curl = try #require(Self.curl, "CI is set and curl is not installed (`make deployment-tools`)")
        try #require(FileManager.default.isExecutableFile(atPath: curl.path), "\(curl.path) is not an executable curl")
        let unit = try DocumentedSystemdUnit.fromDeploymentGuide()
        try await DaemonSandbox.with { sandbox in
            let port = LoopbackPort.free()
            // The unit's own flags, with this test's socket, models and a free port in place of the
            // runtime directory, /var/lib/semd/models and %i.
            var arguments = try unit.serviceArguments(instance: String(port))
            let socketFlag = try #require(arguments.firstIndex(of: "--socket"), "ExecStart names its socket")
            #expect(arguments[socketFlag + 1] == "/run/semd-\(port)/semd.sock", "the socket sits in RuntimeDirectory=semd-%i")
            arguments.removeSubrange(socketFlag...(socketFlag + 1))
            #expect(arguments.contains(DocumentedSystemdUnit.documentedModels), "ExecStart names \(DocumentedSystemdUnit.documentedModels)")
            arguments = arguments.map { $0 == DocumentedSystemdUnit.documentedModels ? sandbox.modelsDirectory.path : $0 }
            let replica = try DaemonProcess(socket: sandbox.scratch.path("unit.sock").path, arguments: arguments)
            do {
                try await Self.probe(unit: unit, port: port, curl: curl, replica: replica)
            } catch {
                _ = try? await offPool { replica.stop() }
                throw error
            }
            _ = try? await offPool { replica.stop() }
        }
    }

    /// ExecStartPost, as systemd would run it once ExecStart has started: it polls /health with curl and
    /// exits 0 once the replica answers 200 (its own bound: 120 tries, 0.5 s apart); then /health itself.
    private static func probe(unit: DocumentedSystemdUnit, port: Int, curl: URL, replica: DaemonProcess) async throws {
        let script = try unit.readinessScript(instance: String(port))
        let probe = try await offPool {
            try Subprocess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script],
                               environment: ["PATH": curl.deletingLastPathComponent().path + ":/usr/bin:/bin"],
                               timeout: .seconds(240))
        }
        #expect(probe.status == 0, "ExecStartPost's probe: \(probe)\nsemd: \(replica.errorOutput)")
        let health = try await offPool {
            try HTTPConnection.connect(to: .tcp(host: "127.0.0.1", port: port)).request("GET", "/health")
        }
        #expect(health.status == 200 && health.json?["ready"] as? Bool == true, "\(health.text)")
    }
}
