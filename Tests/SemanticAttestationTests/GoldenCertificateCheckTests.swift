// The start-up check's rules without the model: shape errors, the 1 − cos tolerance on either side
// of its bound, and that a vector pointing elsewhere is reported with its text.
import SemanticAttestation
import SemanticTestSupport
import Testing

@Suite("Golden certificate check")
struct GoldenCertificateCheckTests {
    let reference = GoldenCertificateCheck.referenceVectors

    @Test("the pinned reference is four unit vectors of 384 values")
    func referenceShape() {
        #expect(reference.count == 4)
        for vector in reference {
            #expect(vector.count == 384)
            let norm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test("the pinned 'hello world' is sentence-transformers' own vector (torch f64 golden) within the tolerance")
    func referenceIsMiniLM() throws {
        let cases = try Golden.cases("goldens/minilm_embeddings.json")
        let hello = try #require(cases.first { $0["text"] as? String == "hello world" })
        let torch = try Golden.floats(hello["embedding_f64"])
        let distance = GoldenCertificateCheck.oneMinusCosine(reference[0], torch)
        print("pinned 'hello world' vs torch f64: 1 - cos = \(distance)")
        #expect(distance <= GoldenCertificateCheck.maximumOneMinusCosine)
    }

    @Test("the reference itself and a copy with last-bit noise pass")
    func tolerance() throws {
        try GoldenCertificateCheck.verify(vectors: reference)
        let noisy = reference.map { $0.map { Float(bitPattern: $0.bitPattern ^ 1) } }
        #expect(noisy != reference)
        try GoldenCertificateCheck.verify(vectors: noisy)
    }

    @Test("a vector turned away from its reference is reported with its text")
    func drift() {
        var drifted = reference
        drifted[1][0] += 0.01  // 1 - cos ≈ 5e-5 for a unit vector
        let error = #expect(throws: GoldenCertificateError.self) { try GoldenCertificateCheck.verify(vectors: drifted) }
        guard case .driftedFromReference(let row, let text, let distance, let tolerance)? = error else {
            Issue.record("expected a drift error, got \(String(describing: error))")
            return
        }
        #expect(row == 1)
        #expect(text == "semantic search finds related ideas")
        #expect(distance > tolerance)
        var swapped = reference
        swapped.swapAt(0, 3)
        #expect(throws: GoldenCertificateError.self) { try GoldenCertificateCheck.verify(vectors: swapped) }
    }

    @Test("wrong counts, lengths, non-finite and zero vectors are refused")
    func shapes() {
        #expect(throws: GoldenCertificateError.wrongCount(expected: 4, found: 5)) {
            try GoldenCertificateCheck.verify(vectors: reference + [reference[0]])
        }
        var short = reference
        short[3] = Array(short[3].dropLast())
        #expect(throws: GoldenCertificateError.wrongDimension(row: 3, expected: 384, found: 383)) { try GoldenCertificateCheck.verify(vectors: short) }
        var nan = reference
        nan[0][7] = .nan
        #expect(throws: GoldenCertificateError.nonFinite(row: 0)) { try GoldenCertificateCheck.verify(vectors: nan) }
        var zero = reference
        zero[2] = [Float](repeating: 0, count: 384)
        #expect(throws: GoldenCertificateError.allZero(row: 2)) { try GoldenCertificateCheck.verify(vectors: zero) }
    }

    @Test("1 - cos of identical, opposite and orthogonal vectors")
    func oneMinusCosine() {
        #expect(GoldenCertificateCheck.oneMinusCosine([1, 0], [2, 0]) == 0)
        #expect(GoldenCertificateCheck.oneMinusCosine([1, 0], [-1, 0]) == 2)
        #expect(GoldenCertificateCheck.oneMinusCosine([1, 0], [0, 3]) == 1)
        #expect(GoldenCertificateCheck.oneMinusCosine([0, 0], [1, 0]) == 1)
    }
}
