#!/usr/bin/env bash
# The teacher's training step, burn against PyTorch on this machine: the same architecture,
# batch (64), window (27 channels x 133 frames) and optimiser (Adam), each timed as the median
# of 60 steps after 10 warm-up steps, in alternating rounds so that both see the same machine.
# burn is timed twice: the trainer's step on one thread (the default) and on two
# (`--threads 2`, TSAK_THREADS=2: each half of the batch on its own core; see
# trainer/benches/train_step.rs).
# Installs torch from PyPI into $TSAK_CACHE/torch-venv on first use (a large download).
# Usage: scripts/bench-train-step.sh [ROUNDS]   (default 3; prints a markdown table and the ratio)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/env.sh
rounds="${1:-3}"
venv="$TSAK_CACHE/torch-venv"
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy >&2
fi
cargo bench --locked -p tsak-trainer --bench train_step --no-run >&2
burn=$(ls -t "$CARGO_TARGET_DIR"/release/deps/train_step-* | grep -v '\.d$' | head -n 1)
threads=$(nproc)

median() { sed -n 's/.*"median_ms": \([0-9.]*\).*/\1/p'; }
echo "| round | burn, 1 thread (ms) | burn, --threads 2 (ms) | PyTorch $threads threads (ms) | burn / PyTorch | burn --threads 2 / PyTorch |"
echo "| --- | --- | --- | --- | --- | --- |"
ratios=()
halves_ratios=()
for round in $(seq 1 "$rounds"); do
  b=$("$burn" | median)
  h=$(TSAK_THREADS=2 "$burn" | median)
  p=$("$venv/bin/python" scripts/train_step_reference.py --threads "$threads" | median)
  ratio=$(awk -v b="$b" -v p="$p" 'BEGIN { printf "%.2f", b / p }')
  halves=$(awk -v b="$h" -v p="$p" 'BEGIN { printf "%.2f", b / p }')
  ratios+=("$ratio")
  halves_ratios+=("$halves")
  echo "| $round | $b | $h | $p | $ratio | $halves |"
done
middle() { printf '%s\n' "$@" | sort -n | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }'; }
echo "median burn / PyTorch: $(middle "${ratios[@]}"); burn --threads 2 / PyTorch: $(middle "${halves_ratios[@]}"); over $rounds rounds"
