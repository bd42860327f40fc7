// Where models live on disk: the models root (first hit wins: --models-dir, SEMD_MODELS_DIR, the
// Models/ folder of the repository this binary was built in, then $XDG_DATA_HOME/semd/models) and
// each model's folder inside it, with a check that names missing files and how to install them.
// Reads the file system only to test for existence; never creates, writes or deletes anything.
import Foundation

/// The folder that holds one folder per model, and why it was chosen.
public struct ModelsRoot: Sendable, Equatable, CustomStringConvertible {
    public enum Source: String, Sendable, Equatable {
        case flag = "--models-dir"
        case environment = "SEMD_MODELS_DIR"
        case repository = "repository Models/"
        case userData = "XDG data directory"
    }

    public let url: URL
    public let source: Source

    public init(url: URL, source: Source) {
        self.url = url.standardizedFileURL
        self.source = source
    }

    public var description: String { "\(url.path) (\(source.rawValue))" }

    /// Two roots are the same folder chosen for the same reason (URLs compare by path, so a
    /// trailing slash or directory hint makes no difference).
    public static func == (lhs: ModelsRoot, rhs: ModelsRoot) -> Bool {
        lhs.url.path == rhs.url.path && lhs.source == rhs.source
    }

    /// Resolves the models root.
    /// - Parameters:
    ///   - explicitDirectory: the `--models-dir` flag, if given.
    ///   - environment: the process environment (`SEMD_MODELS_DIR`, `XDG_DATA_HOME`, `HOME`).
    ///   - executablePath: the running binary; its ancestors are searched for `Package.swift` + `Models/`.
    public static func resolve(
        explicitDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String? = CommandLine.arguments.first
    ) -> ModelsRoot {
        if let explicitDirectory, !explicitDirectory.isEmpty {
            return ModelsRoot(url: URL(fileURLWithPath: expandTilde(explicitDirectory, environment)), source: .flag)
        }
        if let fromEnvironment = environment["SEMD_MODELS_DIR"], !fromEnvironment.isEmpty {
            return ModelsRoot(url: URL(fileURLWithPath: expandTilde(fromEnvironment, environment)), source: .environment)
        }
        if let executablePath, let repository = repositoryContaining(executablePath: executablePath) {
            return ModelsRoot(url: repository.appendingPathComponent("Models", isDirectory: true), source: .repository)
        }
        return ModelsRoot(url: userDataDirectory(environment), source: .userData)
    }

    /// `$XDG_DATA_HOME/semd/models`, default `~/.local/share/semd/models`.
    public static func userDataDirectory(_ environment: [String: String]) -> URL {
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            dataHome = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            dataHome = (home as NSString).appendingPathComponent(".local/share")
        }
        return URL(fileURLWithPath: dataHome).appendingPathComponent("semd/models", isDirectory: true)
    }

    /// Walks up from the executable (symlinks resolved) to the first folder holding `Package.swift`
    /// and a `Models/` folder: the repository the binary was built in.
    static func repositoryContaining(executablePath: String) -> URL? {
        let fileManager = FileManager.default
        var absolute = executablePath
        if !absolute.hasPrefix("/") {
            if !absolute.contains("/"), let found = searchPath(for: absolute) {
                absolute = found
            } else {
                absolute = (fileManager.currentDirectoryPath as NSString).appendingPathComponent(absolute)
            }
        }
        var directory = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" && !directory.path.isEmpty {
            let manifest = directory.appendingPathComponent("Package.swift").path
            let models = directory.appendingPathComponent("Models").path
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: manifest),
               fileManager.fileExists(atPath: models, isDirectory: &isDirectory), isDirectory.boolValue {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    private static func searchPath(for command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") {
            let candidate = (String(folder) as NSString).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst()
    }

    /// The folder where `model` lives (whether or not it is installed): a user model's own folder, else
    /// its folder name under this root.
    public func directory(for model: ModelDescriptor) -> URL {
        model.userFolder ?? url.appendingPathComponent(model.directoryName, isDirectory: true)
    }

    /// The model's folder, checked to hold every required file.
    public func installedDirectory(for model: ModelDescriptor) throws(ModelDirectoryError) -> URL {
        let folder = directory(for: model)
        let missing = ModelsRoot.missingFiles(of: model, in: folder)
        guard missing.isEmpty else {
            throw ModelDirectoryError.notInstalled(
                model: model.id, directory: folder.path, missingFiles: missing, installHint: model.installHint)
        }
        return folder
    }

    /// Required files of `model` that `folder` lacks (all of them when the folder does not exist). A
    /// file whose alternatives are all present is not missing; one that is missing is named with them.
    public static func missingFiles(of model: ModelDescriptor, in folder: URL) -> [String] {
        model.requiredFiles.compactMap { file in
            if fileExists(file, in: folder) || isReplaced(file, of: model, in: folder) { return nil }
            guard let alternatives = model.requiredFileAlternatives[file], !alternatives.isEmpty else { return file }
            return "\(file) (or \(alternatives.joined(separator: " and ")))"
        }
    }

    /// True when `file`, a required file of `model`, is absent from `folder` but all of its alternatives
    /// are present.
    public static func isReplaced(_ file: String, of model: ModelDescriptor, in folder: URL) -> Bool {
        guard let alternatives = model.requiredFileAlternatives[file], !alternatives.isEmpty else { return false }
        return !fileExists(file, in: folder) && alternatives.allSatisfy { fileExists($0, in: folder) }
    }

    private static func fileExists(_ file: String, in folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path)
    }
}

public enum ModelDirectoryError: Error, Equatable, CustomStringConvertible {
    case notInstalled(model: String, directory: String, missingFiles: [String], installHint: String)

    public var description: String {
        switch self {
        case .notInstalled(let model, let directory, let missingFiles, let installHint):
            return "model \(model) is not installed at \(directory): missing \(missingFiles.joined(separator: ", ")); "
                + installHint
        }
    }
}
