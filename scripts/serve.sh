#!/usr/bin/env bash
# The one command that serves the app: installs what is missing, builds the release bundle
# (embedded weights and demo session included) and serves it on http://127.0.0.1:8080.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-tools.sh
source scripts/env.sh
exec trunk serve --release --offline "$@"
