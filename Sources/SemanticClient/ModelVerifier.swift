// Checks an installed model folder against the registry: every required file present, every file
// with a published checksum hashed (SHA-256, streamed) and compared. Reads files; never writes.
import Crypto
import Foundation
import SemanticCore

/// The verdict on one file of a model folder.
public struct ModelFileCheck: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// Present and its SHA-256 equals the published one.
        case verified
        /// Present; no checksum is published for it, so only its presence was checked.
        case present
        /// Present but its SHA-256 differs from the published one.
        case mismatch
        /// Absent.
        case missing
    }

    public let file: String
    public let status: Status
    public let required: Bool
    public let expectedSHA256: String?
    public let actualSHA256: String?
}

/// The verdict on a whole model folder.
public struct ModelVerification: Sendable, Equatable {
    public let model: ModelDescriptor
    public let directory: URL
    public let files: [ModelFileCheck]

    /// True when nothing required is missing and no file's checksum differs.
    public var isValid: Bool {
        !files.contains { $0.status == .mismatch || ($0.status == .missing && $0.required) }
    }

    /// True when the folder holds none of the model's required files.
    public var isAbsent: Bool {
        files.filter(\.required).allSatisfy { $0.status == .missing }
    }
}

public enum ModelVerifier {
    /// Verifies `model` in `directory`.
    public static func verify(_ model: ModelDescriptor, in directory: URL) -> ModelVerification {
        let names = Set(model.requiredFiles).union(model.checksums.keys).sorted()
        let checks = names.map { name -> ModelFileCheck in
            let url = directory.appendingPathComponent(name)
            // a required file its alternatives stand in for (tokenizer.json by vocab.txt and
            // tokenizer_config.json) is reported missing but not required
            let required = model.requiredFiles.contains(name) && !ModelsRoot.isReplaced(name, of: model, in: directory)
            let expected = model.checksums[name]
            guard FileManager.default.fileExists(atPath: url.path) else {
                return ModelFileCheck(file: name, status: .missing, required: required,
                                      expectedSHA256: expected, actualSHA256: nil)
            }
            guard let expected else {
                return ModelFileCheck(file: name, status: .present, required: required,
                                      expectedSHA256: nil, actualSHA256: nil)
            }
            let actual = try? sha256(of: url)
            return ModelFileCheck(file: name, status: actual == expected ? .verified : .mismatch,
                                  required: required, expectedSHA256: expected, actualSHA256: actual)
        }
        return ModelVerification(model: model, directory: directory, files: checks)
    }

    /// Lower-case hex SHA-256 of a file, read in 4 MiB chunks.
    public static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
