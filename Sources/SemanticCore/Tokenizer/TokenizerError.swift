// TokenizerError: why a tokenizer could not be built from its files, in words a user can act on
// (which file, what was expected, what was found, what to run). Encoding itself never fails.

/// A tokenizer file is missing, unreadable or describes a tokenizer this engine does not reproduce.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model folder holds neither `tokenizer.json` nor `vocab.txt`.
    case missingTokenizerFiles(directory: String)
    /// A file the chosen loading route needs is absent.
    case missingFile(path: String, neededFor: String)
    /// The file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// The file is not the JSON (or text) structure expected.
    case malformedFile(file: String, reason: String)
    /// A pipeline component other than the BERT WordPiece one this tokenizer reproduces.
    case unsupportedComponent(file: String, component: String, expected: String, found: String)
    /// The vocabulary is empty, has duplicate or out-of-range ids, or lacks a token the pipeline needs.
    case invalidVocabulary(file: String, reason: String)
    /// A configuration value has the wrong type or an impossible value.
    case invalidSetting(file: String, key: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .missingTokenizerFiles(let directory):
            return "no tokenizer in \(directory): expected tokenizer.json, or vocab.txt with tokenizer_config.json;"
                + " run `make models` to fetch the model files"
        case .missingFile(let path, let neededFor):
            return "missing \(path) (needed for \(neededFor)); run `make models` to fetch the model files"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformedFile(let file, let reason):
            return "malformed \(file): \(reason); re-fetch it with `make models`"
        case .unsupportedComponent(let file, let component, let expected, let found):
            return "unsupported tokenizer in \(file): \(component) is \(found), expected \(expected);"
                + " only BERT WordPiece tokenizers are supported"
        case .invalidVocabulary(let file, let reason):
            return "invalid vocabulary in \(file): \(reason); re-fetch it with `make models`"
        case .invalidSetting(let file, let key, let expected, let found):
            return "invalid \(key) in \(file): expected \(expected), found \(found)"
        }
    }
}
