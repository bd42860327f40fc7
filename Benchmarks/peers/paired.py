#!/usr/bin/env python3
"""semd against onnxruntime in alternated runs: the host's speed drifts by 20-60% within minutes on a
shared machine, so one semd run and one onnxruntime run minutes apart say as much about the host as
about the engines. This runs each workload as a group (semd, onnxruntime on the transformer-optimized
graph, onnxruntime on the plain graph; the order reversed on every other round) for --rounds rounds,
and reports each round's ratio to the optimized graph and the median of those ratios, with how many
rounds met the issue's target, and the median ratio to the plain graph beside it.

Usage: paired.py --bench .build/release/semd-bench --python .venv-peers/bin/python [--rounds 5]
                 [--workloads W1,W2,W3,W6,CE] [--peers ortfused,ort] [--out DIR]
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


def run_ort(args, workload, engine):
    out = subprocess.run([args.python, os.path.join(HERE, "bench_peers.py"), "--model", args.model,
                          "--inputs", args.inputs, "--work", args.work, "--engines", engine,
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
    parser.add_argument("--peers", default="ortfused,ort",
                        help="onnxruntime engines of bench_peers.py; the first is the one the targets are against")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in workloads if w not in TARGETS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    if not peers or any(p not in ("ortfused", "ort") for p in peers):
        parser.error("--peers takes ortfused and/or ort")
    os.makedirs(args.out, exist_ok=True)
    raw = open(os.path.join(args.out, "paired.jsonl"), "w")

    started = time.strftime("%Y-%m-%d %H:%M")
    load_before = os.getloadavg()[0]
    pairs = {w: [] for w in workloads}
    for round_index in range(args.rounds):
        for w in workloads:
            order = ["semd"] + peers
            if round_index % 2 == 1:
                order.reverse()
            result = {}
            for engine in order:
                row = run_semd(args, w) if engine == "semd" else run_ort(args, w, engine)
                row["engine"], row["round"] = engine, round_index + 1
                raw.write(json.dumps(row) + "\n")
                raw.flush()
                result[engine] = row
            pairs[w].append(result)
            s, higher = headline(result["semd"])
            figures = []
            for peer in peers:
                o, _ = headline(result[peer])
                figures.append(f"{peer} {o:.2f} ({s / o if higher else o / s:.2f}x)")
            print(f"round {round_index + 1} {w}: semd {s:.2f}, " + ", ".join(figures), file=sys.stderr, flush=True)
    finished = time.strftime("%H:%M")

    kernel = next(iter(pairs.values()))[0]["semd"].get("kernel", "?")
    print(f"{args.rounds} alternated rounds, {started}-{finished}, load average {load_before:.1f} at the start, "
          f"OpenBLAS kernel {kernel}.\n")
    names = {"ortfused": "onnxruntime optimized graph", "ort": "onnxruntime plain graph"}
    first, others = peers[0], peers[1:]
    print(f"| workload | semd (median) | {names[first]} (median) | × {names[first]} per round | median ratio | rounds at target | "
          + "".join(f"× {names[p]} (median) | " for p in others) + "semd % of the sgemm peak beside it (median) | peak RSS semd / peer |")
    print("|---|---|---|---|---|---|" + "---|" * len(others) + "---|---|")
    for w in workloads:
        unit = " ms" if w in ("W1", "CE") else "/s"

        def ratios_to(peer):
            out = []
            for pair in pairs[w]:
                s, higher = headline(pair["semd"])
                o, _ = headline(pair[peer])
                out.append(s / o if higher else o / s)
            return out

        ratios = ratios_to(first)
        svals = [headline(pair["semd"])[0] for pair in pairs[w]]
        ovals = [headline(pair[first])[0] for pair in pairs[w]]
        shares = [pair["semd"]["percent_of_peak"] for pair in pairs[w] if "percent_of_peak" in pair["semd"]]
        met = sum(1 for r in ratios if r >= TARGETS[w])
        share = f"{statistics.median(shares):.0f}%" if shares else ""
        rss = (f"{max(pair['semd'].get('peak_rss_mb', 0) for pair in pairs[w]):.0f} / "
               f"{max(pair[first].get('peak_rss_mb', 0) for pair in pairs[w]):.0f} MB")
        print(f"| {w} | {statistics.median(svals):.2f}{unit} | {statistics.median(ovals):.2f}{unit} | "
              f"{', '.join(f'{r:.2f}' for r in ratios)} | **{statistics.median(ratios):.2f}×** | "
              f"{met} of {len(ratios)} (≥ {TARGETS[w]}×) | "
              + "".join(f"{statistics.median(ratios_to(p)):.2f}× | " for p in others) + f"{share} | {rss} |")
    print("\nRatios > 1 mean semd is faster (throughput ratio; for W1 and CE the peer's time over semd's).")


if __name__ == "__main__":
    main()
