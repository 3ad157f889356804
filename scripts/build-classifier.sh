#!/usr/bin/env bash
# Builds the embeddable JS package (packages/classifier) with wasm-pack into
# packages/classifier/pkg/: ES module + wasm, for `<script type="module">` pages (target web).
# The wasm-release profile (size-optimised, like the app), without the `name` section (function
# names: megabytes nobody downloading a package needs). Prints the sizes it ships.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
cd "$here/packages/classifier"
wasm-pack build --target web --profile wasm-release --out-dir pkg >&2
node --input-type=module -e "
  import { readFile, writeFile } from 'node:fs/promises';
  import { gzipSync } from 'node:zlib';
  import { withoutNameSection } from '$here/scripts/strip-wasm-names.mjs';
  const path = 'pkg/tsak_classifier_bg.wasm';
  const stripped = withoutNameSection(await readFile(path));
  await writeFile(path, stripped);
  const js = await readFile('pkg/tsak_classifier.js');
  console.log('tsak_classifier_bg.wasm: ' + stripped.length + ' bytes, ' + gzipSync(stripped, { level: 9 }).length + ' gzipped');
  console.log('tsak_classifier.js: ' + js.length + ' bytes, ' + gzipSync(js, { level: 9 }).length + ' gzipped');
"
