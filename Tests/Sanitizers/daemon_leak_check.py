#!/usr/bin/env python3
"""LeakSanitizer over a daemon that serves many requests: starts a semd built with AddressSanitizer
(`swift build --sanitize=address`) on a private socket, sends it a mix of cass-dialect requests from
several connections (hash and MiniLM embeds, reranks, health, status, malformed frames, connections
closed mid-frame and with a request in flight), stops it with SIGTERM, and reads LeakSanitizer's exit
report. Run it for two request counts (`--requests 1000 10000`): a leak per request shows as leaked
bytes growing with the count; a clean daemon leaks nothing at either.

Prints one JSON object per run, then a verdict line; exits 1 when a run leaks, answers a well-formed
request wrongly, or does not stop cleanly. Speaks the wire format of Docs/PROTOCOL.md by hand, so it
needs nothing beyond the Python standard library.

Usage: daemon_leak_check.py --semd .build-asan/debug/semd --models Models [--requests 1000 10000]
"""
import argparse
import glob
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

# --- the cass v1 wire format (Docs/PROTOCOL.md §1-§5), just what this driver sends and reads --------


def mp_str(text):
    data = text.encode("utf-8")
    n = len(data)
    if n < 32:
        return bytes([0xA0 | n]) + data
    if n < 256:
        return b"\xd9" + bytes([n]) + data
    if n < 65536:
        return b"\xda" + struct.pack(">H", n) + data
    return b"\xdb" + struct.pack(">I", n) + data


def mp_array(items):
    n = len(items)
    head = bytes([0x90 | n]) if n < 16 else b"\xdc" + struct.pack(">H", n)
    return head + b"".join(items)


def envelope(request_id, payload):
    return b"\x93\x01" + mp_str(request_id) + payload


def frame(body):
    return struct.pack(">I", len(body)) + body


def embed(request_id, texts, model):
    return frame(envelope(request_id, b"\x81" + mp_str("Embed") + b"\x93" + mp_array([mp_str(t) for t in texts])
                          + mp_str(model) + b"\xc0"))


def rerank(request_id, query, documents, model):
    return frame(envelope(request_id, b"\x81" + mp_str("Rerank") + b"\x93" + mp_str(query)
                          + mp_array([mp_str(d) for d in documents]) + mp_str(model)))


def unit(request_id, name):
    return frame(envelope(request_id, mp_str(name)))


def read_str(body, offset):
    tag = body[offset]
    if 0xA0 <= tag <= 0xBF:
        n, offset = tag & 0x1F, offset + 1
    elif tag == 0xD9:
        n, offset = body[offset + 1], offset + 2
    elif tag == 0xDA:
        n, offset = struct.unpack_from(">H", body, offset + 1)[0], offset + 3
    else:
        n, offset = struct.unpack_from(">I", body, offset + 1)[0], offset + 5
    return body[offset:offset + n].decode("utf-8"), offset + n


def read_array_length(body, offset):
    tag = body[offset]
    if 0x90 <= tag <= 0x9F:
        return tag & 0x0F, offset + 1
    if tag == 0xDC:
        return struct.unpack_from(">H", body, offset + 1)[0], offset + 3
    return struct.unpack_from(">I", body, offset + 1)[0], offset + 5


def response_variant(body):
    """(request id, variant name, detail): detail is the vector count of an Embed, the error code of an Error."""
    assert body[0] == 0x93 and body[1] == 0x01, f"not a v1 envelope: {body[:8].hex()}"
    request_id, offset = read_str(body, 2)
    assert body[offset] == 0x81, f"payload is not a one-entry map: {body[offset:offset + 4].hex()}"
    variant, offset = read_str(body, offset + 1)
    detail = None
    if variant == "Embed":
        detail, _ = read_array_length(body, offset + 1)
    elif variant == "Error":
        detail, _ = read_str(body, offset + 1)
    return request_id, variant, detail


def receive_exactly(sock, count):
    chunks = []
    while count:
        chunk = sock.recv(count)
        if not chunk:
            raise ConnectionError("the daemon closed the connection")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def exchange(sock, data):
    sock.sendall(data)
    (length,) = struct.unpack(">I", receive_exactly(sock, 4))
    return response_variant(receive_exactly(sock, length))


# --- the load -----------------------------------------------------------------------------------------

WORDS = ("semantic daemon vector index query archive token batch model engine socket frame request "
         "answer warm cold lane job worker heartbeat lock mmap weights pooling attention layer").split()


def sentence(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.served = 0
        self.expected_errors = 0
        self.teardowns = 0
        self.failures = []

    def add(self, field, amount=1):
        with self.lock:
            setattr(self, field, getattr(self, field) + amount)

    def fail(self, message):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(message)


def connect(path, timeout=120):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    return sock


def client(worker, count, socket_path, tally, seed, minilm_share):
    """Sends `count` requests on one long-lived connection, with teardown cases on fresh connections."""
    rng = random.Random(seed)
    sock = connect(socket_path)
    try:
        for index in range(count):
            request_id = f"leak-{worker}-{index}"
            roll = rng.random()
            try:
                if roll < 0.05:
                    teardown(rng, socket_path, request_id)
                    tally.add("teardowns")
                    continue
                if roll < 0.80 - minilm_share:
                    texts = [sentence(rng, rng.randint(1, 40)) for _ in range(rng.randint(1, 8))]
                    answer = exchange(sock, embed(request_id, texts, "fnv1a-384"))
                    check(answer, request_id, "Embed", len(texts), tally)
                elif roll < 0.80:
                    texts = [sentence(rng, rng.randint(1, 24)) for _ in range(rng.randint(1, 4))]
                    answer = exchange(sock, embed(request_id, texts, "minilm-384"))
                    check(answer, request_id, "Embed", len(texts), tally)
                elif roll < 0.85:
                    documents = [sentence(rng, 8) for _ in range(3)]
                    answer = exchange(sock, rerank(request_id, sentence(rng, 4), documents, "default"))
                    # The reranker is optional: served, or refused because it is not installed.
                    if answer[1] == "Error" and answer[2] == "ModelNotFound":
                        tally.add("expected_errors")
                    else:
                        check(answer, request_id, "Rerank", None, tally)
                elif roll < 0.90:
                    check(exchange(sock, unit(request_id, "Health")), request_id, "Health", None, tally)
                elif roll < 0.95:
                    check(exchange(sock, unit(request_id, "Status")), request_id, "Status", None, tally)
                else:
                    # Well framed, not a request: an InvalidInput answer, the connection stays open.
                    answer = exchange(sock, frame(b"\x93\x01" + mp_str(request_id) + mp_str("NoSuchRequest")))
                    if answer[1] == "Error":
                        tally.add("expected_errors")
                    else:
                        tally.fail(f"{request_id}: a bad request was answered {answer[1]}")
            except (OSError, ConnectionError, AssertionError) as error:
                tally.fail(f"{request_id}: {error}")
                sock.close()
                sock = connect(socket_path)
    finally:
        sock.close()


def teardown(rng, socket_path, request_id):
    """A connection that goes away: mid-prefix, mid-body, or with its request still running."""
    sock = connect(socket_path)
    data = embed(request_id, [sentence(rng, 12) for _ in range(2)], rng.choice(["minilm-384", "fnv1a-384"]))
    kind = rng.randrange(3)
    if kind == 0:
        sock.sendall(data[:2])
    elif kind == 1:
        sock.sendall(data[:len(data) // 2])
    else:
        sock.sendall(data)
    sock.close()


def check(answer, request_id, variant, vectors, tally):
    got_id, got_variant, detail = answer
    if got_id != request_id or got_variant != variant or (vectors is not None and detail != vectors):
        tally.fail(f"{request_id}: expected {variant} ({vectors}), got {got_id} {got_variant} {detail}")
    else:
        tally.add("served")


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_until_serving(socket_path, process, deadline_seconds):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"semd exited with status {process.returncode} while starting")
        try:
            sock = connect(socket_path, timeout=600)
            try:
                # The first MiniLM answer waits for the model to load.
                answer = exchange(sock, embed("warm-up", ["warm up the model"], "minilm-384"))
                if answer[1] == "Embed":
                    return
                raise RuntimeError(f"warm-up answered {answer}")
            finally:
                sock.close()
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.2)
    raise RuntimeError("semd did not start serving in time")


LEAK_SUMMARY = re.compile(r"SUMMARY: AddressSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation\(s\)")


def run_once(arguments, requests, work):
    socket_path = os.path.join(work, "semd.sock")
    report_prefix = os.path.join(work, "asan")
    environment = dict(os.environ)
    for key in list(environment):
        if key.startswith("SEMD_"):
            del environment[key]
    suppressions = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan.supp")
    environment["ASAN_OPTIONS"] = f"detect_leaks=1:log_path={report_prefix}:{arguments.asan_options}"
    environment["LSAN_OPTIONS"] = f"suppressions={suppressions}:print_suppressions=0"
    command = [arguments.semd, "--socket", socket_path, "--models-dir", arguments.models, "--no-xf",
               "--nice", "0", "--log-file", os.path.join(work, "semd.log"), "--max-connections", "64"]
    started = time.monotonic()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(work, "semd.stderr"), "wb"))
    try:
        wait_until_serving(socket_path, process, arguments.start_timeout)
        rss_warm = resident_kib(process.pid)
        tally = Tally()
        per_client = [requests // arguments.clients] * arguments.clients
        per_client[0] += requests - sum(per_client)
        threads = [threading.Thread(target=client, args=(i, n, socket_path, tally, 1000 * requests + i, arguments.minilm_share))
                   for i, n in enumerate(per_client)]
        load_started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        load_seconds = time.monotonic() - load_started
        rss_end = resident_kib(process.pid)
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=arguments.stop_timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    reports = sorted(glob.glob(report_prefix + ".*"))
    text = "".join(open(path, errors="replace").read() for path in reports)
    leaked = LEAK_SUMMARY.search(text)
    return {
        "requests": requests,
        "served": tally.served,
        "expected_errors": tally.expected_errors,
        "teardowns": tally.teardowns,
        "failures": tally.failures,
        "exit_status": status,
        "leaked_bytes": int(leaked.group(1)) if leaked else 0,
        "leaked_allocations": int(leaked.group(2)) if leaked else 0,
        "sanitizer_reports": reports,
        "other_reports": bool(text) and not leaked,
        "rss_warm_kib": rss_warm,
        "rss_end_kib": rss_end,
        "load_seconds": round(load_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "work": work,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--semd", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--requests", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--clients", type=int, default=4)
    # MiniLM requests cost the most by far in a debug AddressSanitizer build (about half a second each
    # on a loaded 2-core machine); the rest of the 75% of embeds go to the hash model.
    parser.add_argument("--minilm-share", type=float, default=0.05, help="share of MiniLM embeds (0 to 0.75)")
    parser.add_argument("--asan-options", default="quarantine_size_mb=64")
    parser.add_argument("--start-timeout", type=float, default=600)
    parser.add_argument("--stop-timeout", type=float, default=300)
    parser.add_argument("--keep", action="store_true", help="keep each run's folder (log, reports)")
    arguments = parser.parse_args()

    clean = True
    results = []
    for requests in arguments.requests:
        work = tempfile.mkdtemp(prefix="semd-leak-")
        result = run_once(arguments, requests, work)
        results.append(result)
        print(json.dumps(result), flush=True)
        if result["failures"] or result["exit_status"] != 0 or result["leaked_bytes"] or result["other_reports"]:
            clean = False
            for path in result["sanitizer_reports"]:
                sys.stderr.write(open(path, errors="replace").read())
        elif not arguments.keep:
            subprocess.run(["rm", "-rf", work])
    counts = ", ".join(f"{r['requests']} requests: {r['leaked_bytes']} bytes in {r['leaked_allocations']} allocations"
                       for r in results)
    print(f"leak check: {'clean' if clean else 'FAILED'} ({counts})")
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
