// ExistingIndex: what a pass learns from the index file it is about to replace: whether it holds the
// same embedder's vectors (id, revision label, dimension), which document ids it holds exactly once
// (those vectors are kept byte for byte), and whether it is clean (no tombstones, WAL entries or bad
// rows), so an unchanged archive writes nothing. Only reads the file.

struct ExistingIndex {
    let file: FSVIFile
    /// Same embedder id, revision and dimension as the pass's embedder. An incompatible index is
    /// rebuilt from scratch (none of its vectors are kept).
    let isCompatible: Bool
    /// Live records whose document id appears exactly once: id -> record position.
    let reusableRecords: [String: Int]
    /// No tombstones, no live or damaged WAL entries, no unreadable or repeated ids.
    let isClean: Bool

    /// The index at `path`, or nil when there is none. A damaged or unsupported file throws: the pass
    /// fails rather than overwrite something it cannot read.
    static func load(at path: String, expecting identity: FSVIIdentity) throws(FSVIError) -> ExistingIndex? {
        let file: FSVIFile
        do throws(FSVIError) {
            file = try FSVIFile(path: path, lock: .shared, toleratingCorruptWriteAheadLog: true)
        } catch {
            if case .notFound = error { return nil }
            throw error
        }
        guard file.identity == identity else {
            return ExistingIndex(file: file, isCompatible: false, reusableRecords: [:], isClean: false)
        }
        var positions: [String: Int] = [:]
        var repeated: Set<String> = []
        var tombstones = 0
        var unreadable = 0
        positions.reserveCapacity(file.recordCount)
        for position in 0..<file.recordCount {
            if file.record(at: position).isTombstone {
                tombstones += 1
                continue
            }
            guard let id = try? file.documentID(at: position) else {
                unreadable += 1
                continue
            }
            if positions.updateValue(position, forKey: id) != nil { repeated.insert(id) }
        }
        for id in repeated { positions[id] = nil }
        let walIsClean: Bool
        switch file.writeAheadLog {
        case .none, .stale: walIsClean = true
        case .corrupt: walIsClean = false
        case .entries(let entries): walIsClean = entries.isEmpty
        }
        return ExistingIndex(file: file, isCompatible: true, reusableRecords: positions,
                             isClean: walIsClean && tombstones == 0 && unreadable == 0 && repeated.isEmpty)
    }
}
