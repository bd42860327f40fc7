#!/usr/bin/env python3
"""semd against onnxruntime in alternated pairs: the host's speed drifts by 20-60% within minutes on a
shared machine, so one semd run and one onnxruntime run minutes apart say as much about the host as
about the engines. This runs each workload as a pair (semd, then onnxruntime, in the opposite order on
every other round) for --rounds rounds, and reports each pair's ratio and the median of those ratios,
with how many rounds met the issue's target.

Usage: paired.py --bench .build/release/semd-bench --python .venv-peers/bin/python [--rounds 5]
                 [--workloads W1,W2,W3,W6,CE] [--out DIR]
Prints a Markdown table; the raw JSON lines of every run go to DIR/paired.jsonl."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from compare import figure  # beside this file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# the ratio over onnxruntime each round must reach (the targets; W1: no slower)
TARGETS = {"W1": 1.0, "W2": 1.2, "W3": 1.2, "W6": 1.2, "CE": 1.2}


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in output:\n" + text[-2000:])


def headline(row):
    """(value, higher_is_better) of a workload's figure, as compare.py reads it."""
    value, higher, _ = figure(row)
    return value, higher


def run_semd(args, workload):
    out = subprocess.run([args.bench, "bench", "--workload", workload, "--json"],
                         check=True, capture_output=True, text=True)
    return last_json(out.stdout)


def run_ort(args, workload):
    out = subprocess.run([args.python, os.path.join(HERE, "bench_peers.py"), "--model", args.model,
                          "--inputs", args.inputs, "--work", args.work, "--engines", "ort",
                          "--workloads", workload], check=True, capture_output=True, text=True)
    return last_json(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build/release/semd-bench"))
    parser.add_argument("--python", default=os.path.join(ROOT, ".venv-peers/bin/python"))
    parser.add_argument("--model", default=os.path.join(ROOT, "Models/all-MiniLM-L6-v2"))
    parser.add_argument("--inputs", default=os.path.join(ROOT, "Tests/Fixtures/bench/bench_inputs.json"))
    parser.add_argument("--work", default=os.path.join(ROOT, ".build/bench/peers"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workloads", default="W1,W2,W3,W6,CE")
    parser.add_argument("--out", default=os.path.join(ROOT, ".build/bench"))
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in workloads if w not in TARGETS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    os.makedirs(args.out, exist_ok=True)
    raw = open(os.path.join(args.out, "paired.jsonl"), "w")

    started = time.strftime("%Y-%m-%d %H:%M")
    load_before = os.getloadavg()[0]
    pairs = {w: [] for w in workloads}
    for round_index in range(args.rounds):
        for w in workloads:
            order = ("semd", "ort") if round_index % 2 == 0 else ("ort", "semd")
            result = {}
            for engine in order:
                row = run_semd(args, w) if engine == "semd" else run_ort(args, w)
                row["engine"], row["round"] = engine, round_index + 1
                raw.write(json.dumps(row) + "\n")
                raw.flush()
                result[engine] = row
            pairs[w].append(result)
            s, higher = headline(result["semd"])
            o, _ = headline(result["ort"])
            ratio = s / o if higher else o / s
            print(f"round {round_index + 1} {w}: semd {s:.2f}, onnxruntime {o:.2f}, {ratio:.2f}x",
                  file=sys.stderr, flush=True)
    finished = time.strftime("%H:%M")

    kernel = next(iter(pairs.values()))[0]["semd"].get("kernel", "?")
    print(f"{args.rounds} alternated rounds, {started}-{finished}, load average {load_before:.1f} at the start, "
          f"OpenBLAS kernel {kernel}.\n")
    print("| workload | semd (median) | onnxruntime (median) | × onnxruntime per round | median ratio | rounds at target | semd % of the sgemm peak beside it (median) |")
    print("|---|---|---|---|---|---|---|")
    for w in workloads:
        ratios, svals, ovals, shares = [], [], [], []
        for pair in pairs[w]:
            s, higher = headline(pair["semd"])
            o, _ = headline(pair["ort"])
            svals.append(s)
            ovals.append(o)
            ratios.append(s / o if higher else o / s)
            if "percent_of_peak" in pair["semd"]:
                shares.append(pair["semd"]["percent_of_peak"])
        unit = " ms" if w in ("W1", "CE") else "/s"
        met = sum(1 for r in ratios if r >= TARGETS[w])
        share = f"{statistics.median(shares):.0f}%" if shares else ""
        print(f"| {w} | {statistics.median(svals):.2f}{unit} | {statistics.median(ovals):.2f}{unit} | "
              f"{', '.join(f'{r:.2f}' for r in ratios)} | **{statistics.median(ratios):.2f}×** | "
              f"{met} of {len(ratios)} (≥ {TARGETS[w]}×) | {share} |")
    print("\nRatios > 1 mean semd is faster (throughput ratio; for W1 and CE the peer's time over semd's).")


if __name__ == "__main__":
    main()
