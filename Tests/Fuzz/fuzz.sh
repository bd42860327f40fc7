#!/bin/sh
# Builds one libFuzzer target (swiftc -sanitize=fuzzer,address over the repository's sources) and runs
# it for a bounded time; crashes land in fuzz-artifacts/TARGET-*. Called by `make fuzz` for each of
# FUZZ_TARGETS. Usage: Tests/Fuzz/fuzz.sh TARGET SECONDS   (TARGET: wire, cassv2, safetensors, tokenizer, archive)
# With FUZZ_TYPECHECK=1 it only type-checks the target's sources (`make fuzz-check`, part of `make test`),
# so a change that breaks a fuzz target fails the tests rather than the next fuzzing session.
set -eu
target=$1
seconds=$2
swiftc=${SWIFTC:-swiftc}
dir=.build-fuzz
# Scratch files (the model files and archives written from each input) go to tmpfs when there is one.
scratch="$dir/scratch"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch=/dev/shm/semd-fuzz-$$; fi
mkdir -p "$dir/corpus-$target" "$scratch" fuzz-artifacts
trap 'rm -rf "/dev/shm/semd-fuzz-$$"' EXIT
core="Sources/SemanticCore/SemanticCore.swift Sources/SemanticCore/Models/EngineConfiguration.swift $(find Sources/SemanticCore/Weights Sources/SemanticCore/Tokenizer -name '*.swift' | sort)"
extra=""
dict=""
malloc_limit=256
case "$target" in
  wire)
    [ -n "${FUZZ_TYPECHECK:-}" ] || python3 Tests/Fuzz/seed_corpus.py "$dir/corpus-wire" Tests/Fixtures/wire/frames.json Tests/Fixtures/wire/xf-frames.json
    sources="$(find Sources/SemanticWire -name '*.swift' | sort) Tests/Fuzz/FuzzTarget.swift"
    module=WireFuzz
    dict="-dict=Tests/Fuzz/wire.dict"
    malloc_limit=64 ;;
  cassv2)
    [ -n "${FUZZ_TYPECHECK:-}" ] || python3 Tests/Fuzz/seed_corpus.py "$dir/corpus-cassv2" Tests/Fixtures/wire/v2-frames.json
    sources="$(find Sources/SemanticWire -name '*.swift' | sort) Tests/Fuzz/CassV2FuzzTarget.swift"
    module=WireFuzz
    dict="-dict=Tests/Fuzz/cassv2.dict"
    malloc_limit=64 ;;
  safetensors)
    [ -n "${FUZZ_TYPECHECK:-}" ] || python3 Tests/Fuzz/seed_models.py safetensors "$dir/corpus-$target"
    sources="$core Tests/Fuzz/SafetensorsFuzzTarget.swift"
    module=SemanticCore ;;
  tokenizer)
    [ -n "${FUZZ_TYPECHECK:-}" ] || python3 Tests/Fuzz/seed_models.py tokenizer "$dir/corpus-$target"
    sources="$core Tests/Fuzz/TokenizerFuzzTarget.swift"
    module=SemanticCore ;;
  archive)
    [ -n "${FUZZ_TYPECHECK:-}" ] || python3 Tests/Fuzz/seed_models.py archive "$dir/corpus-$target"
    # swift-crypto cannot be compiled with swiftc alone: a plain-Swift SHA-256 stands in as module Crypto.
    mkdir -p "$dir/crypto"
    if [ ! -f "$dir/crypto/libCrypto.a" ] || [ Tests/Fuzz/Crypto/SHA256.swift -nt "$dir/crypto/libCrypto.a" ]; then
      $swiftc -parse-as-library -O -module-name Crypto -emit-library -static -emit-module \
        -emit-module-path "$dir/crypto/Crypto.swiftmodule" Tests/Fuzz/Crypto/SHA256.swift -o "$dir/crypto/libCrypto.a"
    fi
    # One module named SemanticCore, so SemanticIndex's `import SemanticCore` refers to itself.
    sources="$core Sources/SemanticCore/Models/HashEmbedder.swift Sources/SemanticIndex/Text/Canonicalizer.swift Sources/SemanticIndex/Text/MarkdownLineStripper.swift \
      $(find Sources/SemanticIndex/Archive -name '*.swift' | sort) Sources/SemanticIndex/Support/CRC32.swift Sources/SemanticIndex/Support/FileSystem.swift \
      Tests/Fuzz/ArchiveFuzzTarget.swift"
    module=SemanticCore
    extra="-I Sources/CSQLite -I $dir/crypto -L $dir/crypto -lCrypto" ;;
  *) echo "fuzz: unknown target $target (wire, cassv2, safetensors, tokenizer, archive)" >&2; exit 2 ;;
esac
if [ -n "${FUZZ_TYPECHECK:-}" ]; then
  # shellcheck disable=SC2086
  if ! output=$($swiftc -typecheck -parse-as-library -module-name $module $extra $sources 2>&1); then
    printf '%s\n' "$output" | grep -A4 'error:' >&2
    echo "fuzz-check: the $target fuzz target does not compile" >&2
    exit 1
  fi
  echo "fuzz-check: $target compiles"
  exit 0
fi
# Rebuilt only when a source (or this script) is newer than the binary.
# shellcheck disable=SC2086
if [ ! -x "$dir/$target-fuzz" ] || [ -n "$(find $sources Tests/Fuzz/fuzz.sh -newer "$dir/$target-fuzz" | head -1)" ]; then
  rm -f "$dir/$target-fuzz"
  $swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name $module $extra $sources -o "$dir/$target-fuzz" 2>&1 \
    | grep -v -e 'Cannot export local symbol' -e 'is part of module' -e 'import SemanticCore' -e '^ *|' || true
fi
test -x "$dir/$target-fuzz"
echo "fuzz: $target for $seconds s"
# shellcheck disable=SC2086
SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=suppressions=Tests/Fuzz/lsan.supp FUZZ_SCRATCH="$scratch" "$dir/$target-fuzz" -max_total_time="$seconds" $dict \
  -malloc_limit_mb=$malloc_limit -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="fuzz-artifacts/$target-" -print_final_stats=1 \
  "$dir/corpus-$target"
