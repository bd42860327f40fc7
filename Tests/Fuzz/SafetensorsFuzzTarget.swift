// The libFuzzer entry point for the safetensors header parser (`make fuzz`, target `safetensors`),
// compiled with Sources/SemanticCore/Weights and Tokenizer into one module (hence no import).
// Each input is written to a file and opened as a model file: it must load or throw a
// SafetensorsError, and a file that loads must give every tensor's bytes in bounds and its floats
// (or a SafetensorsError) without trapping. Inputs that ever broke this are kept in
// Tests/SemanticCoreTests/FuzzRegressionTests.swift.
import Foundation

private let scratchPath = "\(ProcessInfo.processInfo.environment["FUZZ_SCRATCH"] ?? "/tmp")/semd-fuzz-\(getpid()).safetensors"

@_cdecl("LLVMFuzzerTestOneInput")
public func safetensorsFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Data(bytes: $0, count: size) } ?? Data()
    guard FileManager.default.createFile(atPath: scratchPath, contents: input) else { fatalError("cannot write \(scratchPath)") }
    let file: SafetensorsFile
    do {
        file = try SafetensorsFile(url: URL(fileURLWithPath: scratchPath))
    } catch is SafetensorsError {
        return 0
    } catch {
        fatalError("SafetensorsFile threw a non-SafetensorsError: \(error)")
    }
    let dataSize = size - file.dataStart
    for name in file.tensorNames {
        guard let entry = try? file.entry(name) else { fatalError("a listed tensor has no entry: \(name)") }
        guard entry.byteRange.lowerBound >= 0, entry.byteRange.upperBound <= dataSize,
              file.rawBytes(of: entry).count == entry.byteRange.count else {
            fatalError("tensor \(name): bytes \(entry.byteRange) outside a data section of \(dataSize)")
        }
        do {
            let tensor = try file.floats(name)
            guard tensor.shape == entry.shape else { fatalError("tensor \(name): floats of another shape") }
        } catch is SafetensorsError {
        } catch {
            fatalError("floats(\(name)) threw a non-SafetensorsError: \(error)")
        }
    }
    return 0
}
