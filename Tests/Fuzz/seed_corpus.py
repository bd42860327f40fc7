#!/usr/bin/env python3
"""Seeds the fuzz corpus from the golden wire frames: each whole frame, its body alone, and the
whole file's frames concatenated. Usage: seed_corpus.py OUT_DIR FRAMES_JSON..."""
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
        frames = [bytes.fromhex(frame["hex"]) for frame in json.load(open(path))["frames"]]
        for frame in frames:
            write(out, frame)
            write(out, frame[4:])
            count += 2
        write(out, b"".join(frames))
        count += 1
    print(f"fuzz: {count} seed inputs in {out}")


if __name__ == "__main__":
    main()
