#!/usr/bin/env bash
# In-browser benchmark of the built app (headless Chromium, CPU backend): replays a 30-minute
# synthetic session as fast as possible and reports the replay time, both models' per-window
# latency (p50/p95, measured side by side in that run) and the bundle size.
# Usage: scripts/bench-web.sh   (writes tests/e2e/artifacts/bench.json)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-tools.sh
source scripts/env.sh
cargo build --release --locked -p tsak-trainer
trunk build --release --offline
session="$TSAK_CACHE/bench-session"
"$CARGO_TARGET_DIR/release/trainer" synth --out "$session" --users 1 --sessions 1 --minutes 30 --seed 31
node tests/e2e/bench.mjs "$session/U0101"
