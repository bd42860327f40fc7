// `semctl models list`: every model semd serves from this models directory — its own and the user
// models of the models file — with its kind, dimension, pooling, token limit, prompts, folder and
// whether it is installed, as a table or one JSON object. Reads configuration files only; never loads
// weights.
import ArgumentParser
import Foundation
import SemanticClient
import SemanticCore

struct ListModels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every model: kind, dimension, pooling, max length, prompts, folder and installed state.",
        discussion: """
        semd's own models and the user models added with `semctl models add` (the models file \\
        <models dir>/models.json). INSTALLED is yes, no, partial (files missing) or unsupported (the \\
        folder's configuration names something semd cannot serve; the reason follows the table).

        Examples:
          semctl models list
          semctl models list --json | jq '.models[] | select(.installed) | .id'
          semctl models list --json | jq '.models[] | select(.user_defined) | {id, prompts}'
        """
    )

    @OptionGroup var location: ModelLocationOptions
    @Flag(name: .long, help: "Print one JSON object instead of a table.") var json = false

    struct Row {
        let model: ModelDescriptor
        let folder: URL
        let missing: [String]
        let description: ModelFolderDescription?
        let problem: String?

        var installedState: String {
            if !missing.isEmpty { return missing.count == model.requiredFiles.count ? "no" : "partial" }
            return problem == nil ? "yes" : "unsupported"
        }
    }

    func run() throws {
        let root = location.root
        let file = UserModelsFile(root: root)
        let registry: ModelRegistry
        do {
            registry = try ModelRegistry.standard.addingUserModels(try file.read(), source: "models file \(file.url.path)")
        } catch {
            throw CommandFailure(String(describing: error), hint: "the models file lists the models added with `semctl models add`")
        }
        let rows = registry.models.map { model -> Row in
            let folder = root.directory(for: model)
            let missing = ModelsRoot.missingFiles(of: model, in: folder)
            guard missing.isEmpty else { return Row(model: model, folder: folder, missing: missing, description: nil, problem: nil) }
            do {
                let description = try ModelFolder.describe(folder, as: model.isUserDefined ? nil : model.kind)
                if description.kind != model.kind {
                    return Row(model: model, folder: folder, missing: [], description: nil,
                               problem: "the folder holds a \(description.kind), but \(model.id) was added as a \(model.kind)")
                }
                return Row(model: model, folder: folder, missing: [], description: description, problem: nil)
            } catch {
                return Row(model: model, folder: folder, missing: [], description: nil, problem: String(describing: error))
            }
        }
        if json {
            print(Self.json(rows, root: root, file: file).text)
            return
        }
        print("Models directory: \(root)")
        print("Models file: \(file.url.path)\(FileManager.default.fileExists(atPath: file.url.path) ? "" : " (none yet)")")
        print("")
        let table = TextTable(columns: ["ID", "KIND", "DIM", "POOLING", "MAX LEN", "PROMPTS", "INSTALLED", "ALSO ANSWERS TO",
                                        "FOLDER"])
        for row in rows {
            let description = row.description
            let dimension = (description?.dimension ?? row.model.dimension).map(String.init) ?? "-"
            let pooling = description.map { description in
                description.pooling.isEmpty ? "-" : description.pooling.map(\.name).joined(separator: "+")
                    + (description.normalizes ? ", norm" : "")
            } ?? "?"
            let prompts = description.map(Self.promptSummary) ?? "?"
            let aliases = row.model.aliases.isEmpty ? (row.model.isUserDefined ? "(user model)" : "-")
                : row.model.aliases.joined(separator: ", ")
            table.add([row.model.id, row.model.kind.rawValue, dimension, pooling,
                       description.map { String($0.maxSequenceLength) } ?? "?", prompts, row.installedState, aliases,
                       row.folder.path])
        }
        print(table.render())
        for row in rows where !row.missing.isEmpty {
            print("\n\(row.model.id): missing \(row.missing.joined(separator: ", ")). To install: \(row.model.installHint).")
        }
        for row in rows {
            if let problem = row.problem { print("\n\(row.model.id): unsupported: \(problem)") }
        }
    }

    /// `query, passage*` (the default prompt starred); empty prompts are left out; `-` for none.
    static func promptSummary(_ description: ModelFolderDescription) -> String {
        let named = description.prompts.names.filter { !(description.prompts.prompts[$0] ?? "").isEmpty }
        guard !named.isEmpty else { return "-" }
        return named.map { $0 == description.prompts.defaultPromptName ? $0 + "*" : $0 }.joined(separator: ", ")
    }

    static func json(_ rows: [Row], root: ModelsRoot, file: UserModelsFile) -> JSONValue {
        let models: [JSONValue] = rows.map { row in
            let description = row.description
            return .object([
                ("id", .string(row.model.id)),
                ("kind", .string(row.model.kind.rawValue)),
                ("name", .string(row.model.displayName)),
                ("aliases", .strings(row.model.aliases)),
                ("dimension", (description?.dimension ?? row.model.dimension).map { .int($0) } ?? .null),
                ("directory", .string(row.folder.path)),
                ("installed", .bool(row.missing.isEmpty)),
                ("missing_files", .strings(row.missing)),
                ("source", .string(row.model.source)),
                ("user_defined", .bool(row.model.isUserDefined)),
                ("supported", .bool(row.missing.isEmpty && row.problem == nil)),
                ("problem", row.problem.map { .string($0) } ?? .null),
                ("pooling", description.map { .strings($0.pooling.map(\.name)) } ?? .null),
                ("normalizes", description.map { .bool($0.normalizes) } ?? .null),
                ("max_sequence_length", description.map { .int($0.maxSequenceLength) } ?? .null),
                ("lowercases", description.map { .bool($0.lowercasesText) } ?? .null),
                ("prompts", description.map { description in
                    .object(description.prompts.names.map { ($0, .string(description.prompts.prompts[$0] ?? "")) })
                } ?? .null),
                ("default_prompt_name", description?.prompts.defaultPromptName.map { .string($0) } ?? .null),
            ])
        }
        return .object([
            ("models_dir", .string(root.url.path)),
            ("models_dir_source", .string(root.source.rawValue)),
            ("models_file", .string(file.url.path)),
            ("models", .array(models)),
        ])
    }
}
