# Sourced by the other scripts: where tools and build outputs live. Outside the clone, so a
# fresh clone reuses them (warm runs are quick) and a cold machine simply fills them.
: "${TSAK_CACHE:=$HOME/.cache/tsak}"
export TSAK_CACHE
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$TSAK_CACHE/target}"
export PATH="$TSAK_CACHE/tools/bin:$HOME/.cargo/bin:$PATH"
export CHROMIUM="${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}"
