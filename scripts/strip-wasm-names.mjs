// The first step of the Trunk post_build hook (scripts/post-build.mjs): removes the wasm `name`
// custom section (function names for stack traces, ~6 MB raw / ~1.2 MB gzipped) from release
// bundles.
// Hand-written because trunk 0.21 cannot pass `--remove-name-section` to wasm-bindgen,
// `strip = true` in the cargo profile also removes the sections wasm-bindgen reads, and
// Debian's wasm-opt breaks the output. Debug builds keep their names, and so does a release
// built with TSAK_KEEP_WASM_NAMES=1 (to profile it: function names in the browser's profiler).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Reads an unsigned LEB128 at `offset`; returns [value, next offset]. */
function leb(bytes, offset) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, offset];
  }
}

/** The module without custom sections called `name`. */
export function withoutNameSection(bytes) {
  const kept = [bytes.subarray(0, 8)];
  let offset = 8;
  while (offset < bytes.length) {
    const start = offset;
    const id = bytes[offset++];
    const [size, payload] = leb(bytes, offset);
    const end = payload + size;
    let drop = false;
    if (id === 0) {
      const [length, name] = leb(bytes, payload);
      drop = new TextDecoder().decode(bytes.subarray(name, name + length)) === 'name';
    }
    if (!drop) kept.push(bytes.subarray(start, end));
    offset = end;
  }
  return Buffer.concat(kept);
}

if (process.env.TRUNK_PROFILE === 'release' && process.env.TSAK_KEEP_WASM_NAMES !== '1') {
  const dir = process.env.TRUNK_STAGING_DIR;
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.wasm')) continue;
    const path = join(dir, file);
    const before = await readFile(path);
    const after = withoutNameSection(before);
    await writeFile(path, after);
    console.log(`${file}: ${before.length} -> ${after.length} bytes without the name section`);
  }
}
