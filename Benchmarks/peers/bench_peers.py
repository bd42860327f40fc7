#!/usr/bin/env python3
"""Runs the semd benchmark workloads on the Python peers: onnxruntime on the transformer-optimized graph
(`ortfused`: the exported graph rewritten by onnxruntime.transformers.optimizer, model_type bert, with
fused EmbedLayerNormalization / Attention / SkipLayerNormalization / BiasGelu nodes), onnxruntime on the
plain exported graph (`ort`), and sentence-transformers (torch, `st`); 2 threads, batch 32, texts sorted
by length.

Each (engine, workload) runs in a fresh child process so that its peak RSS is its own.
Usage: bench_peers.py --model DIR --inputs bench_inputs.json [--engines ortfused,ort,st] [--workloads W1,W2,W3,W6,CE,W4]
Prints one JSON object per line (engine, workload, figures); the fused engine's lines also name the
fused operators the optimizer wrote (`fused_operators`)."""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

THREADS = 2
BATCH = 32
HERE = os.path.dirname(os.path.abspath(__file__))


def flops(lengths):
    return sum(L * (21.23e6 + 9216 * L) for L in lengths)


def lcg_floats(seed, count, scale):
    """Deterministic uniform floats in [-scale, scale): the same generator semd-bench bench uses for the
    benchmark cross-encoder's pooler and classifier (64-bit LCG, Knuth's constants, top 24 bits)."""
    state = seed & 0xFFFFFFFFFFFFFFFF
    out = []
    for _ in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        unit = (state >> 40) / float(1 << 24)
        out.append((unit * 2.0 - 1.0) * scale)
    return out


def build_cross_encoder(model_dir, out_dir):
    """A MiniLM-L6-shaped BertForSequenceClassification: the all-MiniLM-L6-v2 encoder plus a seeded
    pooler and one-logit classifier (same values as semd-bench bench builds: SeededCrossEncoder), C being the
    encoder's hidden size."""
    import numpy as np
    from safetensors.numpy import load_file, save_file
    import shutil
    tensors = load_file(os.path.join(model_dir, "model.safetensors"))
    out = {("bert." + k): v for k, v in tensors.items() if not k.startswith("pooler.")}
    config = json.load(open(os.path.join(model_dir, "config.json")))
    C = config["hidden_size"]
    out["bert.pooler.dense.weight"] = np.array(lcg_floats(1, C * C, 0.05), dtype=np.float32).reshape(C, C)
    out["bert.pooler.dense.bias"] = np.array(lcg_floats(2, C, 0.05), dtype=np.float32)
    out["classifier.weight"] = np.array(lcg_floats(3, C, 0.05), dtype=np.float32).reshape(1, C)
    out["classifier.bias"] = np.array(lcg_floats(4, 1, 0.05), dtype=np.float32)
    os.makedirs(out_dir, exist_ok=True)
    save_file(out, os.path.join(out_dir, "model.safetensors"))
    config["architectures"] = ["BertForSequenceClassification"]
    config["num_labels"] = 1
    config["id2label"] = {"0": "LABEL_0"}
    config["label2id"] = {"LABEL_0": 0}
    config["sentence_transformers"] = {"activation_fn": "torch.nn.modules.linear.Identity"}
    json.dump(config, open(os.path.join(out_dir, "config.json"), "w"))
    for name in ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]:
        shutil.copy(os.path.join(model_dir, name), os.path.join(out_dir, name))
    return out_dir


def export_onnx(model_dir, path, cross_encoder):
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification
    cls = AutoModelForSequenceClassification if cross_encoder else AutoModel
    # eager attention: the MatMul / Softmax / MatMul pattern onnxruntime's transformer optimizer fuses into
    # its Attention operator (the SDPA export leaves a graph it does not recognise as attention)
    model = cls.from_pretrained(model_dir, attn_implementation="eager").eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    inputs = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "seq"} for n in names}
    output = "logits" if cross_encoder else "last_hidden_state"
    axes[output] = {0: "batch"} if cross_encoder else {0: "batch", 1: "seq"}

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.logits if cross_encoder else out.last_hidden_state

    with torch.no_grad():
        torch.onnx.export(Wrapper(model), inputs, path, input_names=names, output_names=[output],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    return path


def optimize_onnx(plain_path, fused_path, model_dir):
    """The transformer-optimized graph of `plain_path` (onnxruntime.transformers.optimizer, model_type bert,
    the optimizer's default level for bert), saved to `fused_path`; returns the fused operator counts.
    Fails when the optimizer fused no attention: the peer would then be the plain graph under another name."""
    from onnxruntime.transformers import optimizer
    config = json.load(open(os.path.join(model_dir, "config.json")))
    model = optimizer.optimize_model(plain_path, model_type="bert", num_heads=config["num_attention_heads"],
                                     hidden_size=config["hidden_size"])
    fused = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
    if not fused.get("Attention") and not fused.get("MultiHeadAttention"):
        raise SystemExit(f"onnxruntime's optimizer fused no attention in {plain_path}: {fused}")
    model.save_model_to_file(fused_path)
    json.dump(fused, open(fused_path + ".fused.json", "w"))
    return fused


class STEngine:
    def __init__(self, model_dir, cross_encoder=False):
        import torch
        torch.set_num_threads(THREADS)
        if cross_encoder:
            from sentence_transformers import CrossEncoder
            self.model = CrossEncoder(model_dir, device="cpu", max_length=512)
        else:
            from sentence_transformers import SentenceTransformer
            self.model = SentenceTransformer(model_dir, device="cpu")

    def embed(self, texts):
        return self.model.encode(texts, batch_size=BATCH, normalize_embeddings=True)

    def rerank(self, query, docs):
        return self.model.predict([(query, d) for d in docs], batch_size=BATCH)


class ORTEngine:
    def __init__(self, model_dir, onnx_path, cross_encoder=False, max_length=256):
        import onnxruntime as ort
        from tokenizers import Tokenizer
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        self.cross_encoder = cross_encoder

    def _run(self, encodings):
        import numpy as np
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        results = [None] * len(encodings)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, i in enumerate(chunk):
                e = encodings[i]
                n = len(e.ids)
                ids[row, :n] = e.ids
                mask[row, :n] = 1
                types[row, :n] = e.type_ids
            out = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            if self.cross_encoder:
                for row, i in enumerate(chunk):
                    results[i] = float(out[row, 0])
            else:
                pooled = (out * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
                pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
                for row, i in enumerate(chunk):
                    results[i] = pooled[row]
        return results

    def embed(self, texts):
        return self._run(self.tokenizer.encode_batch(texts))

    def rerank(self, query, docs):
        return self._run(self.tokenizer.encode_batch([(query, d) for d in docs]))


def median_time(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child(args):
    inputs = json.load(open(args.inputs))
    cross = args.workload == "CE"
    model_dir = args.ce_dir if cross else args.model
    if args.engine == "st":
        engine = STEngine(model_dir, cross_encoder=cross)
    else:
        onnx_path = onnx_for(args, args.engine, cross)
        engine = ORTEngine(model_dir, onnx_path, cross_encoder=cross, max_length=512 if cross else 256)
    w = args.workload
    result = {"engine": args.engine, "workload": w}
    if args.engine == "ortfused":
        result["fused_operators"] = json.load(open(onnx_path + ".fused.json"))
    if w == "W1":
        q = [inputs["W1_query"]]
        for _ in range(20):
            engine.embed(q)
        times = []
        for _ in range(200):
            t = time.perf_counter()
            engine.embed(q)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        result.update(p50_ms=statistics.median(times), p99_ms=times[int(0.99 * len(times)) - 1])
        lengths = [inputs["W1_tokens"]]
        result["tokens_per_s"] = lengths[0] / (result["p50_ms"] / 1000)
        result["gflops"] = flops(lengths) / (result["p50_ms"] / 1000) / 1e9
    elif w in ("W2", "W3", "W6"):
        key = {"W2": "W2_sentences", "W3": "W3_docs", "W6": "W6_texts"}[w]
        texts = inputs[key]
        lengths = {"W2": inputs["W2_tokens"], "W3": inputs["W3_tokens"],
                   "W6": [min(L, 256) for L in inputs["W6_tokens_untruncated"]]}[w]
        runs = {"W2": 15, "W3": 5, "W6": 5}[w]
        seconds = median_time(lambda: engine.embed(texts), runs)
        result.update(texts_per_s=len(texts) / seconds, tokens_per_s=sum(lengths) / seconds,
                      gflops=flops(lengths) / seconds / 1e9, ms=seconds * 1000)
    elif w == "CE":
        docs = inputs["CE_docs"]
        lengths = inputs["CE_pair_tokens"]
        seconds = median_time(lambda: engine.rerank(inputs["CE_query"], docs), 9)
        result.update(ms=seconds * 1000, pairs_per_s=len(docs) / seconds, tokens_per_s=sum(lengths) / seconds,
                      gflops=flops(lengths) / seconds / 1e9)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


COLD_ST = """
import sys, torch
torch.set_num_threads(2)
from sentence_transformers import SentenceTransformer
m = SentenceTransformer(sys.argv[1], device="cpu")
v = m.encode(["Similar sentences end up close together."], normalize_embeddings=True)
"""

COLD_ORT = """
import sys, os, numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
o = ort.SessionOptions(); o.intra_op_num_threads = 2
s = ort.InferenceSession(sys.argv[2], o, providers=["CPUExecutionProvider"])
t = Tokenizer.from_file(os.path.join(sys.argv[1], "tokenizer.json")); t.no_padding(); t.enable_truncation(256)
e = t.encode("Similar sentences end up close together.")
ids = np.array([e.ids], dtype=np.int64)
out = s.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})[0]
v = out.mean(1); v /= np.linalg.norm(v)
"""


def onnx_for(args, engine, cross_encoder):
    """The graph an onnxruntime engine runs: the plain export or its transformer-optimized rewrite."""
    if engine == "ortfused":
        return args.ce_onnx_fused if cross_encoder else args.onnx_fused
    return args.ce_onnx if cross_encoder else args.onnx


def cold_start(engine, args):
    script = COLD_ST if engine == "st" else COLD_ORT
    times, rss = [], []
    for _ in range(args.cold_runs):
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run([sys.executable, "-c", script, args.model, onnx_for(args, engine, False)], check=True,
                       env=dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1"))
        times.append(time.perf_counter() - t)
        rss.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return {"engine": engine, "workload": "W4", "ms": statistics.median(times) * 1000, "peak_rss_mb": max(rss)}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--engines", default="ortfused,ort,st")
    parser.add_argument("--workloads", default="W1,W2,W3,W6,CE,W4")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--work", default=None, help="folder for the ONNX exports and the benchmark cross-encoder")
    # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    parser.add_argument("--onnx", help=argparse.SUPPRESS)
    parser.add_argument("--ce-dir", help=argparse.SUPPRESS)
    parser.add_argument("--ce-onnx", help=argparse.SUPPRESS)
    parser.add_argument("--onnx-fused", help=argparse.SUPPRESS)
    parser.add_argument("--ce-onnx-fused", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.child:
        child(args)
        return
    work = args.work or tempfile.mkdtemp(prefix="semd-peers-")
    os.makedirs(work, exist_ok=True)
    args.onnx = os.path.join(work, "minilm.onnx")
    args.ce_dir = os.path.join(work, "cross-encoder")
    args.ce_onnx = os.path.join(work, "cross-encoder.onnx")
    args.onnx_fused = os.path.join(work, "minilm-fused.onnx")
    args.ce_onnx_fused = os.path.join(work, "cross-encoder-fused.onnx")
    engines = args.engines.split(",")
    workloads = args.workloads.split(",")
    unknown = [e for e in engines if e not in ("ortfused", "ort", "st")]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from ortfused, ort, st")
    onnx_engines = [e for e in engines if e in ("ortfused", "ort")]
    if onnx_engines and not os.path.exists(args.onnx):
        export_onnx(args.model, args.onnx, cross_encoder=False)
    if "ortfused" in engines and not os.path.exists(args.onnx_fused + ".fused.json"):
        optimize_onnx(args.onnx, args.onnx_fused, args.model)
    if "CE" in workloads and not os.path.exists(os.path.join(args.ce_dir, "model.safetensors")):
        build_cross_encoder(args.model, args.ce_dir)
    if "CE" in workloads and onnx_engines and not os.path.exists(args.ce_onnx):
        export_onnx(args.ce_dir, args.ce_onnx, cross_encoder=True)
    if "CE" in workloads and "ortfused" in engines and not os.path.exists(args.ce_onnx_fused + ".fused.json"):
        optimize_onnx(args.ce_onnx, args.ce_onnx_fused, args.ce_dir)
    for engine in engines:
        for w in workloads:
            if w == "W4":
                print(json.dumps(cold_start(engine, args)), flush=True)
                continue
            out = subprocess.run([sys.executable, __file__, "--child", "--engine", engine, "--workload", w,
                                  "--model", args.model, "--inputs", args.inputs, "--onnx", args.onnx,
                                  "--ce-dir", args.ce_dir, "--ce-onnx", args.ce_onnx,
                                  "--onnx-fused", args.onnx_fused, "--ce-onnx-fused", args.ce_onnx_fused],
                                 check=True, capture_output=True, text=True)
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
