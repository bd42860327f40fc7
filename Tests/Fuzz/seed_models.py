#!/usr/bin/env python3
"""Seeds the fuzz corpora of the model-file and archive targets with small valid inputs (the fuzzer
mutates from there). Usage: seed_models.py safetensors|tokenizer|archive OUT_DIR"""
import hashlib
import json
import os
import struct
import sys


def write(directory, data):
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as handle:
        handle.write(data)


def safetensors(header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def seed_safetensors(out):
    floats = struct.pack("<4f", 1.0, -2.0, 0.5, 3.0)
    write(out, safetensors({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, floats))
    write(out, safetensors({"__metadata__": {"format": "pt"}, "a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]},
                            "b": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [4, 8]},
                            "p": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}}, floats))
    write(out, safetensors({"e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 0]}}, b""))
    write(out, safetensors({}, b""))


def tokenizer_json(vocab):
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab.index(t), "special": True, "content": t, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False} for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None,
                       "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                           "special_tokens": {t: {"id": t, "ids": [vocab.index(t)], "tokens": [t]} for t in ["[CLS]", "[SEP]"]}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                  "vocab": {t: i for i, t in enumerate(vocab)}},
    }


def seed_tokenizer(out):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "te", "##st", ",", ".", "中", "a", "##b"]
    write(out, json.dumps(tokenizer_json(vocab)).encode())
    write(out, json.dumps(tokenizer_json(vocab), indent=1).encode())
    write(out, ("\n".join(vocab) + "\n").encode())
    write(out, json.dumps({"do_lower_case": False, "strip_accents": True, "tokenize_chinese_chars": False,
                           "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "model_max_length": 16}).encode())


def seed_archive(out):
    # The archive target reads its fields from the input byte by byte; any bytes are a valid seed.
    write(out, bytes([0, 2, 1, 5, 0, 7, 4, 6]) + b"hello world, a message" + bytes(range(0, 256, 7)))
    write(out, bytes([1, 1, 4, 20, 2, 3, 3, 1, 5, 5]) + "```\ncode\n```\n**bold** ünï".encode() + b"\xff\xfe\xc3")
    write(out, bytes([0, 0, 9]) + b"ok" * 40)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    {"safetensors": seed_safetensors, "tokenizer": seed_tokenizer, "archive": seed_archive}[kind](out)
    print(f"fuzz: seeds for {kind} in {out}")


if __name__ == "__main__":
    main()
