# semd — the two set-up commands are `make run` and `make test` (see README.md).
SWIFT        ?= swift
SWIFTC       ?= swiftc
BUILD_FLAGS  ?=
RELEASE_BIN   = .build/release
# Release binaries link the Swift runtime and Foundation statically on Linux: a warm `semctl embed`
# drops from about 23 ms to 16 ms, most of the difference being the dynamic loader's work at start.
# Release binaries are also compiled for this machine's CPU family: the AVX-512 family (LLVM's
# `skylake-avx512`: AVX-512 F, BW, DQ, VL and CD, the x86-64-v4 set) when the CPU has it, else the AVX2
# family (the x86-64-v3 set, LLVM's `haswell`) when it has AVX2 and FMA. The engine's element-wise
# kernels (GELU, softmax, LayerNorm) are portable SIMD8 code that the default x86-64 target emits as pairs
# of SSE2 instructions, and one AVX2 instruction each halves their share of W3 (11% -> 7% of its time).
# The family also picks the panel kernel's register tile (PanelTile: 12 rows x 32 columns in 24 of the
# 32 AVX-512 registers, 6 x 16 with AVX2, 4 x 16 portable) and lets its multiply-adds be fused
# (SEMANTIC_CORE_AVX512 / SEMANTIC_CORE_AVX2; a portable build multiplies and adds, since a fused
# multiply-add without the instruction is a library call). The element-wise kernels give the same bits in
# every build (Swift does not contract a*b+c); the products differ between families by rounding only, within
# the goldens' tolerance (1 - cos <= 1e-6). A binary built this way needs such a CPU:
# `make build-release TARGET_CPU=` builds the portable one (to copy to older machines), and
# `TARGET_CPU=haswell` the AVX2 one on an AVX-512 machine.
TARGET_CPU   ?= $(shell [ "$$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ] && \
                  flags=$$(grep -m1 '^flags' /proc/cpuinfo) && \
                  for f in avx2 fma bmi1 bmi2 f16c movbe abm; do echo " $$flags " | grep -q " $$f " || exit 0; done && \
                  for f in avx512f avx512bw avx512dq avx512vl avx512cd; do echo " $$flags " | grep -q " $$f " || { echo haswell; exit 0; }; done && \
                  echo skylake-avx512)
AVX512_CPUS   = skylake-avx512 x86-64-v4 cascadelake cooperlake icelake-server icelake-client tigerlake sapphirerapids graniterapids emeraldrapids znver4 znver5
AVX2_CPUS     = haswell x86-64-v3 broadwell skylake alderlake znver1 znver2 znver3
KERNEL_FAMILY = $(if $(filter $(AVX512_CPUS),$(TARGET_CPU)),SEMANTIC_CORE_AVX512,$(if $(filter $(AVX2_CPUS),$(TARGET_CPU)),SEMANTIC_CORE_AVX2,))
RELEASE_FLAGS ?= $(if $(filter Linux,$(shell uname)),--static-swift-stdlib,) \
                 $(if $(TARGET_CPU),-Xswiftc -target-cpu -Xswiftc $(TARGET_CPU),) \
                 $(if $(KERNEL_FAMILY),-Xswiftc -D$(KERNEL_FAMILY),)
DEBUG_BIN     = .build/debug
APT_PACKAGES  = libopenblas-dev libsqlite3-dev pkg-config

.PHONY: all deps deployment-tools models build build-release test test-tsan test-asan leak-check run bench bench-peers bench-paired peers-venv tokenizer-check soak soak-smoke storm kernel-check fuzz fuzz-check clean help

all: build

help:
	@echo "make run      build, fetch the model, embed a sentence (the main job)"
	@echo "make test     install what is missing, fetch the model, run every test"
	@echo "make test-tsan / test-asan   every test under ThreadSanitizer / AddressSanitizer"
	@echo "make leak-check   LeakSanitizer over a daemon serving 1,000 then 10,000 requests"
	@echo "make deps     apt-get install $(APT_PACKAGES) when missing"
	@echo "make deployment-tools   nginx, systemd-analyze, curl (apt), openai (peers venv): the deployment tests run for real"
	@echo "make models   fetch and verify all-MiniLM-L6-v2 into Models/"
	@echo "make build    debug build;  make build-release  release build"
	@echo "make bench    release build, then the benchmark workloads (semd-bench bench)"
	@echo "make bench-peers  the same workloads on onnxruntime (optimized and plain graph) and sentence-transformers, side by side"
	@echo "make bench-paired semd and onnxruntime (optimized, plain graph) alternated for PAIRED_ROUNDS rounds (default 5): median ratios"
	@echo "make soak     release semd under mixed load for SOAK_SECONDS (default 600): errors, latency, RSS (semd-bench soak)"
	@echo "make soak-smoke   CI's 60 s soak (release build)"
	@echo "make storm    release semd: 16 served clients with and without 8 reconnecting without backoff (semd-bench storm)"
	@echo "make kernel-check   the release build's panel tile (AVX-512/AVX2/portable) against the goldens (semd-bench goldens)"
	@echo "make tokenizer-check  semctl tokenize against Hugging Face's tokenizer on fresh random and real text"
	@echo "make fuzz     every fuzz target under libFuzzer, FUZZ_SECONDS each (default 600; FUZZ_TARGETS)"
	@echo "make fuzz-check   type-check every fuzz target (part of make test)"

deps:
	@if [ "$$(uname)" = "Linux" ]; then \
	  missing=""; \
	  for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  python3 -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	  python3 -c "import ensurepip" >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	  if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  else echo "deps: $(APT_PACKAGES), pip and venv present"; fi; \
	fi

models:
	@Models/fetch-minilm.sh

# What the tests of Docs/DEPLOYMENT.md and the OpenAI client need to run rather than skip: nginx,
# systemd-analyze (Debian's `systemd` package, without its recommends) and curl (the unit's readiness
# probe) from apt, the `openai` package in the peers venv (as tokenizer-check installs transformers). CI
# runs this first and exports SEMD_NGINX, SEMD_SYSTEMD_ANALYZE and SEMD_OPENAI_PYTHON; with CI set,
# those tests fail when a tool is missing.
DEPLOYMENT_APT_PACKAGES = nginx systemd curl
OPENAI_VERSION ?= 3.63.0
deployment-tools:
	@if [ "$$(uname)" = "Linux" ]; then \
	  missing=""; \
	  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	  command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	  command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	  if [ -n "$$missing" ]; then \
	    echo "deployment-tools: installing$$missing"; \
	    SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "deployment-tools: $(DEPLOYMENT_APT_PACKAGES) present"; fi; \
	fi
	@test -x $(PEERS_VENV)/bin/python || python3 -m venv $(PEERS_VENV)
	@$(PEERS_VENV)/bin/python -c "import openai" 2>/dev/null || $(PEERS_VENV)/bin/pip install -q "openai==$(OPENAI_VERSION)"
	@$(PEERS_VENV)/bin/python -c "import openai; print('deployment-tools: openai', openai.__version__, 'in $(PEERS_VENV)')"

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

build-release: deps
	$(SWIFT) build -c release $(RELEASE_FLAGS) $(BUILD_FLAGS)

test: deps models fuzz-check
	$(SWIFT) test $(BUILD_FLAGS)

# The whole suite under a sanitizer, each in a build folder of its own (.build-tsan, .build-asan), so
# the ordinary build stays as it is. Every process writes its reports to files under
# .build-reports/<sanitizer>/: the test runner, and the semd and semctl the tests start (built with the
# same sanitizer), whose stderr no test reads. The target fails when the tests fail or any report was
# written. SANITIZER_TEST_FLAGS narrows the run, e.g. SANITIZER_TEST_FLAGS="--filter SemanticDaemonTests".
SANITIZER_TEST_FLAGS ?=
SANITIZERS_DIR        = Tests/Sanitizers
TSAN_OPTIONS_DEFAULT  = halt_on_error=0 second_deadlock_stack=1 suppressions=$(CURDIR)/$(SANITIZERS_DIR)/tsan.supp
# Leaks are LeakSanitizer's job in `make leak-check`, over a daemon process that stops cleanly; at the
# test runner's exit they would name the test library's own process-lifetime allocations.
ASAN_OPTIONS_DEFAULT  = detect_leaks=0 detect_stack_use_after_return=1 strict_string_checks=1

test-tsan: deps models
	@rm -rf .build-reports/tsan && mkdir -p .build-reports/tsan
	TSAN_OPTIONS="$(TSAN_OPTIONS_DEFAULT) log_path=$(CURDIR)/.build-reports/tsan/tsan" \
	  $(SWIFT) test --sanitize=thread --scratch-path .build-tsan $(BUILD_FLAGS) $(SANITIZER_TEST_FLAGS); \
	  $(SANITIZERS_DIR)/check_reports.sh .build-reports/tsan $$? test-tsan

test-asan: deps models
	@rm -rf .build-reports/asan && mkdir -p .build-reports/asan
	ASAN_OPTIONS="$(ASAN_OPTIONS_DEFAULT) log_path=$(CURDIR)/.build-reports/asan/asan" \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan $(BUILD_FLAGS) $(SANITIZER_TEST_FLAGS); \
	  $(SANITIZERS_DIR)/check_reports.sh .build-reports/asan $$? test-asan

# LeakSanitizer over a real daemon (built with AddressSanitizer) serving LEAK_REQUESTS mixed requests
# from several connections, then stopped with SIGTERM: the leak report at its exit must be empty for
# every count (a per-request leak would grow with the count).
LEAK_REQUESTS ?= 1000 10000
leak-check: deps models
	$(SWIFT) build --sanitize=address --scratch-path .build-asan --product semd $(BUILD_FLAGS)
	python3 $(SANITIZERS_DIR)/daemon_leak_check.py --semd .build-asan/debug/semd --models Models \
	  --requests $(LEAK_REQUESTS)

run: deps build-release models
	$(RELEASE_BIN)/semctl models verify
	$(RELEASE_BIN)/semctl embed "hello world"

# The benchmark workloads and the soak are semd-bench's (Benchmarks/SemdBench), built beside semd by
# build-release; semctl keeps only a user's short `semctl bench`.
bench: deps build-release models
	$(RELEASE_BIN)/semd-bench bench

# A real release semd under mixed load (cass, xf, HTTP, reranks, jobs, hostile clients) for SOAK_SECONDS
# after 180 s of warm-up; fails on any error answer or RSS growth over 5% (Docs/RELIABILITY.md).
SOAK_SECONDS ?= 600
soak: deps build-release models
	$(RELEASE_BIN)/semd-bench soak --seconds $(SOAK_SECONDS)

# CI's soak: the release binaries, 30 s warm-up + 60 s of the same mixed load. It fails on any error
# or a dead semd; RSS after so short a warm-up still moves with the first jobs, so the growth bar here
# is 25% (the 5% bar belongs to `make soak`). Release, since a debug engine cannot keep up with this
# load: its queue grows until well-formed requests pass their 30 s deadline.
soak-smoke: deps build-release models
	$(RELEASE_BIN)/semd-bench soak --seconds 60 --warmup 30 --growth-limit 25

# A release semd with its defaults (--max-connections 16): 16 served clients sending 8 texts per Embed,
# STORM_SECONDS storm-free, then STORM_SECONDS with 8 more clients reconnecting without backoff after every
# refusal, in the same run. Fails when the served texts/s under the storm fall below 0.70x the storm-free
# figure, semd dies, or it logs more than 100 lines per 15 s of storm (Docs/RELIABILITY.md).
STORM_SECONDS ?= 15
storm: deps build-release models
	$(RELEASE_BIN)/semd-bench storm --seconds $(STORM_SECONDS)

# The release build's engine against the goldens: the unit tests run a debug build (portable tile, every
# product on OpenBLAS); this checks the binaries `make run` builds, compiled for the CPU family, with every
# product of up to 512 rows on that family's panel tile (semd-bench goldens; CI runs it).
kernel-check: deps build-release models
	$(RELEASE_BIN)/semd-bench goldens

# The same workloads on onnxruntime 1.32.0 running the transformer-optimized graph (the exported graph
# rewritten by onnxruntime.transformers.optimizer with fused Attention / SkipLayerNormalization /
# BiasGelu nodes: the first peer column, the one the targets are against), onnxruntime on the plain
# exported graph, and sentence-transformers (torch 2.13.0+cpu), in a Python venv, in the same run, then
# a side-by-side table (Docs/PERFORMANCE.md shows one).
PEERS_VENV ?= .venv-peers
peers-venv:
	@test -x $(PEERS_VENV)/bin/python || python3 -m venv $(PEERS_VENV)
	@$(PEERS_VENV)/bin/python -c "import torch, sentence_transformers, onnxruntime, onnx" 2>/dev/null || \
	  $(PEERS_VENV)/bin/pip install -q "torch==2.13.0+cpu" "sentence-transformers==6.2.0" "transformers==5.24.0" \
	    "onnxruntime==1.32.0" onnx "numpy==2.4.6"

bench-peers: deps build-release models peers-venv
	mkdir -p .build/bench
	$(RELEASE_BIN)/semd-bench bench --json | tee .build/bench/semd.jsonl
	$(PEERS_VENV)/bin/python Benchmarks/peers/bench_peers.py --model Models/all-MiniLM-L6-v2 \
	  --inputs Tests/Fixtures/bench/bench_inputs.json --work .build/bench/peers | tee .build/bench/peers.jsonl
	python3 Benchmarks/peers/compare.py .build/bench/semd.jsonl .build/bench/peers.jsonl --svg .build/bench/ratios.svg

# semd and onnxruntime (optimized graph, then plain graph) alternated workload by workload for
# PAIRED_ROUNDS rounds (the order reversed every other round): each round's ratio to the optimized graph
# and the median ratio, which the host's drift between runs cannot bias, and the median ratio to the plain graph.
PAIRED_ROUNDS ?= 5
bench-paired: deps build-release models peers-venv
	mkdir -p .build/bench
	$(PEERS_VENV)/bin/python Benchmarks/peers/paired.py --bench $(RELEASE_BIN)/semd-bench --rounds $(PAIRED_ROUNDS) | tee .build/bench/paired.md

# `semctl tokenize --json` against Hugging Face's tokenizer on TOKENIZER_TEXTS texts drawn fresh every run
# (random mixes over every script, long words, special tokens, truncation, pairs past 512, and Python's
# standard-library docstrings as prose); the seed it prints reproduces a run (TOKENIZER_SEED=N). Needs only `transformers`
# in the peers venv (installed when missing; torch is not needed).
TOKENIZER_TEXTS ?= 1500
TOKENIZER_SEED ?=
tokenizer-check: deps build-release models
	@test -x $(PEERS_VENV)/bin/python || python3 -m venv $(PEERS_VENV)
	@$(PEERS_VENV)/bin/python -c "import transformers" 2>/dev/null || $(PEERS_VENV)/bin/pip install -q "transformers==5.24.0"
	$(PEERS_VENV)/bin/python Tests/Scripts/tokenizer_agreement.py --semctl $(RELEASE_BIN)/semctl \
	  --model Models/all-MiniLM-L6-v2 --count $(TOKENIZER_TEXTS) $(if $(TOKENIZER_SEED),--seed $(TOKENIZER_SEED),)

# Fuzz every decoder of hostile bytes (libFuzzer + AddressSanitizer), FUZZ_SECONDS per target: the wire
# (frames, cass and xf envelopes and messages), cass v2's strict decoder and triage, the safetensors header, tokenizer files, and the job's
# archive row reader with the canonicaliser. Crashes land in fuzz-artifacts/ (Docs/RELIABILITY.md).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= wire cassv2 safetensors tokenizer archive

fuzz:
	@for target in $(FUZZ_TARGETS); do SWIFTC=$(SWIFTC) Tests/Fuzz/fuzz.sh $$target $(FUZZ_SECONDS) || exit 1; done

# Type-checks every fuzz target's sources (seconds), so `make test` fails when a change breaks one.
fuzz-check:
	@for target in $(FUZZ_TARGETS); do FUZZ_TYPECHECK=1 SWIFTC=$(SWIFTC) Tests/Fuzz/fuzz.sh $$target 0 || exit 1; done

clean:
	rm -rf .build
