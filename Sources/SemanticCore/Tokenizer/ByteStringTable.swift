// ByteStringTable: an immutable open-addressing hash map from UTF-8 byte strings to ids, so WordPiece looks
// up a slice of the normalised text without building a String. Built once per tokenizer, then shared
// read-only by every thread. Never grows after construction, never hands out its storage.

final class ByteStringTable: @unchecked Sendable {
    // @unchecked Sendable: every stored property is written in `init` only and read-only afterwards.
    private struct Slot {
        var keyStart: UInt32
        var keyLength: UInt32
        var value: Int32  // -1 marks an empty slot
    }

    private let keyBytes: UnsafeMutableBufferPointer<UInt8>
    private let slots: UnsafeMutableBufferPointer<Slot>
    private let mask: Int
    /// The longest key in bytes: no lookup of a longer slice can succeed.
    let longestKeyLength: Int
    let count: Int

    /// Builds the table; when a key repeats, the later entry wins (as a vocabulary file read line by line).
    init(entries: [(key: [UInt8], value: Int)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        let mask = capacity - 1
        let slots = UnsafeMutableBufferPointer<Slot>.allocate(capacity: capacity)
        slots.initialize(repeating: Slot(keyStart: 0, keyLength: 0, value: -1))
        let totalBytes = entries.reduce(0) { $0 + $1.key.count }
        let keyBytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(totalBytes, 1))
        var used = 0
        var longest = 0
        var distinct = 0
        for (key, value) in entries {
            longest = max(longest, key.count)
            let position = key.withUnsafeBufferPointer { Self.probe(slots, keyBytes, mask, $0.baseAddress, $0.count) }
            if slots[position].value >= 0 {
                slots[position].value = Int32(value)
                continue
            }
            key.withUnsafeBufferPointer { source in
                if let sourceBase = source.baseAddress {
                    (keyBytes.baseAddress! + used).initialize(from: sourceBase, count: source.count)
                }
            }
            slots[position] = Slot(keyStart: UInt32(used), keyLength: UInt32(key.count), value: Int32(value))
            used += key.count
            distinct += 1
        }
        self.mask = mask
        self.slots = slots
        self.keyBytes = keyBytes
        longestKeyLength = longest
        count = distinct
    }

    deinit {
        slots.deallocate()
        keyBytes.deallocate()
    }

    /// The id of the `length` bytes at `start`, or -1.
    @inline(__always)
    func value(of start: UnsafePointer<UInt8>, length: Int) -> Int {
        if length > longestKeyLength { return -1 }
        let position = Self.probe(slots, keyBytes, mask, start, length)
        return Int(slots[position].value)
    }

    /// The slot holding the key, or the empty slot where it would go.
    @inline(__always)
    private static func probe(
        _ slots: UnsafeMutableBufferPointer<Slot>, _ keyBytes: UnsafeMutableBufferPointer<UInt8>, _ mask: Int,
        _ start: UnsafePointer<UInt8>?, _ length: Int
    ) -> Int {
        var position = Int(truncatingIfNeeded: hash(start, length)) & mask
        while true {
            let slot = slots[position]
            if slot.value < 0 { return position }
            if Int(slot.keyLength) == length
                && (length == 0 || memoryEqual(keyBytes.baseAddress! + Int(slot.keyStart), start!, length))
            {
                return position
            }
            position = (position + 1) & mask
        }
    }

    @inline(__always)
    private static func memoryEqual(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        for index in 0..<length where left[index] != right[index] { return false }
        return true
    }

    /// FNV-1a over the bytes, then a final avalanche so the low bits index well.
    @inline(__always)
    private static func hash(_ start: UnsafePointer<UInt8>?, _ length: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if let start {
            for index in 0..<length {
                hash = (hash ^ UInt64(start[index])) &* 0x0000_0100_0000_01B3
            }
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
