// SemanticCore: a pure-Swift BERT-family inference engine (weights, tokenizer, kernels, models).
// It never opens a socket, never controls processes and never bootstraps logging.

/// The engine's version, reported by `semctl` and the daemon.
public enum SemanticCoreInfo {
    public static let version = "0.1.0"
}
