// The libFuzzer entry point for loading a tokenizer (`make fuzz`, target `tokenizer`), compiled with
// Sources/SemanticCore/Tokenizer and Weights into one module (hence no import). Each input goes
// through `BertTokenizer.load(directory:)`, the path a model folder takes, three times: as
// tokenizer.json, as vocab.txt (beside a valid tokenizer_config.json) and as tokenizer_config.json
// (beside a valid vocab.txt). Each must load or throw a TokenizerError, and a tokenizer that loads
// must encode texts into ids of its vocabulary within its length limit. Inputs that ever broke this
// are kept in Tests/SemanticCoreTests/FuzzRegressionTests.swift.
import Foundation

// Built per input rather than held in globals: LeakSanitizer reports lazily initialised globals.
private func scratchDirectory() -> URL {
    URL(fileURLWithPath: ProcessInfo.processInfo.environment["FUZZ_SCRATCH"] ?? "/tmp").appendingPathComponent("semd-fuzz-tokenizer")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Data(bytes: $0, count: size) } ?? Data()
    let validVocabulary = Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\nte\n##st\n,\n.\n中\n".utf8)
    let validConfiguration = Data(#"{"do_lower_case": true, "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]"}"#.utf8)
    // The input's own text is tokenized too: vocabulary and text then share pieces.
    let texts = ["hello worlds", "[CLS] Ünïcödé 中文 tëst [SEP] [MASK]", "a,b.c!d?", String(repeating: "x", count: 150), "",
                 String(decoding: input.prefix(512), as: UTF8.self)]
    load(files: ["tokenizer.json": input], texts: texts)
    load(files: ["vocab.txt": input, "tokenizer_config.json": validConfiguration], texts: texts)
    load(files: ["vocab.txt": validVocabulary, "tokenizer_config.json": input], texts: texts)
    return 0
}

private func load(files: [String: Data], texts: [String]) {
    let scratch = scratchDirectory()
    try? FileManager.default.removeItem(at: scratch)
    do {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for (name, contents) in files { try contents.write(to: scratch.appendingPathComponent(name)) }
    } catch {
        fatalError("cannot write the scratch folder \(scratch.path): \(error)")
    }
    let tokenizer: BertTokenizer
    do {
        tokenizer = try BertTokenizer.load(directory: scratch)
    } catch is TokenizerError {
        return
    } catch {
        fatalError("BertTokenizer.load threw a non-TokenizerError: \(error)")
    }
    for text in texts {
        verify(tokenizer.encode(text), tokenizer, limit: tokenizer.maxLength, what: "encode")
        verify(tokenizer.encodePair(text, texts[0], maxLength: 24), tokenizer, limit: 24, what: "encodePair")
    }
}

private func verify(_ encoding: TokenEncoding, _ tokenizer: BertTokenizer, limit: Int, what: String) {
    guard encoding.ids.count <= limit else { fatalError("\(what): \(encoding.ids.count) ids over the limit \(limit)") }
    guard encoding.ids.allSatisfy({ $0 >= 0 && $0 < tokenizer.vocabularySize }) else {
        fatalError("\(what): an id outside the vocabulary of \(tokenizer.vocabularySize)")
    }
}
