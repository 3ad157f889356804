#!/usr/bin/env bash
# In-browser bench of the worker protocol's messages (headless Chromium through
# wasm-bindgen-test-runner): each message kind encoded, structured-cloned and decoded as the
# JSON string the app sends and as a serde-wasm-bindgen JS object, in alternating rounds.
# Prints a table of median microseconds per message (docs/performance.md keeps the dated result).
# Usage: scripts/bench-messages.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-tools.sh
source scripts/env.sh
WASM_BINDGEN_TEST_TIMEOUT=600 cargo test -p tsak --profile wasm-release --locked \
  --target wasm32-unknown-unknown --test wire_bench -- --nocapture 2>&1 | sed -n '/^message |/,/^$/p'
