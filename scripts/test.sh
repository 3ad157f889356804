#!/usr/bin/env bash
# The one command that runs every test: native (unit, integration, property), wasm in headless
# Chromium, and end-to-end against the built app. Installs what is missing first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-tools.sh
source scripts/env.sh

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

step "formatting"
cargo fmt --all --check

step "clippy (native workspace, all targets, warnings are errors)"
cargo clippy --workspace --release --all-targets --locked -- -D warnings
# The browser glue (src/app) compiles for wasm only: lint it there too.
cargo clippy -p tsak --target wasm32-unknown-unknown --release --locked -- -D warnings
# The WebGPU module the worker fetches (packages/webgpu): its exports exist for wasm only.
cargo clippy -p tsak-webgpu --target wasm32-unknown-unknown --release --locked -- -D warnings
# With the bench feature: the package plus the burn side of scripts/bench-ort.sh.
cargo clippy -p tsak-classifier --features bench --target wasm32-unknown-unknown --release --locked -- -D warnings

step "the data layer alone (--no-default-features: what the fuzzer builds)"
cargo check -p tsak --no-default-features --locked

step "native tests (release: burn is 10-50x slower in debug)"
cargo test --workspace --release --locked

step "trainer GPU backends compile (wgpu, CUDA; no GPU here to run them)"
# DOCS_RS=1 makes cubecl's LLVM bundler skip its download from GitHub, which this machine
# cannot reach; type-checking needs no LLVM. A real CUDA build downloads it (see docs/trainer.md).
DOCS_RS=1 cargo check -p tsak-trainer --features wgpu,cuda --locked

step "wasm tests in headless Chromium"
# The wasm-release profile: the same compiled dependencies as the bundle trunk builds next.
WASM_BINDGEN_TEST_TIMEOUT=300 cargo test -p tsak --profile wasm-release --locked --target wasm32-unknown-unknown --test web

step "release bundle (trunk)"
trunk build --release --offline

step "the embeddable package (wasm-pack, packages/classifier)"
bash scripts/build-classifier.sh

step "end-to-end tests in headless Chromium"
TSAK_TRAINER="$CARGO_TARGET_DIR/release/trainer" node --test --test-concurrency=1 tests/e2e/

step "fuzz smoke run of the CSV readers"
bash scripts/fuzz.sh 20

step "all tests passed"
