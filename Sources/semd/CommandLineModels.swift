// `semd --model NAME=DIR`: parse each flag, check the name, and trial-load the folder before the
// daemon starts, so a folder semd cannot serve stops the start with the reason instead of failing
// every request later. Thin: the checks are SemanticCore's (UserModelName, ModelTrial, ModelCatalog).
import ArgumentParser
import Foundation
import SemanticCore
import SemanticService

enum CommandLineModels {
    /// The user models the flags name, each trial-loaded. A malformed flag or a taken name is a usage
    /// error; a folder that fails the trial load a setup failure (exit 1), with the reason on stderr.
    static func trialLoaded(_ flags: [String], modelsRoot: ModelsRoot) throws -> [UserModelEntry] {
        var entries: [UserModelEntry] = []
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex, flag.index(after: equals) != flag.endIndex else {
                throw ValidationError("--model \(flag): expected NAME=DIR, e.g. --model bge=~/hf/bge-small-en-v1.5")
            }
            let name = String(flag[..<equals])
            if let problem = UserModelName.problem(with: name) {
                throw ValidationError("--model \(flag): '\(name)' cannot be a model name: \(problem)")
            }
            guard !entries.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw ValidationError("--model \(flag): the name '\(name)' is given twice")
            }
            let path = (String(flag[flag.index(after: equals)...]) as NSString).expandingTildeInPath
            let directory = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            do {
                let description = try ModelTrial.run(directory.standardizedFileURL)
                entries.append(UserModelEntry(name: name, directory: directory.standardizedFileURL, kind: description.kind))
            } catch {
                FileHandle.standardError.write(Data("semd: --model \(flag): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        do {
            _ = try ModelRegistry.daemon.addingUserModels(entries, source: "semd --model")
        } catch {
            throw ValidationError("--model: \(error)")
        }
        return entries
    }
}
