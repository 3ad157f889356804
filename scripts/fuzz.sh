#!/usr/bin/env bash
# Fuzzes the CSV readers with cargo-fuzz (libFuzzer) for N seconds (default 60).
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable toolchain here accept
# them (no other toolchain can be installed on these machines).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
seconds="${1:-60}"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install --root "$TSAK_CACHE/tools" --locked cargo-fuzz@0.13.2
fi
cd "$here/fuzz"
mkdir -p corpus/csv_readers
cp -n "$here"/tests/fixtures/openpack-mini/U0101/annotation/*/S0100.csv corpus/csv_readers/ 2>/dev/null || true
cp "$here/tests/fixtures/openpack-mini/U0101/atr/atr01/S0100.csv" corpus/csv_readers/atr01.csv
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none csv_readers corpus/csv_readers -- \
  -max_total_time="$seconds" -max_len=4096 -print_final_stats=1
