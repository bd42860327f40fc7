// IdentityValidationError: why an identity value (bundle, space, producer, input, storage, model
// manifest, connection identity, challenge) breaks a rule of cass protocol v2 (spec §5.8's last
// paragraphs, §6.4 step 2). It names the field by its wire path and the rule; it never repeats the
// offending text, which may be long or hold control characters.

/// One broken rule of an identity value, with the field it concerns (e.g. `space.dimension`).
public struct IdentityValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Rule: Equatable, Sendable {
        /// A schema_version other than 1.
        case unsupportedSchema(found: UInt16)
        /// Not 64 lowercase hex digits.
        case notCanonicalSHA256
        /// Empty or whitespace only.
        case blank
        /// Longer than 4,096 bytes.
        case tooLong(byteCount: Int)
        /// Holds a control character.
        case controlCharacter
        /// Not 1–128 bytes of `A–Z a–z 0–9 - _ . / :`.
        case notBoundedLabel
        /// Zero where a positive number is required (a dimension, a size, a count, a generation).
        case zero
        /// A second artifact with the same role (or the same path in a manifest).
        case duplicate(String)
        /// A semantic space without artifacts.
        case semanticSpaceWithoutArtifacts
        /// A semantic space carrying a hash-control profile.
        case semanticSpaceWithHashControl
        /// A hash-control space without its profile.
        case hashControlSpaceWithoutProfile
        /// A hash-control space listing model artifacts.
        case hashControlSpaceWithArtifacts
        /// A fingerprint or value that does not equal what it must bind (named in `what`).
        case doesNotBind(what: String)
        /// A projection that is not a strict, non-zero reduction of its source dimension.
        case notStrictReduction
        /// A storage format whose quantization or endianness contradicts it.
        case storageContract(String)
        /// The model category contradicts the space kind (HashEmbedder ⇔ hash_control).
        case categoryDisagreesWithKind
        /// A manifest's upstream revision that is not a full lowercase 40- or 64-digit commit hash.
        case notImmutableRevision
        /// A manifest artifact URL that is not credential-free HTTPS without query or fragment.
        case notCredentialFreeHTTPS
        /// A manifest artifact path that is not a plain relative path inside the model folder.
        case notRelativePath
        /// A manifest without a role it must have.
        case missingRole(String)
        /// A challenge whose input count does not fit its operation.
        case inputCountDoesNotFitOperation
    }

    /// The field, as its wire path (`space.artifacts[].role`, `producer.space_fingerprint`, …).
    public let field: String
    public let rule: Rule

    public init(field: String, rule: Rule) {
        self.field = field
        self.rule = rule
    }

    public var description: String {
        let problem: String
        switch rule {
        case .unsupportedSchema(let found): problem = "has unsupported schema version \(found); expected 1"
        case .notCanonicalSHA256: problem = "must be 64 lowercase hex digits"
        case .blank: problem = "must not be empty or blank"
        case .tooLong(let byteCount): problem = "is \(byteCount) bytes long; at most 4096 are allowed"
        case .controlCharacter: problem = "must not contain control characters"
        case .notBoundedLabel: problem = "must be 1 to 128 bytes of A-Z a-z 0-9 - _ . / :"
        case .zero: problem = "must be greater than zero"
        case .duplicate(let value): problem = "repeats '\(value)'"
        case .semanticSpaceWithoutArtifacts: problem = "must list the model's artifacts for a semantic space"
        case .semanticSpaceWithHashControl: problem = "must be absent for a semantic space"
        case .hashControlSpaceWithoutProfile: problem = "is required for a hash-control space"
        case .hashControlSpaceWithArtifacts: problem = "must be empty for a hash-control space"
        case .doesNotBind(let what): problem = "does not bind \(what)"
        case .notStrictReduction: problem = "must be a strict non-zero reduction of the source dimension"
        case .storageContract(let rule): problem = "contradicts the storage format: \(rule)"
        case .categoryDisagreesWithKind: problem = "disagrees with the space kind (HashEmbedder if and only if hash_control)"
        case .notImmutableRevision: problem = "must be a full lowercase 40- or 64-digit commit hash"
        case .notCredentialFreeHTTPS: problem = "must be https:// without whitespace, credentials, query or fragment"
        case .notRelativePath: problem = "must be a relative path inside the model folder"
        case .missingRole(let role): problem = "has no '\(role)' artifact"
        case .inputCountDoesNotFitOperation: problem = "does not fit the operation (handshake/health 0, embed 1, embed_batch ≥ 1, rerank ≥ 2)"
        }
        return "identity field \(field) \(problem)"
    }
}
