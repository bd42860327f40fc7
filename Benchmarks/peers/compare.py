#!/usr/bin/env python3
"""Side-by-side table of `semd-bench bench --json` and bench_peers.py output (JSON lines), with ratios
against onnxruntime on the transformer-optimized graph (the first peer column), onnxruntime on the plain
graph and sentence-transformers, as Markdown; optionally an SVG bar chart of the ratios to the first.
Usage: compare.py SEMD.jsonl PEERS.jsonl [--svg OUT.svg] [--label TEXT]"""
import argparse
import json


def load(path):
    rows = []
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
    return rows


def figure(row):
    """(value, higher_is_better, text) of a workload's headline figure."""
    w = row["workload"]
    if w == "W1":
        return row["p50_ms"], False, f'{row["p50_ms"]:.2f} / {row["p99_ms"]:.2f} ms'
    if w in ("CE", "W4"):
        return row["ms"], False, f'{row["ms"]:.0f} ms'
    return row["texts_per_s"], True, f'{row["texts_per_s"]:.0f}/s'


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("semd")
    parser.add_argument("peers")
    parser.add_argument("--svg")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    semd = {r["workload"]: r for r in load(args.semd)}
    peers = {}
    for r in load(args.peers):
        peers.setdefault(r["engine"], {})[r["workload"]] = r
    kernel = next(iter(semd.values()), {}).get("kernel", "?")
    peak = next(iter(semd.values()), {}).get("sgemm_peak_gflops", float("nan"))
    print(f"OpenBLAS kernel {kernel}, sgemm peak at the start {peak:.0f} GFLOP/s {args.label}\n")
    engines = ("ortfused", "ort", "st")
    print("| workload | semd | GFLOP/s (% of the peak measured beside it) | peak RSS | onnxruntime (optimized graph) | onnxruntime (plain graph) | sentence-transformers | × onnxruntime optimized | × onnxruntime plain | × sentence-transformers |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for w in ["W1", "W2", "W3", "W6", "CE", "W4"]:
        if w not in semd:
            continue
        s = semd[w]
        value, higher, text = figure(s)
        cells = [w, text]
        gflops = s.get("gflops")
        row_peak = s.get("sgemm_peak_gflops", peak)
        cells.append(f'{gflops:.0f} ({s.get("percent_of_peak", 0):.0f}% of {row_peak:.0f})' if gflops else "")
        cells.append(f'{s.get("peak_rss_mb", 0):.0f} MB')
        row_ratios = []
        for engine in engines:
            p = peers.get(engine, {}).get(w)
            if p is None:
                cells.append("")
                row_ratios.append(None)
                continue
            pv, _, ptext = figure(p)
            cells.append(f'{ptext}, {p.get("peak_rss_mb", 0):.0f} MB')
            row_ratios.append(value / pv if higher else pv / value)
        cells += [f"{r:.2f}×" if r else "" for r in row_ratios]
        ratios.append((w, row_ratios[0]))
        print("| " + " | ".join(cells) + " |")
    print("\nRatios > 1 mean semd is faster (throughput ratio, or the peer's time over semd's).")
    fused = {r.get("workload"): r.get("fused_operators") for r in load(args.peers) if r.get("engine") == "ortfused"}
    operators = next((f for f in fused.values() if f), None)
    if operators:
        print("The optimized graph's fused operators: " + ", ".join(f"{k} {v}" for k, v in sorted(operators.items())) + ".")
    if args.svg:
        width, bar, gap, top = 560, 28, 14, 30
        scale = 150
        height = top + len(ratios) * (bar + gap) + 30
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
                 f'<text x="10" y="20">semd speed relative to onnxruntime, optimized graph (1.0 = equal) {args.label}</text>']
        x0 = 60
        parts.append(f'<line x1="{x0 + scale}" y1="{top - 4}" x2="{x0 + scale}" y2="{height - 20}" stroke="#888" stroke-dasharray="4"/>')
        for i, (w, r) in enumerate(ratios):
            y = top + i * (bar + gap)
            parts.append(f'<text x="10" y="{y + bar * 0.7}">{w}</text>')
            if r:
                color = "#2a7" if r >= 1 else "#c44"
                parts.append(f'<rect x="{x0}" y="{y}" width="{r * scale:.1f}" height="{bar}" fill="{color}"/>')
                parts.append(f'<text x="{x0 + r * scale + 6:.1f}" y="{y + bar * 0.7}">{r:.2f}×</text>')
        parts.append("</svg>")
        open(args.svg, "w").write("\n".join(parts))


if __name__ == "__main__":
    main()
