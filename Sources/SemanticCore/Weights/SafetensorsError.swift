// What can be wrong with a safetensors file, said so that a user knows what to run next.
// Every case names the file; cases about one tensor name the tensor, what was expected and what was found.

/// A problem with a `.safetensors` file or with a tensor a model asked of it.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, stat'ed or mapped.
    case unreadableFile(path: String, reason: String)
    /// Fewer than the 8 bytes of the header length.
    case fileTooSmall(path: String, byteCount: Int)
    /// The 8-byte little-endian header length points past the end of the file.
    case headerLengthExceedsFile(path: String, headerLength: UInt64, fileSize: Int)
    /// The JSON header is not valid UTF-8.
    case headerNotUTF8(path: String)
    /// The header is UTF-8 but not a JSON object of tensor entries.
    case headerNotJSON(path: String, detail: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or has them in the wrong form.
    case malformedEntry(path: String, tensor: String, detail: String)
    /// A dtype this reader does not know (it reads F32, F16, BF16 and I64).
    case unknownDType(path: String, tensor: String, dtype: String)
    /// `shape` × dtype size differs from the tensor's byte span.
    case byteSpanMismatch(path: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, foundBytes: Int)
    /// `data_offsets` run backwards or past the end of the data section.
    case offsetsOutOfBounds(path: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors claim the same bytes.
    case overlappingTensors(path: String, first: String, second: String)
    /// A tensor the model needs is not in the file.
    case missingTensor(path: String, tensor: String)
    /// A tensor the model needs has another shape than the model's config implies.
    case wrongShape(path: String, tensor: String, expected: [Int], found: [Int])
    /// A tensor has a dtype that cannot be read as floats (e.g. I64 weights).
    case notFloatingPoint(path: String, tensor: String, dtype: String)

    static let reinstallHint = "the model file looks damaged or incomplete; re-install it (`make models`, or fetch the model again)"

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason); check the path, or install the model (`make models`)"
        case let .fileTooSmall(path, count):
            return "\(path): expected at least 8 bytes (the safetensors header length), found \(count); \(Self.reinstallHint)"
        case let .headerLengthExceedsFile(path, length, size):
            return "\(path): header length \(length) bytes exceeds the file (\(size) bytes, \(max(0, size - 8)) after the length field); \(Self.reinstallHint)"
        case let .headerNotUTF8(path):
            return "\(path): the safetensors header is not valid UTF-8; \(Self.reinstallHint)"
        case let .headerNotJSON(path, detail):
            return "\(path): the safetensors header is not a JSON object of tensors (\(detail)); \(Self.reinstallHint)"
        case let .malformedEntry(path, tensor, detail):
            return "\(path): tensor '\(tensor)': \(detail); \(Self.reinstallHint)"
        case let .unknownDType(path, tensor, dtype):
            return "\(path): tensor '\(tensor)' has dtype '\(dtype)'; expected one of F32, F16, BF16, I64"
        case let .byteSpanMismatch(path, tensor, shape, dtype, expected, found):
            return "\(path): tensor '\(tensor)' of shape \(shape) and dtype \(dtype) needs \(expected) bytes, its data_offsets span \(found); \(Self.reinstallHint)"
        case let .offsetsOutOfBounds(path, tensor, begin, end, size):
            return "\(path): tensor '\(tensor)' data_offsets [\(begin), \(end)] fall outside the data section [0, \(size)]; \(Self.reinstallHint)"
        case let .overlappingTensors(path, first, second):
            return "\(path): tensors '\(first)' and '\(second)' overlap in the data section; \(Self.reinstallHint)"
        case let .missingTensor(path, tensor):
            return "\(path): expected a tensor named '\(tensor)', none found; is this the right model for this architecture? \(Self.reinstallHint)"
        case let .wrongShape(path, tensor, expected, found):
            return "\(path): tensor '\(tensor)' expected shape \(expected), found \(found); config.json and model.safetensors disagree, re-install the model (`make models`)"
        case let .notFloatingPoint(path, tensor, dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype); expected a floating-point weight (F32, F16 or BF16)"
        }
    }
}
