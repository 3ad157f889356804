#!/usr/bin/env bash
# In-browser inference, burn against ONNX Runtime Web, side by side in one headless Chromium
# page: the shipped bundle's student and teacher (+ semantic classifier), batch 1, one thread
# each, in alternating rounds (tests/e2e/ort-bench.mjs). burn runs through tsak's classifier
# package built with its `bench` feature (packages/classifier/src/bench.rs); ORT runs the same
# architectures exported from PyTorch (scripts/ort_bench_models.py).
# Installs torch and onnx from PyPI into $TSAK_CACHE/torch-venv and onnxruntime-web from npm
# (tests/e2e/ort-bench/package.json) on first use.
# Usage: scripts/bench-ort.sh [ROUNDS]   (default 5; prints a markdown table and the ratios,
# writes tests/e2e/artifacts/ort-bench.json)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-tools.sh
source scripts/env.sh
rounds="${1:-5}"
site="$TSAK_CACHE/ort-bench-site"
rm -rf "$site"
mkdir -p "$site/ort"

venv="$TSAK_CACHE/torch-venv"
if ! "$venv/bin/python" -c 'import torch, onnx' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy onnx >&2
fi
"$venv/bin/python" scripts/ort_bench_models.py --weights model-weights --out "$site" 2>/dev/null
# The bundle as the app takes it: its files in one zip.
"$venv/bin/python" -c "
import sys, zipfile, pathlib
with zipfile.ZipFile(sys.argv[2], 'w') as z:
    for f in sorted(pathlib.Path(sys.argv[1]).iterdir()):
        if f.is_file():
            z.write(f, f.name)
" model-weights "$site/bundle.zip"

(cd packages/classifier && wasm-pack build --target web --profile wasm-release --out-dir "$site/pkg" -- --features bench) >&2
(cd tests/e2e/ort-bench && npm ci --no-audit --no-fund --silent)
ort_dist=tests/e2e/ort-bench/node_modules/onnxruntime-web/dist
cp "$ort_dist/ort.wasm.min.mjs" "$ort_dist/ort-wasm-simd-threaded.mjs" "$ort_dist/ort-wasm-simd-threaded.wasm" "$site/ort/"
cp tests/e2e/ort-bench/index.html tests/e2e/ort-bench/bench.js "$site/"
node tests/e2e/ort-bench.mjs "$site" "$rounds"
