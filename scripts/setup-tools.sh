#!/usr/bin/env bash
# Installs everything the app and its tests need that a fresh machine lacks, into a cache
# outside the clone so warm runs skip it. Idempotent: each step checks before it installs.
# Versions are pinned to what fits rustc 1.95 and Cargo.lock (see docs/toolchain.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
TOOLS="$TSAK_CACHE/tools"
TRUNK_VERSION=0.21.14
mkdir -p "$TOOLS/bin"
# wasm-bindgen-cli must equal the wasm-bindgen that Cargo.lock resolved, or the generated JS breaks.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$here/Cargo.lock")"

log() { printf '[setup] %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: a crate its lockfile pins is missing from the registry mirror here.
  cargo install --root "$TOOLS" --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION"
  cargo install --root "$TOOLS" --locked --force "trunk@$TRUNK_VERSION"
fi

WASM_PACK_VERSION=0.15.1
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  log "installing wasm-pack $WASM_PACK_VERSION (builds the embeddable package, packages/classifier)"
  cargo install --root "$TOOLS" --locked --force "wasm-pack@$WASM_PACK_VERSION"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing chromium and chromedriver from apt"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The end-to-end tests drive Debian's Chromium with playwright-core, which never downloads
# a browser of its own (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is belt and braces).
if [ ! -d "$here/tests/e2e/node_modules/playwright-core" ]; then
  log "installing the end-to-end test dependencies (npm ci)"
  (cd "$here/tests/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi
