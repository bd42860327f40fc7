// V2Fixture: the test vectors of Tests/Fixtures/wire/v2-frames.json (computed by the real Rust code of
// cass v2 and frankensearch) as typed values: the worked example of spec §9, its proofs, the MiniLM
// identity table of §5.8 and the reference server's identity. Only loads; the tests compare.
import Foundation
import SemanticTestSupport

/// Immutable after loading, so it is shared across tests.
struct V2Fixture: @unchecked Sendable {
    let root: [String: Any]

    static let shared: V2Fixture = {
        do {
            guard let root = try Fixtures.json("wire/v2-frames.json") as? [String: Any] else {
                fatalError("wire/v2-frames.json is not a JSON object")
            }
            return V2Fixture(root: root)
        } catch {
            fatalError("cannot load wire/v2-frames.json: \(error)")
        }
    }()

    var workedExample: [String: Any] { root["worked_example"] as! [String: Any] }
    var proofs: [Proof] { (workedExample["proofs"] as! [[String: Any]]).map(Proof.init) }
    var identityTable: [String: [String: Any]] { root["minilm_identity_table"] as! [String: [String: Any]] }
    var referenceServerIdentity: [String: Any] { root["reference_server_identity"] as! [String: Any] }
    var keyIDVectors: [(key: [UInt8], keyID: String)] {
        let state = root["state_files"] as! [String: Any]
        return (state["key_id_vectors"] as! [[String: Any]]).map {
            (hexBytes($0["key_hex"] as! String), $0["key_id"] as! String)
        }
    }

    func string(_ key: String) -> String { workedExample[key] as! String }
    var key: [UInt8] { hexBytes(string("key_hex")) }

    func proof(named prefix: String) -> Proof { proofs.first { $0.name.hasPrefix(prefix) }! }

    /// One signed proof of the worked example: inputs, preimages, digests and the signature.
    struct Proof: @unchecked Sendable {
        let fields: [String: Any]
        init(_ fields: [String: Any]) { self.fields = fields }
        var name: String { fields["name"] as! String }
        var nonce: String { fields["nonce"] as! String }
        var operation: String { fields["operation"] as! String }
        var inputs: [String] { fields["inputs"] as! [String] }
        var vectors: [[Float]] {
            (fields["vectors_f32_bits"] as! [[String]]).map { row in row.map { Float(bitPattern: UInt32($0, radix: 16)!) } }
        }
        func hex(_ key: String) -> [UInt8] { hexBytes(fields[key] as! String) }
        func string(_ key: String) -> String { fields[key] as! String }
        func integer(_ key: String) -> Int { (fields[key] as! NSNumber).intValue }
    }
}

/// Bytes of a hex string from a fixture (either case).
func hexBytes(_ hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}
