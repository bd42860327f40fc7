#!/usr/bin/env python3
"""`semctl tokenize --json` against the reference tokenizer on text neither has seen before.

The goldens in Tests/Fixtures/goldens fix the known traps; this check draws fresh text every run (a seed
printed at the start reproduces a run): random mixes over every script and character class the BERT
normaliser and pre-tokeniser treat specially, words past WordPiece's 100-character limit, special tokens
typed in the text, texts and passages that begin with dashes, texts long enough to truncate, pairs past
512 tokens, and the docstrings of Python's own standard library as natural English prose. Each text goes through the release `semctl tokenize --json`
(one process per text, as a user would call it) and through Hugging Face's tokenizer for the same model
folder (`transformers.AutoTokenizer`, which is what sentence-transformers and cross-encoders use), with
truncation at the model's max_seq_length (256) for a single text and `longest_first` at 512 for a pair.

Usage: python tokenizer_agreement.py --semctl .build/release/semctl --model Models/all-MiniLM-L6-v2
                                     [--count 1500] [--seed N]
Exit status 0 when every text agrees; otherwise the first disagreements are printed and it exits 1.
"""
import argparse
import concurrent.futures
import contextlib
import io
import json
import os
import random
import subprocess
import sys
import time
import warnings

# Ranges the normaliser and pre-tokeniser treat differently: ASCII, Latin-1 and Latin Extended letters
# (accents stripped by NFD), combining marks, Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari, Thai,
# Georgian, Hangul Jamo and syllables, Hiragana, Katakana, CJK (split into single characters: unified,
# extension A and B, compatibility ideographs), general and CJK punctuation, currency, math, arrows,
# box drawing, emoji, fullwidth forms, private use, and the characters clean_text drops or maps.
RANGES = [
    (0x20, 0x7E, 30), (0xA0, 0xFF, 8), (0x100, 0x24F, 6), (0x300, 0x36F, 4), (0x370, 0x3FF, 3),
    (0x400, 0x4FF, 3), (0x530, 0x58F, 1), (0x590, 0x5FF, 1), (0x600, 0x6FF, 2), (0x900, 0x97F, 2),
    (0xE00, 0xE7F, 1), (0x10A0, 0x10FF, 1), (0x1100, 0x11FF, 1), (0xAC00, 0xD7A3, 2), (0x3040, 0x309F, 2),
    (0x30A0, 0x30FF, 2), (0x4E00, 0x9FFF, 6), (0x3400, 0x4DBF, 1), (0x20000, 0x2A6DF, 1), (0xF900, 0xFAFF, 1),
    (0x2000, 0x206F, 3), (0x3000, 0x303F, 2), (0x20A0, 0x20CF, 1), (0x2200, 0x22FF, 1), (0x2190, 0x21FF, 1),
    (0x2500, 0x257F, 1), (0x1F300, 0x1FAFF, 3), (0xFF00, 0xFFEF, 2), (0xE000, 0xF8FF, 1), (0x1, 0x1F, 2),
    (0x7F, 0x9F, 1), (0xFFF0, 0xFFFD, 1), (0x1D400, 0x1D7FF, 1),
]
SPECIAL = ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "[cls]", "[ SEP ]", "##", "##ing", "[SEP][CLS]"]
WHITESPACE = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\u200b", "\u2028", "\u202f"]
WORDS = ("the model keeps resident weights and answers every client over one socket while jobs embed "
         "archives unaffable unbelievably tokenization naïve résumé coöperate façade Ærøskøbing straße "
         "東京タワー 서울특별시 Москва Αθήνα القاهرة मुंबई กรุงเทพ").split()


def random_text(rng, max_chars):
    weights = [w for (_, _, w) in RANGES]
    out = []
    length = rng.randint(0, max_chars)
    while sum(len(s) for s in out) < length:
        roll = rng.random()
        if roll < 0.06:
            out.append(rng.choice(SPECIAL))
        elif roll < 0.25:
            out.append(rng.choice(WHITESPACE))
        elif roll < 0.45:
            out.append(rng.choice(WORDS))
        else:
            lo, hi, _ = rng.choices(RANGES, weights)[0]
            while True:
                cp = rng.randint(lo, hi)
                if not 0xD800 <= cp <= 0xDFFF:
                    break
            out.append(chr(cp))
    return "".join(out)


def long_word(rng):
    # WordPiece gives [UNK] to a word over 100 characters; lengths around the limit, before and after
    # the normaliser strips accents (which shortens a word by its combining marks).
    n = rng.choice([99, 100, 101, 102, 150, rng.randint(90, 110)])
    alphabet = "abcdefghijklmnopqrstuvwxyzé" if rng.random() < 0.5 else "abcdefghij"
    return "".join(rng.choice(alphabet) for _ in range(n))


def stdlib_prose(rng, count):
    """Docstrings of the standard library: English prose, code, punctuation, none of it in the goldens."""
    # Modules whose import does something (opens a browser, prints, starts Tk) are left out.
    noisy = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "pydoc_data"}
    names = sorted(m for m in sys.stdlib_module_names if not m.startswith("_") and m not in noisy)
    texts = []
    for name in rng.sample(names, len(names)):
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                module = __import__(name)
        except BaseException:
            continue
        for obj in [module] + [getattr(module, a, None) for a in sorted(dir(module))[:40]]:
            doc = getattr(obj, "__doc__", None)
            if isinstance(doc, str) and doc.strip():
                texts.append(doc.strip()[: rng.choice([80, 400, 2000, 6000])])
        if len(texts) >= count:
            break
    return texts[:count]


def cases(rng, count):
    singles = []
    prose = stdlib_prose(rng, count // 3)
    singles += prose
    while len(singles) < count:
        roll = rng.random()
        if roll < 0.1:
            singles.append(" ".join([random_text(rng, 40), long_word(rng), random_text(rng, 40)]))
        elif roll < 0.2:
            singles.append(random_text(rng, 4000))  # past 256 tokens: truncation
        else:
            singles.append(random_text(rng, 300))
    pairs = []
    for _ in range(count // 3):
        roll = rng.random()
        if roll < 0.3:  # both sides long: longest_first takes from the longer side, then alternates
            pairs.append((rng.choice(prose) if prose else random_text(rng, 3000), random_text(rng, 3000)))
        elif roll < 0.5:  # a short query and a long passage
            pairs.append((random_text(rng, 60), random_text(rng, 5000)))
        else:
            pairs.append((random_text(rng, 200), rng.choice(prose) if prose else random_text(rng, 800)))
    # Texts and passages that begin with dashes (list items, markdown rules, YAML front matter), which a
    # command line must still take as text.
    dashes = ["-", "--", "---", "- ", "--- ", "-->", "---===___***+++"]
    singles = [rng.choice(dashes) + t if rng.random() < 0.05 else t for t in singles]
    pairs = [(q, rng.choice(dashes) + d) if rng.random() < 0.1 else (q, d) for q, d in pairs]
    # argv cannot carry U+0000; the normaliser drops it anyway and the Swift tests cover it.
    singles = [s.replace("\x00", "") for s in singles]
    pairs = [(q.replace("\x00", ""), d.replace("\x00", "")) for q, d in pairs]
    return singles, pairs


def run_semctl(semctl, model_dir, text, pair=None):
    argv = [semctl, "tokenize", "--models-dir", os.path.dirname(os.path.abspath(model_dir)), "--json"]
    if pair is not None:
        argv += ["--pair", pair]  # taken as the passage even when it begins with "-"
    argv += ["--", text]
    done = subprocess.run(argv, capture_output=True)
    if done.returncode != 0:
        return {"error": done.stderr.decode(errors="replace").strip()}
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semctl", default=".build/release/semctl")
    parser.add_argument("--model", default="Models/all-MiniLM-L6-v2")
    parser.add_argument("--count", type=int, default=1500, help="single texts; a third as many pairs")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    from transformers import AutoTokenizer  # the reference: a fast BertTokenizer over tokenizer.json

    seed = args.seed if args.seed is not None else int(time.time())
    print(f"tokenizer agreement: seed {seed}, {args.count} single texts and {args.count // 3} pairs")
    rng = random.Random(seed)
    singles, pairs = cases(rng, args.count)
    reference = AutoTokenizer.from_pretrained(args.model)
    single_len = json.load(open(os.path.join(args.model, "sentence_bert_config.json")))["max_seq_length"]

    def expected(text, pair=None):
        if pair is None:
            enc = reference(text, truncation=True, max_length=single_len)
        else:
            # semctl's TEXT is the query and --pair the passage: [CLS] query [SEP] passage [SEP].
            enc = reference(text, pair, truncation="longest_first", max_length=512)
        ids = enc["input_ids"]
        return {"input_ids": ids, "token_type_ids": enc["token_type_ids"],
                "tokens": reference.convert_ids_to_tokens(ids)}

    work = [(t, None) for t in singles] + [(q, d) for q, d in pairs]
    failures = []
    started = time.time()
    tokens = 0
    truncated = 0
    unk = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(lambda c: run_semctl(args.semctl, args.model, c[0], c[1]), work)
        for (text, pair), got in zip(work, results):
            want = expected(text, pair)
            tokens += len(want["input_ids"])
            limit = single_len if pair is None else 512
            truncated += len(want["input_ids"]) == limit
            unk += want["tokens"].count("[UNK]")
            if "error" not in got:
                # semctl's --json also says whether the text was cut and its length before the cut: keep
                # those consistent with the ids, and compare the ids, types and tokens with the reference.
                count = got.get("untruncated_count")
                if count is not None and (count < len(got["input_ids"]) or got.get("truncated") != (count > len(got["input_ids"]))):
                    got = dict(got, error=f"truncated {got.get('truncated')} and untruncated_count {count} "
                                          f"disagree with {len(got['input_ids'])} ids")
                else:
                    got = {key: got[key] for key in ("input_ids", "token_type_ids", "tokens")}
            if got != want:
                failures.append((text, pair, got, want))
    elapsed = time.time() - started
    print(f"  {len(work)} encodings ({len(singles)} single, {len(pairs)} pair), {tokens} tokens, "
          f"{truncated} truncated, {unk} [UNK], {elapsed:.0f} s")
    if failures:
        print(f"  {len(failures)} disagree; the first ones:")
        for text, pair, got, want in failures[:5]:
            print("  text:", repr(text[:300]), "pair:", repr(pair[:300]) if pair else None)
            if "error" in got:
                print("    semctl failed:", got["error"])
                continue
            g, w = got["tokens"], want["tokens"]
            i = next((k for k in range(min(len(g), len(w))) if g[k] != w[k]), min(len(g), len(w)))
            print(f"    first difference at token {i}: semctl {g[max(0, i - 3):i + 4]} reference {w[max(0, i - 3):i + 4]}")
        return 1
    print("  every encoding equals the reference: ids, token types and tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
