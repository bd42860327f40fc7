#!/usr/bin/env python3
"""Seeds the fuzz corpus from the golden wire frames: each whole frame, its body alone, and the
whole file's frames concatenated. A file's `frames`, and where it has them `section_9_1_frames` and
`decoder_vectors` (v2-frames.json), are all used. Usage: seed_corpus.py OUT_DIR FRAMES_JSON..."""
import hashlib
import json
import os
import sys


def write(directory, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as handle:
        handle.write(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    count = 0
    for path in sys.argv[2:]:
        data = json.load(open(path))
        entries = data["frames"] + data.get("section_9_1_frames", []) + data.get("decoder_vectors", [])
        frames = [bytes.fromhex(frame["hex"]) for frame in entries]
        for frame in frames:
            write(out, frame)
            write(out, frame[4:])
            count += 2
        write(out, b"".join(frames))
        count += 1
    print(f"fuzz: {count} seed inputs in {out}")


if __name__ == "__main__":
    main()
