#!/usr/bin/env bash
# How training cost grows with the data: synthetic datasets of 1x (3 h, the trainer's usual
# synthetic set), 4x (12 h) and 16x (48 h, OpenPack v1.0's ~50 h and 16 subjects) are written,
# and the teacher trains one epoch on each. Printed per scale: the time to write the data, the
# time to load it, the epoch's time, and the peak memory (the trainer's own report and the
# kernel's maximum resident set). Takes about 20 minutes on 2 cores (2026-12-03); needs ~3 GB of disk.
# Usage: scripts/bench-scale.sh [SCALE...]   (default: 1 4 16; prints a markdown table)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/env.sh
cargo build --release --locked -p tsak-trainer >&2
trainer="$CARGO_TARGET_DIR/release/trainer"
work="${TSAK_BENCH_DIR:-$TSAK_CACHE/bench-scale}"
if [ $# -eq 0 ]; then set -- 1 4 16; fi

# users sessions minutes per scale: 6x3x10 min = 3 h; 8x3x30 = 12 h; 16x6x30 = 48 h.
shape() {
  case "$1" in
    1) echo "6 3 10" ;;
    4) echo "8 3 30" ;;
    16) echo "16 6 30" ;;
    *) echo "unknown scale $1 (1, 4 or 16)" >&2; exit 2 ;;
  esac
}

echo "| data | hours | write (s) | load (s) | teacher epoch (s) | windows | inputs held (GiB) | peak memory, trainer (GiB) | max RSS, kernel (GiB) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for scale in "$@"; do
  read -r users sessions minutes <<<"$(shape "$scale")"
  data="$work/x$scale"
  rm -rf "$data" "$work/run-x$scale"
  started=$(date +%s.%N)
  "$trainer" synth --out "$data" --users "$users" --sessions "$sessions" --minutes "$minutes" --seed 17 >&2
  written=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  log="$work/x$scale.log"
  /usr/bin/time -v "$trainer" train-teacher --data "openpack:$data" --epochs 1 --run "$work/run-x$scale" 2>"$log" >&2
  load=$(sed -n 's/^data loaded in \([0-9.]*\) s.*/\1/p' "$log")
  epoch=$(sed -n 's/^\[teacher\] epoch   1: .*(\([0-9.]*\) s, peak memory \([0-9.]*\) GiB)$/\1/p' "$log")
  peak=$(sed -n 's/^\[teacher\] epoch   1: .*peak memory \([0-9.]*\) GiB)$/\1/p' "$log")
  windows=$(sed -n 's/^teacher: .*windows \([0-9]*\) train.*/\1/p' "$log")
  held=$(sed -n 's/^teacher: .*(\([0-9.]*\) GiB of inputs)$/\1/p' "$log")
  rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\)/\1/p' "$log")
  rss=$(awk -v k="$rss_kib" 'BEGIN { printf "%.2f", k / 1048576 }')
  hours=$((users * sessions * minutes / 60))
  printf '| %sx | %s | %s | %s | %s | %s train | %s | %s | %s |\n' \
    "$scale" "$hours" "$written" "$load" "$epoch" "$windows" "$held" "$peak" "$rss"
done
